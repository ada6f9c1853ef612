// Differential property test: random sequences of conntrack inserts, lookups,
// expiries and flushes, and of FDB learns, lookups, ageing and flushes, leave both
// backends with identical packet vectors, return values and table dumps.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createDatapath, PORT_FLOOD, type Datapath } from '../../../engine/datapath/index.js';
import { fuzzRuns } from '../../support/fuzz.js';

interface Pkt {
  zone: number; proto: number; src: number; dst: number; sport: number; dport: number; l4: number;
  dnat: number; dnatPort: number; snat: number; drop: number; macHi: number; macLo: number; port: number;
}

// Small domains so tuples collide, replies match and NAT ports clash.
const host = fc.constantFrom(0x0a000001, 0x0a000002, 0x0a600001, 0xc0a8010a);
const pkt: fc.Arbitrary<Pkt> = fc.record({
  zone: fc.constantFrom(1, 2, 3), proto: fc.constantFrom(6, 17, 1), src: host, dst: host,
  sport: fc.constantFrom(80, 1000, 1024, 40000), dport: fc.constantFrom(53, 80, 1000),
  l4: fc.constantFrom(0x02, 0x12, 0x10, 0x11, 0x04, 0x01),
  dnat: fc.constantFrom(0, 0, 0x0a000002, 0x0a000003), dnatPort: fc.constantFrom(80, 8080),
  snat: fc.constantFrom(0, 0, 0xc0a8010a), drop: fc.constantFrom(0, 0, 0, 0, 0, 7),
  macHi: fc.constantFrom(0x0200, 0x0201, 0xffff, 0x0100), macLo: fc.integer({ min: 0, max: 5 }), port: fc.integer({ min: 1, max: 3 }),
});
type Op =
  | { kind: 'ctInsert' | 'ctLookup' | 'fdbLearn' | 'fdbLookup'; pkts: Pkt[]; dt: number }
  | { kind: 'ctExpire' | 'fdbAge'; dt: number }
  | { kind: 'ctFlush'; zone: number | undefined }
  | { kind: 'ctSetMax'; max: number }
  | { kind: 'fdbFlush'; bridge: number; port: number };
const batch = fc.array(pkt, { minLength: 1, maxLength: 24 });
const dt = fc.constantFrom(0, 1000, 29_000, 31_000, 200_000);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('ctInsert' as const, 'ctLookup' as const), pkts: batch, dt }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('fdbLearn' as const, 'fdbLookup' as const), pkts: batch, dt }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('ctExpire' as const, 'fdbAge' as const), dt }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ctFlush' as const), zone: fc.constantFrom(1, 2, undefined) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ctSetMax' as const), max: fc.constantFrom(3, 10, 262144) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fdbFlush' as const), bridge: fc.constantFrom(1, 2, 3), port: fc.constantFrom(1, 2, PORT_FLOOD) }) },
);

function load(dp: Datapath, pkts: Pkt[]): void {
  const v = dp.vec;
  pkts.forEach((p, i) => {
    v.table[i] = p.zone; v.proto[i] = p.proto; v.srcIp[i] = p.src; v.dstIp[i] = p.dst; v.srcPort[i] = p.sport;
    v.dstPort[i] = p.dport; v.l4Flags[i] = p.l4; v.dnatIp[i] = p.dnat; v.dnatPort[i] = p.dnatPort; v.snatIp[i] = p.snat;
    v.drop[i] = p.drop; v.flags[i] = 0; v.srcMacHi[i] = p.macHi; v.srcMacLo[i] = p.macLo; v.dstMacHi[i] = p.macHi;
    v.dstMacLo[i] = p.macLo; v.inPort[i] = p.port;
  });
}

function apply(dp: Datapath, o: Op, now: number): number | undefined {
  switch (o.kind) {
    case 'ctInsert': load(dp, o.pkts); return dp.ctInsert(o.pkts.length, now);
    case 'ctLookup': load(dp, o.pkts); dp.ctLookup(o.pkts.length, now); return undefined;
    case 'fdbLearn': load(dp, o.pkts); return dp.fdbLearn(o.pkts.length, now);
    case 'fdbLookup': load(dp, o.pkts); dp.fdbLookup(o.pkts.length, now, 300_000); return undefined;
    case 'ctExpire': return dp.ctExpire(now);
    case 'fdbAge': return dp.fdbAge(now, 300_000);
    case 'ctFlush': return dp.ctFlush(o.zone);
    case 'ctSetMax': dp.ctSetMax(o.max); return undefined;
    case 'fdbFlush': return dp.fdbFlush(o.bridge, o.port);
  }
}

describe('conntrack and FDB differential (wasm vs ts)', () => {
  it('agrees on random sequences of operations', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
      const wasm = createDatapath('wasm'), ts = createDatapath('ts');
      let now = 0;
      for (const o of ops) {
        if ('dt' in o) now += o.dt;
        expect(apply(wasm, o, now)).toBe(apply(ts, o, now));
        const a = wasm.vec.words, b = ts.vec.words;
        if (!Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))) {
          expect(Array.from(a)).toEqual(Array.from(b)); // only to print the difference
        }
      }
      expect(wasm.ctEntries()).toEqual(ts.ctEntries());
      expect([wasm.ctCount(), wasm.ctDrops(), wasm.ctBytes()]).toEqual([ts.ctCount(), ts.ctDrops(), ts.ctBytes()]);
      const key = (e: { bridge: number; macLo: number; macHi: number }) => e.bridge * 1e12 + e.macHi * 1e6 + e.macLo;
      expect(wasm.fdbEntries().sort((a, b) => key(a) - key(b))).toEqual(ts.fdbEntries().sort((a, b) => key(a) - key(b)));
    }), { numRuns: fuzzRuns(200) });
  });
});
