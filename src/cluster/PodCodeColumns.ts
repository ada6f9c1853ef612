// The fields of a PodTable whose values repeat from pod to pod (namespace, node, phase,
// and the spec parts a workload's pods share: labels, containers, owner, ...), each
// stored as one code per slot into a list of that column's distinct values (Dict); a
// snapshot stores each column's values once and its codes in the fewest bytes that hold
// them. A new pod's spec parts equal to its sibling's (the pod created just before it,
// same namespace and owner) take the sibling's very codes: replayed pods share their
// parts as live ones, stamped from one template, do.
import { bytesOf, Dict, maxOf, u16Of, u32Of } from './podColumns.js';
import type { OwnerRef, Pod } from './types.js';

/** What a pod is created with (PodCreated's data). */
export type PodSpec = Pick<Pod, 'namespace' | 'name' | 'labels' | 'containers' | 'nodeSelector' | 'tolerations' | 'hostNetwork' | 'owner' | 'targetNode'>;

/** Code columns, in Pod field order. */
const CODE_FIELDS = ['namespace', 'labels', 'containers', 'nodeSelector', 'tolerations', 'hostNetwork', 'owner', 'targetNode', 'phase', 'reason', 'message', 'node'] as const;
export type CodeField = (typeof CODE_FIELDS)[number];

/** What a snapshot stores of the code columns: per column its distinct values and each pod's code, in bytes of `width` (1, 2 or 4). */
export type CodeColumnsSnapshot = Record<CodeField, { values: unknown[]; width: number; codes: Uint8Array }>;

/** A PodTable's code columns (see the head comment); slots are the table's. */
export class PodCodeColumns {
  readonly dicts: Record<CodeField, Dict>;
  codes: Record<CodeField, Uint32Array>;

  constructor(cap: number) {
    this.dicts = Object.fromEntries(CODE_FIELDS.map((f) => [f, new Dict()])) as Record<CodeField, Dict>;
    this.codes = Object.fromEntries(CODE_FIELDS.map((f) => [f, new Uint32Array(cap)])) as Record<CodeField, Uint32Array>;
  }

  /**
   * Code a new pod's spec parts (all but its namespace and name) into `slot`. A part
   * equal to that of the pod in slot `sibling` (same namespace and owner; -1: none) is
   * stored as the sibling's very code.
   */
  codeSpec(slot: number, p: PodSpec, sibling: number): void {
    const c = this.codes;
    const d = this.dicts;
    const sib = sibling >= 0 && c.namespace[sibling] === c.namespace[slot] && sameOwner(d.owner.values[c.owner[sibling]!] as OwnerRef | undefined, p.owner) ? sibling : -1;
    if (sib >= 0) {
      c.owner[slot] = c.owner[sib]!;
      c.labels[slot] = sameData(d.labels.values[c.labels[sib]!], p.labels) ? c.labels[sib]! : d.labels.code(p.labels);
      c.containers[slot] = sameData(d.containers.values[c.containers[sib]!], p.containers) ? c.containers[sib]! : d.containers.code(p.containers);
      c.nodeSelector[slot] = sameData(d.nodeSelector.values[c.nodeSelector[sib]!], p.nodeSelector) ? c.nodeSelector[sib]! : d.nodeSelector.code(p.nodeSelector);
      c.tolerations[slot] = sameData(d.tolerations.values[c.tolerations[sib]!], p.tolerations) ? c.tolerations[sib]! : d.tolerations.code(p.tolerations);
    } else {
      c.owner[slot] = d.owner.code(p.owner);
      c.labels[slot] = d.labels.code(p.labels);
      c.containers[slot] = d.containers.code(p.containers);
      c.nodeSelector[slot] = d.nodeSelector.code(p.nodeSelector);
      c.tolerations[slot] = d.tolerations.code(p.tolerations);
    }
    c.hostNetwork[slot] = d.hostNetwork.code(p.hostNetwork);
    c.targetNode[slot] = d.targetNode.code(p.targetNode);
  }

  /** Room for `cap` slots, keeping the codes of the first `n`. */
  grow(cap: number, n: number): void {
    for (const f of CODE_FIELDS) { const a = new Uint32Array(cap); a.set(this.codes[f].subarray(0, n)); this.codes[f] = a; }
  }

  /** The columns of `slots`, in that order (codes renumbered in slot order). */
  toSnapshot(slots: ArrayLike<number>): CodeColumnsSnapshot {
    const n = slots.length;
    const out = {} as CodeColumnsSnapshot;
    for (const f of CODE_FIELDS) {
      const from = this.dicts[f].values;
      const src = this.codes[f];
      const renumber = new Map<number, number>([[0, 0]]);
      const values: unknown[] = [undefined];
      const codes = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const c = src[slots[i]!]!;
        let r = renumber.get(c);
        if (r === undefined) { r = values.length; values.push(from[c]); renumber.set(c, r); }
        codes[i] = r;
      }
      // Most columns have a few distinct values: a byte per pod, not four (a smaller snapshot to read and checksum).
      const width = values.length <= 0x100 ? 1 : values.length <= 0x10000 ? 2 : 4;
      out[f] = { values, width, codes: width === 1 ? new Uint8Array(codes) : width === 2 ? bytesOf(new Uint16Array(codes)) : bytesOf(codes) };
    }
    return out;
  }

  /** Fill slots 0..n from toSnapshot's data (into empty columns). Throws when it is malformed. */
  restore(snap: CodeColumnsSnapshot, n: number): void {
    for (const f of CODE_FIELDS) {
      const { values, width, codes } = snap[f];
      const d = this.dicts[f] = Dict.of(values);
      if (width !== 1 && width !== 2 && width !== 4) throw new Error('pod table snapshot: bad code width');
      const c = width === 1 ? codes : width === 2 ? u16Of(codes, n) : u32Of(codes, n);
      if (c.length !== n) throw new Error('pod table snapshot: a column has the wrong length');
      this.codes[f].set(c);
      if (maxOf(this.codes[f], n) >= d.values.length) throw new Error('pod table snapshot: code out of range');
    }
  }
}

function sameOwner(a: OwnerRef | undefined, b: OwnerRef | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.kind === b.kind && a.name === b.name);
}

/**
 * Decoded event data equal by value. Key order is not compared: both copies come from
 * one owner's template, so their keys were written in the same order.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) { if (!sameData(x[k], y[k])) return false; n++; }
  for (const _ in y) n--;
  return n === 0;
}
