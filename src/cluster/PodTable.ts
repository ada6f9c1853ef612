// The cluster's pods, stored column by column: one slot per pod, each field a typed
// array of codes (or a string column), not one object per pod in a Map. At the scale
// envelope (150,000 pods) the Map of Pod objects was most of a replay's cost: a Pod
// object, its key string and a Map entry per pod, all surviving young-generation GC
// and copied by it, and a restore built all of them again from the snapshot. Here a
// replay writes a few array cells per event and a restore copies whole columns.
//
// Readers keep the Map API (get, has, values, keys, entries, size): a Pod object is
// built the first time someone asks for it and cached, so every later `get` returns
// the same object, and the table's own changes (bind, unschedulable) update the
// cached object too. Nothing outside the table mutates a Pod.
//
// Fields whose values repeat (namespace, node, phase, and the spec parts a workload's
// pods share by identity: labels, containers, owner, ...) are stored as codes into a
// per-column list of distinct values (Dict). Names, unique per pod, are a string column
// that a restore fills lazily from one joined text (LazyStrings); IPs are numbers
// (IpColumn). Keys are found through an open-addressing index over key hashes, kept in
// typed arrays. Slot order is Map order: a new key appends, a key set again keeps its
// slot, a deleted slot is a hole until the table compacts.
import { bytesOf, Dict, f64Of, hashChars, IpColumn, type IpSnapshot, LazyStrings, LITTLE_ENDIAN, maxOf, nsHash, u16Of, u32Of } from './podColumns.js';
import type { OwnerRef, Pod } from './types.js';

/** What a pod is created with (PodCreated's data). */
export type PodSpec = Pick<Pod, 'namespace' | 'name' | 'labels' | 'containers' | 'nodeSelector' | 'tolerations' | 'hostNetwork' | 'owner' | 'targetNode'>;

/** Code columns, in Pod field order. */
const DICT_FIELDS = ['namespace', 'labels', 'containers', 'nodeSelector', 'tolerations', 'hostNetwork', 'owner', 'targetNode', 'phase', 'reason', 'message', 'node'] as const;
type DictField = (typeof DICT_FIELDS)[number];

/** What a snapshot stores of a pod table (plain data; typed arrays as their bytes). */
export interface PodTableSnapshot {
  count: number;
  /** Byte order of the typed arrays: a snapshot from a host of the other order is not read. */
  littleEndian: boolean;
  /** Per column: its distinct values and each pod's code, in bytes of `width` (1, 2 or 4: the fewest that hold every code). */
  dicts: Record<DictField, { values: unknown[]; width: number; codes: Uint8Array }>;
  names: { text: string; ends: Uint8Array };
  ips: IpSnapshot;
  createdAt: Uint8Array;
  /** NaN: not started. */
  startedAt: Uint8Array;
}

/** Pods by `namespace/name`, column-stored (see the head comment): a Map plus the changes evolve makes. */
export class PodTable implements Map<string, Pod> {
  /** Slots in use, holes included. */
  private count = 0;
  private live = 0;
  private cap: number;
  private readonly dicts: Record<DictField, Dict>;
  private codes: Record<DictField, Uint32Array>;
  private names: LazyStrings;
  private ips: IpColumn;
  private createdAt: Float64Array;
  private startedAt: Float64Array;
  /** 1 for a slot holding a pod, 0 for a hole. */
  private alive: Uint8Array;
  private hashes: Int32Array;
  /** Open addressing over key hashes: slot + 1, 0 free, -1 a deleted entry. */
  private index: Int32Array;
  private indexUsed = 0;
  /** Keys built so far (see key()); a slot keeps its key for life. */
  private keys_: (string | undefined)[] | undefined = undefined;
  /** Pod objects built so far (see pod()). */
  private objs: (Pod | undefined)[];
  /** The hash state after each namespace code's `namespace/`. */
  private nsHashes: number[] = [];
  /** Codes of the phases evolve sets (bind and create alternate: Dict's last-value cache would miss). */
  private pending = 0;
  private running = 0;

