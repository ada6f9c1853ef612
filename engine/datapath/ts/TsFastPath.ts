// The TypeScript twin of assembly/fastpath/: the established-flow fast path (a
// conntrack hit, its NAT rewrite, the LPM next hop in the node's table and the
// next-stage decision in one call per vector), built on the same two batched kernels
// as the WASM module so it cannot drift from them. See the WASM files for the layout
// of the next-hop word (next | node << 8), the route cache and the trade-offs.
import {
  CT_MAX_ZONES, FLAG_CT_REPLY, LEARN_IGNORED, LEARN_MOVED, LEARN_NEW, LPM_MAX_TABLES, LPM_MISS, PORT_FLOOD, R_LEARN_MOVED, VEC_MAX,
} from '../../../assembly/shared/vector.js';
import { ARP_FAILED, NODE_DOWN } from '../../../assembly/shared/drop.js';
import {
  FAST_MAX_ROUTES, FAST_ROUTE_CACHE, NEXT_BRIDGE, NEXT_LOCAL, NEXT_MOVED, NEXT_NODE, NEXT_SLOW, FP_FORWARD, FP_ZONE_FROM_LOC,
  R_DELIVERED, R_FLOODED, R_LEFT, R_MISSES, R_MOVED, R_NO_ROUTE, R_NO_ZONE, R_REPLIES, R_TX_BRIDGED, R_TX_DROPS, R_TX_FRAMES,
} from '../../../assembly/shared/fastpath.js';
import { PHASE_BRIDGED, PHASE_FROM_NODE, PHASE_FROM_POD, PIPE_DONE, PIPE_MAX_PATH, VERDICT_DELIVERED_POD, VERDICT_DROPPED } from '../../../assembly/shared/pipeline.js';
import { IpIndex } from '../IpIndex.js';
import type { PacketVector } from '../PacketVector.js';

/** The batched kernels the fast path composes. */
export interface FastPathKernels {
  ctLookup(v: PacketVector, n: number, now: number): void;
  lpmLookup(v: PacketVector, n: number): void;
  /** The bridge's forwarding decision for one MAC (fdbLookup's, for one packet). */
  fdbPort(bridge: number, hi: number, lo: number, now: number, ageMs: number): number;
  /** Learn one source MAC (fdbLearn's, for one packet): LEARN_*. */
  fdbLearnOne(bridge: number, hi: number, lo: number, port: number, now: number): number;
}

/** Next-hop table, per-zone local addresses and the fast-path kernel over one vector. */
export class TsFastPath {
  private routeNext = new Uint32Array(0);
  /** Per zone: node IP, bridge IP, bridge id, pods' MAC high word. */
  private readonly locals = new Uint32Array(CT_MAX_ZONES * 4);
  /** Per zone: 1 when the node is ready. */
  private readonly ready = new Uint8Array(CT_MAX_ZONES);
  /** Per zone: pod CIDR base and mask, the gateway MAC high and low words (fastPathSetPodNet). */
  private readonly podNet = new Uint32Array(CT_MAX_ZONES * 4);
  /** Pod IP -> node (fastPathSetPod). */
  private pods = new IpIndex();
  private readonly saved = new Uint32Array(VEC_MAX * 3);
  /** Route cache, four words per entry: generation, table << 8 | prefix length byte, destination, route value. */
  private readonly routeCache = new Uint32Array(FAST_ROUTE_CACHE * 4);
  private routeGen = 1;
  /** Hits finished with no route in the current run (R_NO_ROUTE). */
  private noRoutes = 0;
  /** Hits FP_FORWARD moved on, delivered, and of those flooded, in the current run. */
  private moved = 0;
  private delivered = 0;
  private flooded = 0;
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
  setNode(zone: number, ip0: number, ip1: number, bridge: number, podMacHi: number, ready: boolean): void {
    zone >>>= 0;
    if (zone >= CT_MAX_ZONES) return;
    this.ready[zone] = ready ? 1 : 0;
    this.locals[zone * 4] = ip0;
    this.locals[zone * 4 + 1] = ip1;
    this.locals[zone * 4 + 2] = bridge;
    this.locals[zone * 4 + 3] = podMacHi;
  }

  /** See Datapath.fastPathClear. */
  clear(): void {
    this.routeNext.fill(0);
    this.locals.fill(0);
    this.ready.fill(0);
    this.podNet.fill(0);
    this.pods.clear();
  }

