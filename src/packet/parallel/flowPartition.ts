// Which worker owns a flow. A flow is (spec's from, to, port, proto, flow number): the
// same traffic sent again is the same connections, so it must reach the same worker
// and find its conntrack entries there. FNV-1a over the spec, mixed with the flow
// number by murmur3's finalizer, so consecutive flows spread evenly.
import type { TrafficSpec } from '../BulkForwarder.js';

/** The identity of a spec's flows (flow numbers are added to it). */
export function specKey(spec: TrafficSpec): string {
  return `${spec.from}|${spec.to}|${spec.port}|${spec.proto}`;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The flow numbers of `spec` that partition `part` of `parts` owns, ascending. */
export function flowsOf(spec: TrafficSpec, part: number, parts: number): Uint32Array {
  if (parts <= 1) return Uint32Array.from({ length: spec.flows }, (_, i) => i);
  const h = fnv1a(specKey(spec));
  const out: number[] = [];
  for (let f = 0; f < spec.flows; f++) if (fmix32(h ^ Math.imul(f + 1, 0x9e3779b1)) % parts === part) out.push(f);
  return Uint32Array.from(out);
}
