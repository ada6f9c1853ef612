// Differential property test of the established-flow fast path: random route tables
// (a base and derived per-zone tables), next hops, zone addresses and connections,
// then random vectors through Datapath.fastPath. Both backends must leave identical
// vectors and return values, and each must equal its own reference: ctLookup, then
// lpmLookup of the hits in table zone + bias, then the next-hop table by hand, and for
// hits sent to the bridge the zone's bridge's FDB answer (learned ports, ageing) by hand.
// Routes change between vectors, so a cached route that outlived its table shows.
// With FP_ZONE_FROM_LOC | FP_FORWARD (the pipeline without a trace) the kernel also
// finishes hits; the reference does the forward stage's two common cases by hand.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createDatapath, FLAG_CT_REPLY, FP_FORWARD, FP_ZONE_FROM_LOC, LPM_MISS, NEXT_BRIDGE, NEXT_LOCAL, NEXT_MOVED, NEXT_NODE, NEXT_SLOW, PHASE_BRIDGED,
  PHASE_FROM_NODE, PHASE_FROM_POD, PIPE_DONE, PIPE_MAX_PATH, PORT_FLOOD, R_DELIVERED, R_FLOODED, R_LEFT, R_MISSES, R_MOVED, R_NO_ROUTE, R_NO_ZONE,
  R_REPLIES, VERDICT_DELIVERED_POD, type Datapath,
} from '../../../engine/datapath/index.js';
import { fuzzRuns } from '../../support/fuzz.js';

const BIAS = 2;
const ZONES = [0, 1, 2];
/** Zone z's bridge is FDB table z + 1, its pods' MACs 0a:58 + IP; entries learned at 0 age out after AGE ms. */
const POD_HI = 0x0a58, AGE = 2500;
const host = fc.constantFrom(0x0a000001, 0x0a000102, 0x0a000203, 0x0a600001, 0xac100002, 0x08080808);
const route = fc.record({
  table: fc.constantFrom(1, 2, 3, 4), prefix: fc.constantFrom(0, 0x0a000000, 0x0a000100, 0x0a000200, 0xac100000, 0x0a600000),
  len: fc.constantFrom(0, 8, 16, 24, 32), value: fc.integer({ min: 1, max: 12 }),
});
const hop = fc.record({ route: fc.integer({ min: 0, max: 14 }), next: fc.integer({ min: 0, max: 5 }), node: fc.integer({ min: 0, max: 4 }) });
interface Pkt { zone: number; proto: number; src: number; dst: number; sport: number; dport: number; dnat: number; snat: number; drop: number; l4: number }
const pkt: fc.Arbitrary<Pkt> = fc.record({
  zone: fc.constantFrom(0, 1, 2, 0xffffffff), proto: fc.constantFrom(6, 17), src: host, dst: host,
  sport: fc.constantFrom(1000, 1001), dport: fc.constantFrom(80, 53), dnat: fc.constantFrom(0, 0x0a000102, 0x0a000203),
  snat: fc.constantFrom(0, 0xac100002), drop: fc.constantFrom(0, 0, 0, 9), l4: fc.constantFrom(0x02, 0x10, 0x12),
});
const world = fc.record({
  routes: fc.array(route, { maxLength: 14 }), hops: fc.array(hop, { maxLength: 10 }),
  locals: fc.array(fc.tuple(fc.constantFrom(...ZONES), host, fc.constantFrom(0, 0x0a000001)), { maxLength: 3 }),
  fdb: fc.array(fc.tuple(fc.constantFrom(...ZONES), host, fc.integer({ min: 1, max: 5 })), { maxLength: 6 }),
  conns: fc.array(pkt, { maxLength: 24 }), vectors: fc.array(fc.array(pkt, { minLength: 1, maxLength: 24 }), { minLength: 1, maxLength: 4 }),
  /** After vector k: add (or replace) a route, or delete one of the world's routes. */
  changes: fc.array(fc.oneof(route.map((r) => ({ del: false, r })), route.map((r) => ({ del: true, r }))), { minLength: 4, maxLength: 4 }),
});
type World = typeof world extends fc.Arbitrary<infer W> ? W : never;