  /** See Datapath.fastPathSetPodNet. */
  setPodNet(zone: number, cidrBase: number, cidrMask: number, gwMacHi: number, gwMacLo: number): void {
    zone >>>= 0;
    if (zone >= CT_MAX_ZONES) return;
    const p = this.podNet, z = zone * 4;
    p[z] = cidrBase; p[z + 1] = cidrMask; p[z + 2] = gwMacHi; p[z + 3] = gwMacLo;
  }

  /** See Datapath.fastPathPodTx (assembly/fastpath/podTx.ts). */
  podTx(v: PacketVector, k: FastPathKernels, n: number, now: number): number {
    const drop = v.drop, phase = v.phase, loc = v.loc, table = v.table, srcIp = v.srcIp, dstIp = v.dstIp, inPort = v.inPort, result = v.result;
    const srcMacHi = v.srcMacHi, srcMacLo = v.srcMacLo, dstMacHi = v.dstMacHi, dstMacLo = v.dstMacLo, verdict = v.verdict;
    const locals = this.locals, ready = this.ready, net = this.podNet, pods = this.pods;
    let added = 0, moved = 0, frames = 0, bridged = 0, drops = 0;
    for (let i = 0; i < n; i++) {
      table[i] = 0;
      let learned = LEARN_IGNORED, frame = false;
      if (drop[i] === 0 && phase[i] === PHASE_FROM_POD) {
        const node = loc[i]! >>> 0;
        let code = 0;
        if (node >= CT_MAX_ZONES || ready[node] === 0) code = NODE_DOWN;
        else {
          const src = srcIp[i]!, dst = dstIp[i]!, hi = locals[node * 4 + 3]!, bridge = locals[node * 4 + 2]!, z = node * 4;
          const onLink = bridge !== 0 && ((dst & net[z + 1]!) >>> 0) === net[z] && dst !== locals[node * 4 + 1];
          dstMacHi[i] = onLink ? hi : net[z + 2]!; dstMacLo[i] = onLink ? dst : net[z + 3]!;
          if (onLink && pods.get(dst) !== node) code = ARP_FAILED;
          else if (bridge !== 0) {
            table[i] = bridge; srcMacHi[i] = hi; srcMacLo[i] = src;
            learned = k.fdbLearnOne(bridge, hi, src, inPort[i]!, now);
            frame = true;
            frames++;
            if (onLink) bridged++;
          }
        }
        if (code !== 0) { drop[i] = code; verdict[i] = VERDICT_DROPPED; drops++; }
      }
      if (!frame) { srcMacHi[i] = 0xffff; srcMacLo[i] = 0xffffffff; }
      result[i] = learned;
      if (learned === LEARN_NEW) added++;
      else if (learned === LEARN_MOVED) moved++;
    }
    const r = v.report;
    r[R_LEARN_MOVED] = moved; r[R_TX_FRAMES] = frames; r[R_TX_BRIDGED] = bridged; r[R_TX_DROPS] = drops;
    return added;
  }

  /** See Datapath.fastPathSetPod. */
  setPod(ip: number, node: number): void { this.pods.set(ip, node); }

  /** A route table changed: every cached route is stale (see assembly/fastpath/established.ts). */
  routesChanged(): void { this.routeGen = (this.routeGen + 1) >>> 0; }

  /** Write hit i's outputs for route value `route` (prefix length `len`) in `zone`; with `forward` (FP_FORWARD), finish it (forwardHit). */
  private finish(v: PacketVector, k: FastPathKernels, i: number, zone: number, route: number, len: number, now: number, ageMs: number, forward: boolean): void {
    if (route === 0) this.noRoutes++;
    v.route[i] = route; v.routeLen[i] = len;
    const d = v.dstIp[i]!, locals = this.locals, rn = this.routeNext;
    const a = locals[zone * 4]!, b = locals[zone * 4 + 1]!;
    let w: number;
    if ((a !== 0 && a === d) || (b !== 0 && b === d)) w = NEXT_LOCAL;
    else w = route < rn.length ? rn[route]! : NEXT_SLOW;
    v.next[i] = w & 255; v.nextNode[i] = w >>> 8;
    if ((w & 255) === NEXT_BRIDGE) v.outPort[i] = k.fdbPort(locals[zone * 4 + 2]!, locals[zone * 4 + 3]!, d, now, ageMs);
    if (forward && v.phase[i] !== PHASE_BRIDGED) this.forwardHit(v, i, w, d);
  }

