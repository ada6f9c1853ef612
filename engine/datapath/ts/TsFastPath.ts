// The TypeScript twin of assembly/fastpath.ts: the established-flow fast path (a
// conntrack hit, its NAT rewrite, the LPM next hop in the node's table and the
// next-stage decision in one call per vector), built on the same two batched kernels
// as the WASM module so it cannot drift from them. See the WASM file for the layout
// of the next-hop word (next | node << 8), the route cache and the trade-offs.
import { CT_MAX_ZONES, FLAG_CT_REPLY, LPM_MAX_TABLES, LPM_MISS, VEC_MAX } from '../../../assembly/shared/vector.js';
import { FAST_MAX_ROUTES, FAST_ROUTE_CACHE, NEXT_BRIDGE, NEXT_LOCAL, NEXT_SLOW } from '../../../assembly/shared/fastpath.js';
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
  /** Route cache, four words per entry: generation, table << 8 | prefix length byte, destination, route value. */
  private readonly routeCache = new Uint32Array(FAST_ROUTE_CACHE * 4);
  private routeGen = 1;
  /** Per packet: 1 + the cache word of a hit that missed the cache, 0 otherwise. */
  private readonly need = new Uint32Array(VEC_MAX);

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

  /** A route table changed: every cached route is stale (see assembly/fastpath.ts). */
  routesChanged(): void { this.routeGen = (this.routeGen + 1) >>> 0; }

  /** Write hit i's outputs for route value `route` (prefix length `len`) in `zone`. */
  private finish(v: PacketVector, k: FastPathKernels, i: number, zone: number, route: number, len: number, now: number, ageMs: number): void {
    v.route[i] = route; v.routeLen[i] = len;
    const d = v.dstIp[i]!, locals = this.locals, rn = this.routeNext;
    const a = locals[zone * 4]!, b = locals[zone * 4 + 1]!;
    let w: number;
    if ((a !== 0 && a === d) || (b !== 0 && b === d)) w = NEXT_LOCAL;
    else w = route < rn.length ? rn[route]! : NEXT_SLOW;
    v.next[i] = w & 255; v.nextNode[i] = w >>> 8;
    if ((w & 255) === NEXT_BRIDGE) v.outPort[i] = k.fdbPort(locals[zone * 4 + 2]!, locals[zone * 4 + 3]!, d, now, ageMs);
  }

  /** See Datapath.fastPath. */
  run(v: PacketVector, k: FastPathKernels, n: number, now: number, tableBias: number, ageMs: number): number {
    k.ctLookup(v, n, now);
    const table = v.table, result = v.result, drop = v.drop, flags = v.flags, dst = v.dstIp;
    const fRoute = v.route, fLen = v.routeLen, fNext = v.next, fNode = v.nextNode;
    const rc = this.routeCache, gen = this.routeGen, need = this.need;
    let hits = 0, needed = 0;
    for (let i = 0; i < n; i++) {
      const zone = table[i]!, id = result[i]!;
      const t = (zone + tableBias) >>> 0;
      const hit = drop[i] === 0 && id !== 0 && zone < CT_MAX_ZONES && t < LPM_MAX_TABLES;
      need[i] = 0;
      if (hit) hits++;
      if (!hit || t === 0) { fRoute[i] = 0; fLen[i] = LPM_MISS; fNext[i] = NEXT_SLOW; fNode[i] = 0; continue; } // table 0: lpmLookup's miss
      const c = ((((id << 1) | (flags[i]! & FLAG_CT_REPLY)) & (FAST_ROUTE_CACHE - 1)) << 2) >>> 0;
      const tl = rc[c + 1]!;
      if (rc[c] === gen && tl >>> 8 === t && rc[c + 2] === dst[i]) {
        const l = tl & 255;
        this.finish(v, k, i, zone, rc[c + 3]!, l === 255 ? LPM_MISS : l, now, ageMs);
      } else { need[i] = c + 1; needed++; }
    }
    if (needed !== 0) this.routeMisses(v, k, n, now, tableBias, ageMs);
    return hits;
  }

  /** The hits run found no cached route for (need[i] = cache word + 1): one LPM call, cache the answers, finish them. */
  private routeMisses(v: PacketVector, k: FastPathKernels, n: number, now: number, tableBias: number, ageMs: number): void {
    const s = this.saved, need = this.need, rc = this.routeCache, gen = this.routeGen;
    const table = v.table, result = v.result, result2 = v.result2, dst = v.dstIp;
    for (let i = 0; i < n; i++) {
      const zone = table[i]!;
      s[i] = result[i]!; s[VEC_MAX + i] = result2[i]!; s[2 * VEC_MAX + i] = zone;
      table[i] = need[i] !== 0 ? (zone + tableBias) >>> 0 : 0;
    }
    k.lpmLookup(v, n);
    for (let i = 0; i < n; i++) {
      const t = table[i]!, route = result[i]!, len = result2[i]!, zone = s[2 * VEC_MAX + i]!;
      result[i] = s[i]!; result2[i] = s[VEC_MAX + i]!; table[i] = zone;
      const c1 = need[i]!;
      if (c1 === 0) continue;
      const c = c1 - 1;
      rc[c] = gen; rc[c + 1] = ((t << 8) | (len & 255)) >>> 0; rc[c + 2] = dst[i]!; rc[c + 3] = route;
      this.finish(v, k, i, zone, route, len, now, ageMs);
    }
  }
}
