// Contract of Datapath.fastPathPodTx (a pod's transmit and its bridge's learning in
// one call), on both backends: random zones (ready or not, with a bridge or Calico's
// proxy ARP), pods and vectors, against a reference built by hand from the contract
// (MACs, table, drops) and the separate fdbLearn kernel; vectors repeat senders on
// other ports so learned MACs are refreshed and moved.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ARP_FAILED, NODE_DOWN } from '../../../assembly/shared/drop.js';
import {
  createDatapath, PHASE_FROM_NODE, PHASE_FROM_POD, R_LEARN_MOVED, R_TX_BRIDGED, R_TX_DROPS, R_TX_FRAMES,
  VERDICT_DROPPED, type Datapath,
} from '../../../engine/datapath/index.js';
import { fuzzRuns } from '../../support/fuzz.js';

const POD_HI = 0x0a58, CALICO = { hi: 0xeeee, lo: 0xeeeeeeee };
/** Zone z's pod network is 10.244.z.0/24, its bridge (if any) z + 1 at 10.244.z.1 with MAC 0a:58:0a:f4:z:01. */
const net = (z: number) => (0x0af40000 | (z << 8)) >>> 0;
const zone = fc.record({ ready: fc.boolean(), bridge: fc.boolean() });
const ip = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 1, 2, 3, 4)).map(([z, h]) => (net(z) | h) >>> 0), // pods, bridges, network addresses
  fc.constantFrom(0x0a600002, 0x08080808),
);
const pkt = fc.record({
  loc: fc.constantFrom(0, 1, 2, 3, -1, 5), phase: fc.constantFrom(PHASE_FROM_POD, PHASE_FROM_POD, PHASE_FROM_NODE),
  src: ip, dst: ip, port: fc.integer({ min: 1, max: 4 }), drop: fc.constantFrom(0, 0, 0, 9),
});
type Pkt = typeof pkt extends fc.Arbitrary<infer P> ? P : never;
const world = fc.record({
  zones: fc.array(zone, { minLength: 4, maxLength: 4 }),
  pods: fc.array(fc.tuple(ip, fc.integer({ min: -1, max: 3 })), { maxLength: 10 }),
  vectors: fc.array(fc.array(pkt, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 4 }),
});
type World = typeof world extends fc.Arbitrary<infer W> ? W : never;

function build(backend: 'wasm' | 'ts', w: World): Datapath {
  const dp = createDatapath(backend);
  w.zones.forEach((z, k) => {
    const b = z.bridge ? k + 1 : 0, brIp = z.bridge ? (net(k) | 1) >>> 0 : 0;
    dp.fastPathSetNode(k, 0xac100002 + k, brIp, b, POD_HI, z.ready);
    const gw = z.bridge ? { hi: POD_HI, lo: brIp } : CALICO;
    dp.fastPathSetPodNet(k, net(k), 0xffffff00, gw.hi, gw.lo);
  });
  for (const [a, node] of w.pods) dp.fastPathSetPod(a, node);
  return dp;
}

function load(dp: Datapath, pkts: Pkt[]): void {
  const v = dp.vec;
  v.words.fill(3);
  pkts.forEach((p, i) => {
    v.loc[i] = p.loc; v.phase[i] = p.phase; v.srcIp[i] = p.src; v.dstIp[i] = p.dst; v.inPort[i] = p.port; v.drop[i] = p.drop; v.verdict[i] = 0;
  });
}