  constructor(cap = 1024) {
    this.cap = cap;
    this.dicts = Object.fromEntries(DICT_FIELDS.map((f) => [f, new Dict()])) as Record<DictField, Dict>;
    this.codes = Object.fromEntries(DICT_FIELDS.map((f) => [f, new Uint32Array(cap)])) as Record<DictField, Uint32Array>;
    this.names = new LazyStrings();
    this.ips = new IpColumn(cap);
    this.createdAt = new Float64Array(cap);
    this.startedAt = new Float64Array(cap);
    this.alive = new Uint8Array(cap);
    this.hashes = new Int32Array(cap);
    this.index = new Int32Array(indexSize(cap));
    this.objs = [];
    this.codePhases();
  }

  /** (Re)read the codes of the phases evolve sets, once the phase dictionary is set. */
  private codePhases(): void {
    this.pending = this.dicts.phase.code('Pending');
    this.running = this.dicts.phase.code('Running');
  }

  get size(): number {
    return this.live;
  }

  get [Symbol.toStringTag](): string {
    return 'PodTable';
  }

  // ---- reads by key -------------------------------------------------------------

  /** The slot of `namespace/name`, or -1. */
  find(namespace: string, name: string): number {
    const nc = this.dicts.namespace.find(namespace);
    return nc < 0 ? -1 : this.lookup(nc, name, hashChars(this.nsHashOf(nc), name, 0, name.length));
  }