function load(dp: Datapath, pkts: Pkt[]): void {
  const v = dp.vec;
  pkts.forEach((p, i) => {
    v.table[i] = p.zone; v.proto[i] = p.proto; v.srcIp[i] = p.src; v.dstIp[i] = p.dst; v.srcPort[i] = p.sport; v.dstPort[i] = p.dport;
    v.l4Flags[i] = p.l4; v.dnatIp[i] = p.dnat; v.dnatPort[i] = 8080; v.snatIp[i] = p.snat; v.drop[i] = p.drop; v.flags[i] = 0;
  });
}

/** A datapath with w's tables and connections (zones in `down` not ready); the same on every backend. */
function build(backend: 'wasm' | 'ts', w: World, down: number[] = []): Datapath {
  const dp = createDatapath(backend);
  dp.lpmCreateTable(1, 'wide');
  for (const z of ZONES) dp.lpmDeriveTable(z + BIAS, 1);
  for (const r of w.routes) dp.lpmInsert(r.table, r.len === 0 ? 0 : r.prefix, r.len, r.value);
  for (const h of w.hops) dp.fastPathSetRoute(h.route, h.next, h.node);
  for (const z of ZONES) dp.fastPathSetNode(z, 0, 0, z + 1, POD_HI, !down.includes(z));
  for (const [z, a, b] of w.locals) dp.fastPathSetNode(z, a, b, z + 1, POD_HI, !down.includes(z));
  w.fdb.forEach(([z, h, port], i) => { const v = dp.vec; v.table[i] = z + 1; v.srcMacHi[i] = POD_HI; v.srcMacLo[i] = h; v.inPort[i] = port; });
  dp.fdbLearn(w.fdb.length, 0);
  load(dp, w.conns.map((p) => ({ ...p, drop: 0, zone: p.zone & 3 })));
  dp.ctInsert(w.conns.length, 0);
  return dp;
}

/** What fastPath must produce, from the separate kernels and the world's tables (`hops` programmed after the world's). */
function reference(dp: Datapath, w: World, n: number, now: number, hops: World['hops'] = []): number {
  const v = dp.vec;
  const zones = Array.from(v.table.subarray(0, n)), drop = Array.from(v.drop.subarray(0, n));
  dp.ctLookup(n, now);
  const vv = dp.vec;
  const ct = Array.from({ length: n }, (_, i) => [vv.result[i]!, vv.result2[i]!] as const);
  const hit = ct.map(([id], i) => drop[i] === 0 && id !== 0 && zones[i]! < 65536);
  for (let i = 0; i < n; i++) vv.table[i] = hit[i] ? zones[i]! + BIAS : 0;
  dp.lpmLookup(n);
  const hopOf = new Map<number, number>();
  for (const h of [...w.hops, ...hops]) hopOf.set(h.route, (h.next & 255) | (h.node << 8));
  const local = new Map<number, [number, number]>();
  for (const [z, a, b] of w.locals) local.set(z, [a, b]);
  const fdb = new Map<string, number>(); // the last learn of a MAC wins (a station move)
  for (const [z, h, port] of w.fdb) fdb.set(`${z}/${h}`, port);
  let hits = 0, misses = 0, noZone = 0, replies = 0, noRoute = 0;
  for (let i = 0; i < n; i++) {
    const route = hit[i] ? vv.result[i]! : 0, len = hit[i] ? vv.result2[i]! : LPM_MISS;
    if (drop[i] === 0 && zones[i]! >= 65536) noZone++;
    if (drop[i] === 0 && zones[i]! < 65536 && ct[i]![0] === 0) misses++;
    if (hit[i] && (vv.flags[i]! & FLAG_CT_REPLY) !== 0) replies++;
    if (hit[i] && route === 0) noRoute++;
    vv.result[i] = ct[i]![0]; vv.result2[i] = ct[i]![1]; vv.table[i] = zones[i]!;
    vv.route[i] = route; vv.routeLen[i] = len;
    let word = NEXT_SLOW;
    if (hit[i]) {
      hits++;
      const l = local.get(zones[i]!), d = vv.dstIp[i]!;
      word = l && ((l[0] !== 0 && l[0] === d) || (l[1] !== 0 && l[1] === d)) ? NEXT_LOCAL : hopOf.get(route) ?? NEXT_SLOW;
      if ((word & 255) === NEXT_BRIDGE) {
        const port = now <= AGE ? fdb.get(`${zones[i]}/${d}`) : undefined;
        vv.outPort[i] = port ?? PORT_FLOOD;
      }
    }
    vv.next[i] = word & 255; vv.nextNode[i] = word >>> 8;
  }
  vv.report[R_MISSES] = misses; vv.report[R_NO_ZONE] = noZone; vv.report[R_REPLIES] = replies; vv.report[R_NO_ROUTE] = noRoute;
  return hits;
}