/** fastPathPodTx by hand: the stage's decisions per packet, then one fdbLearn. */
function reference(dp: Datapath, w: World, n: number, now: number): number {
  const v = dp.vec;
  const pods = new Map<number, number>(w.pods);
  let frames = 0, bridged = 0, drops = 0;
  for (let i = 0; i < n; i++) {
    v.table[i] = 0;
    let frame = false;
    const node = v.loc[i]!, z = w.zones[node];
    if (v.drop[i] === 0 && v.phase[i] === PHASE_FROM_POD) {
      let code = 0;
      if (!z?.ready) code = NODE_DOWN;
      else {
        const dst = v.dstIp[i]!, brIp = z.bridge ? (net(node) | 1) >>> 0 : 0;
        const onLink = z.bridge && ((dst & 0xffffff00) >>> 0) === net(node) && dst !== brIp;
        const gw = z.bridge ? { hi: POD_HI, lo: brIp } : CALICO;
        v.dstMacHi[i] = onLink ? POD_HI : gw.hi; v.dstMacLo[i] = onLink ? dst : gw.lo;
        if (onLink && pods.get(dst) !== node) code = ARP_FAILED;
        else if (z.bridge) { v.table[i] = node + 1; v.srcMacHi[i] = POD_HI; v.srcMacLo[i] = v.srcIp[i]!; frame = true; frames++; if (onLink) bridged++; }
      }
      if (code !== 0) { v.drop[i] = code; v.verdict[i] = VERDICT_DROPPED; drops++; }
    }
    if (!frame) { v.srcMacHi[i] = 0xffff; v.srcMacLo[i] = 0xffffffff; }
  }
  const added = dp.fdbLearn(n, now);
  v.report[R_TX_FRAMES] = frames; v.report[R_TX_BRIDGED] = bridged; v.report[R_TX_DROPS] = drops;
  return added;
}

describe('fastPathPodTx contract (wasm and ts, against the stage by hand and fdbLearn)', () => {
  it('gives the reference\'s MACs, tables, drops, learning results and report, and the same FDB', () => {
    fc.assert(fc.property(world, (w) => {
      const [wasm, ts, refW, refT] = [build('wasm', w), build('ts', w), build('wasm', w), build('ts', w)];
      let now = 1000;
      for (const vec of w.vectors) {
        for (const dp of [wasm, ts, refW, refT]) load(dp, vec);
        const got = [wasm.fastPathPodTx(vec.length, now), ts.fastPathPodTx(vec.length, now)];
        const want = [reference(refW, w, vec.length, now), reference(refT, w, vec.length, now)];
        expect(got).toEqual(want);
        expect(want[0]).toBe(want[1]);
        expect(Array.from(wasm.vec.words)).toEqual(Array.from(refW.vec.words));
        expect(Array.from(ts.vec.words)).toEqual(Array.from(refT.vec.words));
        expect(Array.from(wasm.vec.words)).toEqual(Array.from(ts.vec.words));
        now += 1000;
      }
      const fdb = (dp: Datapath) => dp.fdbEntries().sort((a, b) => a.bridge - b.bridge || a.macLo - b.macLo);
      expect(fdb(wasm)).toEqual(fdb(refW));
      expect(fdb(ts)).toEqual(fdb(wasm));
    }), { numRuns: fuzzRuns(100) });
  });

  it('a pod on a bridged node: frame to the bridge MAC (Service traffic) learned, on-link frame to a pod of the node, ARP failure, node down', () => {
    for (const backend of ['wasm', 'ts'] as const) {
      const w: World = { zones: [{ ready: true, bridge: true }, { ready: false, bridge: true }, { ready: true, bridge: false }, { ready: true, bridge: true }], pods: [[net(0) | 3, 0]], vectors: [] };
      const dp = build(backend, w);
      const p = (o: Partial<Pkt>): Pkt => ({ loc: 0, phase: PHASE_FROM_POD, src: net(0) | 2, dst: 0x0a600002, port: 2, drop: 0, ...o });
      load(dp, [p({}), p({ dst: net(0) | 3 }), p({ dst: net(0) | 4 }), p({ loc: 1 }), p({ loc: 2 }), p({ phase: PHASE_FROM_NODE })]);
      expect(dp.fastPathPodTx(6, 1)).toBe(1); // one sender MAC, learned once
      const v = dp.vec;
      expect(Array.from(v.table.subarray(0, 6))).toEqual([1, 1, 0, 0, 0, 0]);
      expect(Array.from(v.dstMacLo.subarray(0, 5))).toEqual([net(0) | 1, net(0) | 3, net(0) | 4, 3, CALICO.lo]);
      expect(Array.from(v.drop.subarray(0, 6))).toEqual([0, 0, ARP_FAILED, NODE_DOWN, 0, 0]);
      expect(Array.from(v.report.subarray(0, 4))).toEqual([0, 2, 1, 2]);
      load(dp, [p({ port: 3 })]); // the same pod MAC on another port: a station move
      dp.fastPathPodTx(1, 2);
      expect(dp.vec.report[R_LEARN_MOVED]).toBe(1);
    }
  });
});