  /** The slot of a name in a namespace (by code) whose key hashes to `h`, or -1. */
  private lookup(nc: number, name: string, h: number): number {
    const idx = this.index;
    const mask = idx.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = idx[i]!;
      if (e === 0) return -1;
      if (e > 0 && this.hashes[e - 1] === h && this.codes.namespace[e - 1] === nc && this.names.is(e - 1, name)) return e - 1;
    }
  }

  /** The slot of a key `namespace/name`, or -1. */
  slotOf(key: string): number {
    const cut = key.indexOf('/');
    if (cut < 0) return -1;
    return this.find(key.slice(0, cut), key.slice(cut + 1));
  }

  get(key: string): Pod | undefined {
    const s = this.slotOf(key);
    return s < 0 ? undefined : this.pod(s);
  }

  has(key: string): boolean {
    return this.slotOf(key) >= 0;
  }

  // ---- reads by slot ------------------------------------------------------------

  name(slot: number): string {
    return this.names.get(slot)!;
  }

  namespace(slot: number): string {
    return this.dicts.namespace.values[this.codes.namespace[slot]!] as string;
  }

  /** The IP of the pod in a slot (its Pod object's, once built: the same string). */
  ip(slot: number): string | undefined {
    const p = this.objs[slot];
    return p !== undefined ? p.ip : this.ips.get(slot);
  }

  /**
   * The key `namespace/name` of the slot's pod. Built on first use and kept: a consumer
   * that asks for keys (the controllers' index, podIps) asks for every pod's, more than
   * once, and each Map or Set it goes into hashes a kept string only once.
   */
  key(slot: number): string {
    // Sized up front (and on grow): keys are asked for in any order, and a store far past
    // an array's end would turn it into a slow dictionary.
    const keys = (this.keys_ ??= new Array<string | undefined>(this.cap));
    return keys[slot] ?? (keys[slot] = `${this.namespace(slot)}/${this.name(slot)}`);
  }

  owner(slot: number): OwnerRef | undefined {
    return this.dicts.owner.values[this.codes.owner[slot]!] as OwnerRef | undefined;
  }

  /** The pod in a slot, as an object (built once, then cached and kept current). */
  pod(slot: number): Pod {
    return this.objs[slot] ?? (this.objs[slot] = this.build(slot));
  }

  private build(slot: number): Pod {
    const d = this.dicts;
    const c = this.codes;
    const started = this.startedAt[slot]!;
    // Every field spelled out, absent ones as undefined, in one literal: all pods share one
    // hidden class (an object spread gave each pod its own V8 map: slow, megamorphic access).
    return {
      namespace: d.namespace.values[c.namespace[slot]!] as string, name: this.name(slot),
      labels: d.labels.values[c.labels[slot]!] as Pod['labels'], containers: d.containers.values[c.containers[slot]!] as Pod['containers'],
      nodeSelector: d.nodeSelector.values[c.nodeSelector[slot]!] as Pod['nodeSelector'], tolerations: d.tolerations.values[c.tolerations[slot]!] as Pod['tolerations'],
      hostNetwork: d.hostNetwork.values[c.hostNetwork[slot]!] as Pod['hostNetwork'], owner: d.owner.values[c.owner[slot]!] as Pod['owner'],
      targetNode: d.targetNode.values[c.targetNode[slot]!] as Pod['targetNode'], phase: d.phase.values[c.phase[slot]!] as Pod['phase'],
      reason: d.reason.values[c.reason[slot]!] as Pod['reason'], message: d.message.values[c.message[slot]!] as Pod['message'],
      node: d.node.values[c.node[slot]!] as Pod['node'], ip: this.ips.get(slot),
      createdAt: this.createdAt[slot]!, startedAt: Number.isNaN(started) ? undefined : started,
    };
  }

  // ---- iteration (Map order) ----------------------------------------------------

  *slots(): IterableIterator<number> {
    for (let s = 0; s < this.count; s++) if (this.alive[s] === 1) yield s;
  }

  *values(): IterableIterator<Pod> {
    for (let s = 0; s < this.count; s++) if (this.alive[s] === 1) yield this.pod(s);
  }

  *keys(): IterableIterator<string> {
    for (let s = 0; s < this.count; s++) if (this.alive[s] === 1) yield this.key(s);
  }

  *entries(): IterableIterator<[string, Pod]> {
    for (let s = 0; s < this.count; s++) if (this.alive[s] === 1) yield [this.key(s), this.pod(s)];
  }

  [Symbol.iterator](): IterableIterator<[string, Pod]> {
    return this.entries();
  }

  forEach(f: (pod: Pod, key: string, map: Map<string, Pod>) => void, thisArg?: unknown): void {
    for (const [k, p] of this.entries()) f.call(thisArg, p, k, this);
  }

  clear(): void {
    Object.assign(this, new PodTable());
  }

  // ---- changes ------------------------------------------------------------------

  /**
   * Put a pod at its key: a new key takes a new slot at the end, a key already there
   * keeps its slot (Map.set's order). Returns the slot, or -1 - slot when the key was there.
   */
  put(p: Pod): number {
    const r = this.create(p, p.createdAt, -1);
    const slot = r < 0 ? -1 - r : r;
    const c = this.codes;
    const d = this.dicts;
    c.phase[slot] = d.phase.code(p.phase);
    c.reason[slot] = d.reason.code(p.reason);
    c.message[slot] = d.message.code(p.message);
    c.node[slot] = d.node.code(p.node);
    this.ips.set(slot, p.ip);
    this.startedAt[slot] = p.startedAt ?? NaN;
    this.objs[slot] = undefined;
    return r;
  }

  /** Map-compatible set: `key` must be the pod's `namespace/name`. */
  set(key: string, p: Pod): this {
    if (key !== `${p.namespace}/${p.name}`) throw new Error(`pod table: key ${key} is not the pod's namespace/name`);
    const s = this.put(p);
    this.objs[s < 0 ? -1 - s : s] = p;
    return this;
  }

  /** A node and address for a pod: it runs there (PodScheduled). */
  bind(slot: number, node: string, ip: string, time: number): void {
    const d = this.dicts;
    const c = this.codes;
    c.node[slot] = d.node.code(node);
    this.ips.set(slot, ip);
    c.phase[slot] = this.running;
    this.startedAt[slot] = time;
    c.reason[slot] = 0;
    c.message[slot] = 0;
    const p = this.objs[slot];
    if (p !== undefined) { p.node = node; p.ip = ip; p.phase = 'Running'; p.startedAt = time; p.reason = undefined; p.message = undefined; }
  }

  /** Why a pod is not running (PodUnschedulable). */
  unschedulable(slot: number, reason: string, message: string): void {
    this.codes.reason[slot] = this.dicts.reason.code(reason);
    this.codes.message[slot] = this.dicts.message.code(message);
    const p = this.objs[slot];
    if (p !== undefined) { p.reason = reason; p.message = message; }
  }

  /** Delete a pod by key. Returns whether it was there. */
  delete(key: string): boolean {
    const s = this.slotOf(key);
    if (s < 0) return false;
    this.deleteSlot(s);
    return true;
  }

  /**
   * Delete the pod in a slot. Slots are not reused (Map order); when holes outnumber
   * pods the table compacts, which renumbers slots: returns true then, and slots held
   * by the caller are void.
   */
  deleteSlot(slot: number): boolean {
    this.alive[slot] = 0;
    this.live--;
    this.objs[slot] = undefined;
    const idx = this.index;
    const mask = idx.length - 1;
    for (let i = this.hashes[slot]! & mask; ; i = (i + 1) & mask) {
      if (idx[i] === slot + 1) { idx[i] = -1; break; }
    }
    if (this.count - this.live > 1024 && this.count - this.live > this.live) { this.compact(); return true; }
    return false;
  }

  /**
   * Start a pod (PodCreated): Pending, in a new slot, or in its key's slot when the key
   * is taken. Returns the slot, or -1 - slot when the key was there already.
   *
   * A workload's pods are created one after another with the same spec, so a part equal
   * to that of the pod in slot `sibling` (the one created before; same namespace and
   * owner) is stored as its very code: replayed pods share their labels and containers
   * as live ones (stamped from one template) do, and the part is stored once.
   */
  create(p: PodSpec, createdAt: number, sibling: number): number {
    const c = this.codes;
    const d = this.dicts;
    const nc = d.namespace.code(p.namespace);
    const h = hashChars(this.nsHashOf(nc), p.name, 0, p.name.length);
    let slot = this.lookup(nc, p.name, h);
    const fresh = slot < 0;
    if (fresh) slot = this.append(nc, p.name, h);
    const sib = sibling >= 0 && c.namespace[sibling] === nc && sameOwner(d.owner.values[c.owner[sibling]!] as OwnerRef | undefined, p.owner) ? sibling : -1;
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
    c.phase[slot] = this.pending;
    c.reason[slot] = 0;
    c.message[slot] = 0;
    c.node[slot] = 0;
    this.createdAt[slot] = createdAt;
    this.startedAt[slot] = NaN;
    if (!fresh) { this.ips.set(slot, undefined); this.objs[slot] = undefined; }
    return fresh ? slot : -1 - slot;
  }

  /** A new slot at the end for a key not in the table. */
  private append(nc: number, name: string, h: number): number {
    if (this.count === this.cap) this.grow(this.cap * 2);
    const slot = this.count++;
    this.codes.namespace[slot] = nc;
    // Written by index: a restored table's arrays have room past its pods already.
    this.names.set(slot, name);
    this.ips.set(slot, undefined);
    this.objs[slot] = undefined;
    this.alive[slot] = 1;
    this.live++;
    this.hashes[slot] = h;
    this.insertIndex(slot, h);
    return slot;
  }

  private insertIndex(slot: number, h: number): void {
    if ((this.indexUsed + 1) * 2 > this.index.length) { this.rebuildIndex(); return; }
    const idx = this.index;
    const mask = idx.length - 1;
    let i = h & mask;
    while (idx[i] !== 0) i = (i + 1) & mask;
    idx[i] = slot + 1;
    this.indexUsed++;
  }

  /** The index of every live slot, sized for the table's capacity (drops deleted entries). */
  private rebuildIndex(): void {
    const idx = this.index = new Int32Array(indexSize(Math.max(this.cap, this.live * 2)));
    const mask = idx.length - 1;
    for (let s = 0; s < this.count; s++) {
      if (this.alive[s] !== 1) continue;
      let i = this.hashes[s]! & mask;
      while (idx[i] !== 0) i = (i + 1) & mask;
      idx[i] = s + 1;
    }
    this.indexUsed = this.live;
  }

  private nsHashOf(code: number): number {
    return this.nsHashes[code] ?? (this.nsHashes[code] = nsHash(this.dicts.namespace.values[code] as string));
  }

  private grow(cap: number): void {
    const n = this.count;
    for (const f of DICT_FIELDS) { const a = new Uint32Array(cap); a.set(this.codes[f].subarray(0, n)); this.codes[f] = a; }
    const f64 = (x: Float64Array) => { const a = new Float64Array(cap); a.set(x.subarray(0, n)); return a; };
    this.createdAt = f64(this.createdAt);
    this.startedAt = f64(this.startedAt);
    const alive = new Uint8Array(cap); alive.set(this.alive.subarray(0, n)); this.alive = alive;
    const hashes = new Int32Array(cap); hashes.set(this.hashes.subarray(0, n)); this.hashes = hashes;
    this.ips.grow(cap, n);
    if (this.keys_) { const keys = new Array<string | undefined>(cap); for (let i = 0; i < n; i++) keys[i] = this.keys_[i]; this.keys_ = keys; }
    this.cap = cap;
  }

  /** Drop the holes: live slots move down, in order. */
  private compact(): void {
    const live = [...this.slots()];
    const t = PodTable.restore(this.toSnapshot(live));
    Object.assign(this, t);
    this.keys_ = undefined;
  }

  // ---- snapshots ----------------------------------------------------------------

  /** The live pods as plain data, column by column (codes renumbered in slot order). */
  toSnapshot(slots: ArrayLike<number> = [...this.slots()]): PodTableSnapshot {
    const n = slots.length;
    const dicts = {} as PodTableSnapshot['dicts'];
    for (const f of DICT_FIELDS) {
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
      dicts[f] = { values, width, codes: width === 1 ? new Uint8Array(codes) : width === 2 ? bytesOf(new Uint16Array(codes)) : bytesOf(codes) };
    }
    const createdAt = new Float64Array(n);
    const startedAt = new Float64Array(n);
    for (let i = 0; i < n; i++) { createdAt[i] = this.createdAt[slots[i]!]!; startedAt[i] = this.startedAt[slots[i]!]!; }
    return {
      count: n, littleEndian: LITTLE_ENDIAN, dicts,
      names: LazyStrings.join(this.names, slots), ips: this.ips.toSnapshot(slots),
      createdAt: bytesOf(createdAt), startedAt: bytesOf(startedAt),
    };
  }

  /** A table from toSnapshot's data. Throws when it is malformed (the snapshot is then ignored). */
  static restore(snap: PodTableSnapshot): PodTable {
    const n = snap.count;
    if (!Number.isSafeInteger(n) || n < 0) throw new Error('pod table snapshot: bad count');
    if (snap.littleEndian !== LITTLE_ENDIAN) throw new Error('pod table snapshot: written on a host of the other byte order');
    // Room for the pods of a snapshot's tail of events: growing copies every column.
    const cap = n + Math.max(1024, n >> 2);
    const t = new PodTable(cap);
    for (const f of DICT_FIELDS) {
      const { values, width, codes } = snap.dicts[f];
      const d = t.dicts[f] = Dict.of(values);
      if (width !== 1 && width !== 2 && width !== 4) throw new Error('pod table snapshot: bad code width');
      const c = width === 1 ? codes : width === 2 ? u16Of(codes, n) : u32Of(codes, n);
      if (c.length !== n) throw new Error('pod table snapshot: a column has the wrong length');
      t.codes[f].set(c);
      if (maxOf(t.codes[f], n) >= d.values.length) throw new Error('pod table snapshot: code out of range');
    }
    t.codePhases();
    t.names = LazyStrings.restore(snap.names, n, cap);
    t.ips = IpColumn.restore(snap.ips, n, cap);
    t.createdAt.set(f64Of(snap.createdAt, n));
    t.startedAt.set(f64Of(snap.startedAt, n));
    t.alive.fill(1, 0, n);
    t.objs = new Array<Pod | undefined>(cap);
    t.count = t.live = n;
    const nsCodes = t.codes.namespace;
    const nsHashes = t.dicts.namespace.values.map((_, c) => (c === 0 ? 0 : t.nsHashOf(c)));
    t.names.hashRestored(t.hashes, nsCodes, nsHashes);
    t.rebuildIndex();
    return t;
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

/** A power of two at least twice `n`. */
function indexSize(n: number): number {
  let size = 16;
  while (size < 2 * n) size *= 2;
  return size;
}