  /** FP_FORWARD for hit i, as assembly/fastpath/established.ts forwardHit: finish it as the forward stage would on its own. */
  private forwardHit(v: PacketVector, i: number, w: number, dst: number): void {
    if ((w & 255) === NEXT_NODE) {
      const to = w >>> 8, t = v.ttl[i]!;
      if (t > 1 && to < CT_MAX_ZONES && this.ready[to] !== 0) {
        v.ttl[i] = t - 1; v.loc[i] = to; v.phase[i] = PHASE_FROM_NODE; v.masq[i] = 0; // the skb mark (0x4000) does not cross the wire
        const k = v.pathLen[i]!;
        if (k < PIPE_MAX_PATH) { v.path[i * PIPE_MAX_PATH + k] = to; v.pathLen[i] = k + 1; }
        v.next[i] = NEXT_MOVED; this.moved++;
      }
    } else if (w === NEXT_BRIDGE && this.pods.get(dst) === v.loc[i]) {
      if (v.outPort[i] === PORT_FLOOD) this.flooded++;
      v.verdict[i] = VERDICT_DELIVERED_POD; v.drop[i] = PIPE_DONE; this.delivered++;
    }
  }

  /** See Datapath.fastPath. */
  run(v: PacketVector, k: FastPathKernels, n: number, now: number, tableBias: number, ageMs: number, mode: number): number {
    const table = v.table, result = v.result, drop = v.drop, flags = v.flags, dst = v.dstIp;
    if ((mode & FP_ZONE_FROM_LOC) !== 0) { const loc = v.loc; for (let i = 0; i < n; i++) if (drop[i] === 0) table[i] = loc[i]!; }
    k.ctLookup(v, n, now);
    const fRoute = v.route, fLen = v.routeLen, fNext = v.next, fNode = v.nextNode;
    const rc = this.routeCache, gen = this.routeGen, need = this.need, forward = (mode & FP_FORWARD) !== 0;
    let hits = 0, needed = 0, misses = 0, noZone = 0, replies = 0, live = 0;
    this.noRoutes = 0; this.moved = 0; this.delivered = 0; this.flooded = 0;
    need.fill(0, 0, n);
    for (let i = 0; i < n; i++) {
      const zone = table[i]!, id = result[i]!, t = (zone + tableBias) >>> 0;
      if (drop[i] !== 0 || zone >= CT_MAX_ZONES || id === 0 || t === 0 || t >= LPM_MAX_TABLES) { // t 0 is no table: lpmLookup's miss
        fRoute[i] = 0; fLen[i] = LPM_MISS; fNext[i] = NEXT_SLOW; fNode[i] = 0;
        if (drop[i] !== 0) continue;
        live++;
        if (zone >= CT_MAX_ZONES) noZone++;
        else if (id === 0) misses++;
        else if (t === 0) { hits++; replies += flags[i]! & FLAG_CT_REPLY; this.noRoutes++; }
        continue;
      }
      live++; hits++;
      const reply = flags[i]! & FLAG_CT_REPLY;
      replies += reply;
      const c = ((((id << 1) | reply) & (FAST_ROUTE_CACHE - 1)) << 2) >>> 0;
      const tl = rc[c + 1]!;
      if (rc[c] === gen && tl >>> 8 === t && rc[c + 2] === dst[i]) {
        const l = tl & 255;
        this.finish(v, k, i, zone, rc[c + 3]!, l === 255 ? LPM_MISS : l, now, ageMs, forward);
      } else { need[i] = c + 1; needed++; }
    }
    if (needed !== 0) this.routeMisses(v, k, n, now, tableBias, ageMs, forward);
    const r = v.report;
    r[R_MISSES] = misses; r[R_NO_ZONE] = noZone; r[R_REPLIES] = replies; r[R_NO_ROUTE] = this.noRoutes;
    if (forward) { r[R_MOVED] = this.moved; r[R_DELIVERED] = this.delivered; r[R_FLOODED] = this.flooded; r[R_LEFT] = live - this.moved - this.delivered; }
    return hits;
  }

  /** The hits run found no cached route for (need[i] = cache word + 1): one LPM call, cache the answers, finish them. */
  private routeMisses(v: PacketVector, k: FastPathKernels, n: number, now: number, tableBias: number, ageMs: number, forward: boolean): void {
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
      this.finish(v, k, i, zone, route, len, now, ageMs, forward);
    }
  }
}