/** The pipeline state of a packet (the vector's loc, phase, ttl and path columns). */
const pipe = fc.record({ phase: fc.constantFrom(PHASE_FROM_POD, PHASE_FROM_NODE, PHASE_BRIDGED), ttl: fc.constantFrom(1, 2, 64), pathLen: fc.constantFrom(0, 5, 6) });
const forwardWorld = fc.record({
  w: world, pipes: fc.array(pipe, { minLength: 24, maxLength: 24 }), down: fc.subarray(ZONES),
  /** Pods: IP -> node (-1: none; 3 is a node with no zone programmed). */
  pods: fc.array(fc.tuple(host, fc.integer({ min: -1, max: 3 })), { minLength: 2, maxLength: 8 }),
  /** Next hops the forward stage finishes, on top of the world's (which are mostly other codes). */
  hops: fc.array(fc.record({ route: fc.integer({ min: 1, max: 12 }), next: fc.constantFrom(NEXT_NODE, NEXT_BRIDGE), node: fc.integer({ min: 0, max: 3 }) }), { minLength: 4, maxLength: 12 }),
});
type ForwardWorld = typeof forwardWorld extends fc.Arbitrary<infer W> ? W : never;

/** Load a vector for FP_ZONE_FROM_LOC: the zone in loc, junk in table (the kernel must replace it for live packets). */
function loadAt(dp: Datapath, pkts: Pkt[], f: ForwardWorld): void {
  load(dp, pkts);
  const v = dp.vec;
  pkts.forEach((p, i) => {
    const q = f.pipes[i]!;
    v.loc[i] = p.zone; v.table[i] = 77; v.phase[i] = q.phase; v.ttl[i] = q.ttl; v.masq[i] = 1; v.verdict[i] = 0;
    v.pathLen[i] = q.pathLen; for (let k = 0; k < PIPE_MAX_PATH; k++) v.path[i * PIPE_MAX_PATH + k] = k < q.pathLen ? 9 : 0;
  });
}

/** What FP_ZONE_FROM_LOC | FP_FORWARD must produce: table = loc, the reference outputs, then the forward stage's two common cases by hand. */
function forwardReference(dp: Datapath, f: ForwardWorld, n: number, now: number): number {
  const v0 = dp.vec;
  for (let i = 0; i < n; i++) if (v0.drop[i] === 0) v0.table[i] = v0.loc[i]!;
  const hits = reference(dp, f.w, n, now, f.hops.map((h) => ({ ...h, node: h.next === NEXT_BRIDGE ? 0 : h.node })));
  const v = dp.vec;
  const pods = new Map<number, number>(f.pods); // the last setting of an IP wins
  const ready = (z: number): boolean => ZONES.includes(z) && !f.down.includes(z);
  let moved = 0, delivered = 0, flooded = 0, left = 0;
  for (let i = 0; i < n; i++) {
    if (v.drop[i] !== 0) continue;
    if (v.phase[i] !== PHASE_BRIDGED) {
      const to = v.nextNode[i]!;
      if (v.next[i] === NEXT_NODE && v.ttl[i]! > 1 && ready(to)) {
        v.ttl[i] = v.ttl[i]! - 1; v.loc[i] = to; v.phase[i] = PHASE_FROM_NODE; v.masq[i] = 0;
        const k = v.pathLen[i]!;
        if (k < PIPE_MAX_PATH) { v.path[i * PIPE_MAX_PATH + k] = to; v.pathLen[i] = k + 1; }
        v.next[i] = NEXT_MOVED; moved++;
        continue;
      }
      if (v.next[i] === NEXT_BRIDGE && to === 0 && pods.get(v.dstIp[i]!) === v.loc[i]) {
        if (v.outPort[i] === PORT_FLOOD) flooded++;
        v.verdict[i] = VERDICT_DELIVERED_POD; v.drop[i] = PIPE_DONE; delivered++;
        continue;
      }
    }
    left++;
  }
  v.report[R_MOVED] = moved; v.report[R_DELIVERED] = delivered; v.report[R_FLOODED] = flooded; v.report[R_LEFT] = left;
  return hits;
}

