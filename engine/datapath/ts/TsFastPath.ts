// The TypeScript twin of assembly/fastpath.ts: the established-flow fast path (a
// conntrack hit, its NAT rewrite, the LPM next hop in the node's table and the
// next-stage decision in one call per vector), built on the same two batched kernels
// as the WASM module so it cannot drift from them. See the WASM file for the layout
// of the next-hop word (next | node << 8) and the trade-offs.
import { CT_MAX_ZONES, LPM_MAX_TABLES, LPM_MISS, VEC_MAX } from '../../../assembly/shared/vector.js';
import { FAST_MAX_ROUTES, NEXT_BRIDGE, NEXT_LOCAL, NEXT_SLOW } from '../../../assembly/shared/fastpath.js';
import type { PacketVector } from '../PacketVector.js';

/** The batched kernels the fast path composes. */
export interface FastPathKernels {
  ctLookup(v: PacketVector, n: number, now: number): void;
  lpmLookup(v: PacketVector, n: number): void;
  /** The bridge's forwarding decision for one MAC (fdbLookup's, for one packet). */
  fdbPort(bridge: number, hi: number, lo: number, now: number, ageMs: number): number;
}

/** Next-hop table, per-zone local addresses and the fast-path kernel over one vector. */
export class TsFastPath {
  private routeNext = new Uint32Array(0);
  /** Per zone: node IP, bridge IP, bridge id, pods' MAC high word. */
  private readonly locals = new Uint32Array(CT_MAX_ZONES * 4);
  private readonly saved = new Uint32Array(VEC_MAX * 3);

  /** See Datapath.fastPathSetRoute. */
  setRoute(route: number, next: number, node: number): void {
    route >>>= 0;
    if (route >= FAST_MAX_ROUTES) return;
    if (route >= this.routeNext.length) {
      let c = this.routeNext.length === 0 ? 1024 : this.routeNext.length;
      while (c <= route) c *= 2;
      const t = new Uint32Array(c);
      t.set(this.routeNext);
      this.routeNext = t;
    }
    this.routeNext[route] = ((next & 255) | (node << 8)) >>> 0;
  }

  /** See Datapath.fastPathSetNode. */
  setNode(zone: number, ip0: number, ip1: number, bridge: number, podMacHi: number): void {
    zone >>>= 0;
    if (zone >= CT_MAX_ZONES) return;
    this.locals[zone * 4] = ip0;
    this.locals[zone * 4 + 1] = ip1;
    this.locals[zone * 4 + 2] = bridge;
    this.locals[zone * 4 + 3] = podMacHi;
  }

  /** See Datapath.fastPathClear. */
  clear(): void {
    this.routeNext.fill(0);
    this.locals.fill(0);
  }

  /** See Datapath.fastPath. */
  run(v: PacketVector, k: FastPathKernels, n: number, now: number, tableBias: number, ageMs: number): number {
    k.ctLookup(v, n, now);
    const s = this.saved, table = v.table, result = v.result, result2 = v.result2, drop = v.drop;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const zone = table[i]!, id = result[i]!;
      s[i] = id; s[VEC_MAX + i] = result2[i]!; s[2 * VEC_MAX + i] = zone;
      const t = (zone + tableBias) >>> 0;
      const hit = drop[i] === 0 && id !== 0 && zone < CT_MAX_ZONES && t < LPM_MAX_TABLES;
      table[i] = hit ? t : 0;
      if (hit) hits++;
    }
    if (hits !== 0) k.lpmLookup(v, n);
    const rn = this.routeNext, locals = this.locals, dst = v.dstIp;
    const fRoute = v.route, fLen = v.routeLen, fNext = v.next, fNode = v.nextNode, outPort = v.outPort;
    for (let i = 0; i < n; i++) {
      const zone = s[2 * VEC_MAX + i]!;
      const hit = hits !== 0 && table[i] !== 0;
      const route = hit ? result[i]! : 0;
      fRoute[i] = route;
      fLen[i] = hit ? result2[i]! : LPM_MISS;
      result[i] = s[i]!; result2[i] = s[VEC_MAX + i]!; table[i] = zone;
      let w = NEXT_SLOW;
      if (hit) {
        const d = dst[i]!, a = locals[zone * 4]!, b = locals[zone * 4 + 1]!;
        if ((a !== 0 && a === d) || (b !== 0 && b === d)) w = NEXT_LOCAL;
        else w = route < rn.length ? rn[route]! : NEXT_SLOW;
        if ((w & 255) === NEXT_BRIDGE) outPort[i] = k.fdbPort(locals[zone * 4 + 2]!, locals[zone * 4 + 3]!, d, now, ageMs);
      }
      fNext[i] = w & 255;
      fNode[i] = w >>> 8;
    }
    return hits;
  }
}