function words(dp: Datapath): Buffer {
  const a = dp.vec.words;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Both backends return and leave what their references do, and the same as each other. */
function expectAgree([hw, ht, rw, rt]: number[], [wasm, ts, refW, refT]: Datapath[]): void {
  expect([hw, ht, rt]).toEqual([rw, rw, rw]);
  if (!words(wasm!).equals(words(ts!))) expect(Array.from(wasm!.vec.words)).toEqual(Array.from(ts!.vec.words));
  if (!words(wasm!).equals(words(refW!))) expect(Array.from(wasm!.vec.words)).toEqual(Array.from(refW!.vec.words));
  if (!words(ts!).equals(words(refT!))) expect(Array.from(ts!.vec.words)).toEqual(Array.from(refT!.vec.words));
}

describe('fast path differential (wasm vs ts, and vs the separate kernels)', () => {
  it('agrees on random tables, connections and vectors', () => {
    fc.assert(fc.property(world, (w) => {
      const [wasm, ts, refW, refT] = [build('wasm', w), build('ts', w), build('wasm', w), build('ts', w)];
      let now = 1000;
      for (const vec of w.vectors) {
        for (const dp of [wasm, ts, refW, refT]) load(dp, vec);
        const hw = wasm.fastPath(vec.length, now, BIAS, AGE), ht = ts.fastPath(vec.length, now, BIAS, AGE);
        const rw = reference(refW, w, vec.length, now), rt = reference(refT, w, vec.length, now);
        expectAgree([hw, ht, rw, rt], [wasm, ts, refW, refT]);
        now += 1000;
        const ch = w.changes[w.vectors.indexOf(vec)]!, r = ch.r, prefix = r.len === 0 ? 0 : r.prefix;
        for (const dp of [wasm, ts, refW, refT]) {
          if (ch.del) dp.lpmDelete(r.table, prefix, r.len);
          else dp.lpmInsert(r.table, prefix, r.len, r.value);
        }
      }
      expect(wasm.ctEntries()).toEqual(ts.ctEntries());
    }), { numRuns: fuzzRuns(60) });
  });

  it('with FP_ZONE_FROM_LOC | FP_FORWARD, finishes exactly the hits the forward stage would (on to a ready node, out the bridge to a pod there), on both backends', () => {
    fc.assert(fc.property(forwardWorld, (f) => {
      const dps = (['wasm', 'ts', 'wasm', 'ts'] as const).map((b) => build(b, f.w, f.down));
      for (const dp of dps) {
        for (const [ip, node] of f.pods) dp.fastPathSetPod(ip, node);
        for (const h of f.hops) dp.fastPathSetRoute(h.route, h.next, h.next === NEXT_BRIDGE ? 0 : h.node);
        dp.lpmInsert(1, 0, 0, 1); // a default route in the base: every hit has a route value to program
      }
      const [wasm, ts, refW, refT] = dps as [Datapath, Datapath, Datapath, Datapath];
      // Mostly hits: the world's connections (as established packets) first, then its random packets.
      const hits = f.w.conns.slice(0, 12).map((c) => ({ ...c, zone: c.zone & 3, drop: 0, l4: 0x10 }));
      let now = 1000;
      for (const vec of f.w.vectors.map((x) => [...hits, ...x].slice(0, 24))) {
        for (const dp of dps) loadAt(dp, vec, f);
        const mode = FP_ZONE_FROM_LOC | FP_FORWARD;
        const hw = wasm.fastPath(vec.length, now, BIAS, AGE, mode), ht = ts.fastPath(vec.length, now, BIAS, AGE, mode);
        const rw = forwardReference(refW, f, vec.length, now), rt = forwardReference(refT, f, vec.length, now);
        expectAgree([hw, ht, rw, rt], [wasm, ts, refW, refT]);
        now += 1000;
      }
    }), { numRuns: fuzzRuns(60) });
  });

  it('hits route and decide in one call, bridged hits with the FDB answer; misses stay NEXT_SLOW; clear forgets the tables', () => {
    for (const backend of ['wasm', 'ts'] as const) {
      const dp = createDatapath(backend);
      dp.lpmCreateTable(1, 'wide');
      dp.lpmDeriveTable(BIAS, 1);
      dp.lpmInsert(1, 0x0a000200, 24, 7);
      dp.fastPathSetRoute(7, NEXT_NODE, 3);
      dp.fastPathSetNode(0, 0xac100002, 0x0a000001, 1, POD_HI);
      const conn = { zone: 0, proto: 6, src: 0x0a000001, dst: 0x0a600001, sport: 1000, dport: 80, dnat: 0x0a000203, snat: 0, drop: 0, l4: 0x02 };
      load(dp, [conn]);
      dp.ctInsert(1, 0);
      load(dp, [{ ...conn, l4: 0x10 }, { ...conn, sport: 1001, l4: 0x10 }]);
      expect(dp.fastPath(2, 1, BIAS, AGE)).toBe(1);
      const v = dp.vec;
      expect([v.dstIp[0], v.route[0], v.routeLen[0], v.next[0], v.nextNode[0], v.table[0]]).toEqual([0x0a000203, 7, 24, NEXT_NODE, 3, 0]);
      expect([v.result[1], v.route[1], v.routeLen[1], v.next[1]]).toEqual([0, 0, LPM_MISS, NEXT_SLOW]);
      // The same connection again after its route changed (a longer prefix, then it gone): the new answer, not the first one.
      dp.lpmInsert(BIAS, 0x0a000203, 32, 9);
      load(dp, [{ ...conn, l4: 0x10 }]);
      dp.fastPath(1, 1, BIAS, AGE);
      expect([dp.vec.route[0], dp.vec.routeLen[0], dp.vec.next[0]]).toEqual([9, 32, NEXT_SLOW]);
      dp.lpmDelete(BIAS, 0x0a000203, 32);
      load(dp, [{ ...conn, l4: 0x10 }]);
      dp.fastPath(1, 1, BIAS, AGE);
      expect([dp.vec.route[0], dp.vec.routeLen[0], dp.vec.next[0]]).toEqual([7, 24, NEXT_NODE]);
      // Routed out the bridge: the learned port of the pod's MAC, flooded once aged out or unknown.
      dp.fastPathSetRoute(7, NEXT_BRIDGE, 0);
      const v2 = dp.vec;
      v2.table[0] = 1; v2.srcMacHi[0] = POD_HI; v2.srcMacLo[0] = 0x0a000203; v2.inPort[0] = 4;
      dp.fdbLearn(1, 0);
      for (const [now, port] of [[1, 4], [AGE + 1, PORT_FLOOD]] as const) {
        load(dp, [{ ...conn, l4: 0x10 }, { ...conn, sport: 1001, l4: 0x10 }]);
        dp.vec.outPort[1] = 99;
        dp.fastPath(2, now, BIAS, AGE);
        expect([dp.vec.next[0], dp.vec.outPort[0], dp.vec.outPort[1]]).toEqual([NEXT_BRIDGE, port, 99]);
      }
      dp.fastPathSetNode(0, 0xac100002, 0x0a000001, 2, POD_HI); // another bridge: the MAC is unknown there
      load(dp, [{ ...conn, l4: 0x10 }]);
      dp.fastPath(1, 2, BIAS, AGE);
      expect(dp.vec.outPort[0]).toBe(PORT_FLOOD);
      dp.fastPathSetRoute(7, NEXT_NODE, 3);
      dp.fastPathClear();
      load(dp, [{ ...conn, l4: 0x10 }]);
      dp.fastPath(1, 2, BIAS, AGE);
      expect([dp.vec.route[0], dp.vec.next[0]]).toEqual([7, NEXT_SLOW]);
    }
  });
});
