// The FDB contract, run against both backends: build the packet, seed the table,
// check the verdict.
import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath, LEARN_IGNORED, LEARN_MOVED, LEARN_NEW, LEARN_REFRESHED, PORT_FLOOD, type Datapath } from '../../../engine/datapath/index.js';
import { mac } from './ip.js';

const AGE = 300_000;

function learn(dp: Datapath, bridge: number, m: string, port: number, now: number): number {
  const v = dp.vec;
  const [hi, lo] = mac(m);
  v.table[0] = bridge; v.srcMacHi[0] = hi; v.srcMacLo[0] = lo; v.inPort[0] = port;
  dp.fdbLearn(1, now);
  return dp.vec.result[0]!;
}

function lookup(dp: Datapath, bridge: number, m: string, now: number): number {
  const v = dp.vec;
  const [hi, lo] = mac(m);
  v.table[0] = bridge; v.dstMacHi[0] = hi; v.dstMacLo[0] = lo;
  dp.fdbLookup(1, now, AGE);
  return dp.vec.outPort[0]!;
}

describe.each(BACKENDS)('FDB contract (%s)', (backend) => {
  const A = '02:00:00:00:00:0a', B = '02:00:00:00:00:0b';

  it('learns a source MAC and forwards known unicast to its port', () => {
    const dp = createDatapath(backend);
    expect(learn(dp, 1, A, 3, 0)).toBe(LEARN_NEW);
    expect(learn(dp, 1, A, 3, 10)).toBe(LEARN_REFRESHED);
    expect(lookup(dp, 1, A, 20)).toBe(3);
  });

  it('floods an unknown unicast destination, and keeps bridges apart', () => {
    const dp = createDatapath(backend);
    learn(dp, 1, A, 3, 0);
    expect(lookup(dp, 1, B, 0)).toBe(PORT_FLOOD);
    expect(lookup(dp, 2, A, 0)).toBe(PORT_FLOOD);
  });

  it('never learns a broadcast or multicast source, and floods to them', () => {
    const dp = createDatapath(backend);
    expect(learn(dp, 1, 'ff:ff:ff:ff:ff:ff', 1, 0)).toBe(LEARN_IGNORED);
    expect(learn(dp, 1, '01:00:5e:00:00:01', 1, 0)).toBe(LEARN_IGNORED);
    expect(dp.fdbEntries()).toHaveLength(0);
    expect(lookup(dp, 1, 'ff:ff:ff:ff:ff:ff', 0)).toBe(PORT_FLOOD);
  });

  it('moves a station that appears on another port', () => {
    const dp = createDatapath(backend);
    learn(dp, 1, A, 3, 0);
    expect(learn(dp, 1, A, 5, 1)).toBe(LEARN_MOVED);
    expect(lookup(dp, 1, A, 2)).toBe(5);
  });

  it('ages entries out after 300 s', () => {
    const dp = createDatapath(backend);
    learn(dp, 1, A, 3, 0);
    learn(dp, 1, B, 4, 200_000);
    expect(lookup(dp, 1, A, AGE + 1)).toBe(PORT_FLOOD);
    expect(dp.fdbAge(AGE + 1, AGE)).toBe(1);
    expect(dp.fdbEntries().map((e) => e.port)).toEqual([4]);
  });

  it('flushes one port, then a whole bridge', () => {
    const dp = createDatapath(backend);
    learn(dp, 1, A, 3, 0);
    learn(dp, 1, B, 4, 0);
    learn(dp, 2, A, 3, 0);
    expect(dp.fdbFlush(1, 3)).toBe(1);
    expect(lookup(dp, 1, A, 0)).toBe(PORT_FLOOD);
    expect(lookup(dp, 1, B, 0)).toBe(4);
    expect(dp.fdbFlush(1, PORT_FLOOD)).toBe(1);
    expect(dp.fdbEntries()).toHaveLength(1);
  });

  it('handles a full vector and grows past its first capacity', () => {
    const dp = createDatapath(backend);
    for (let round = 0; round < 8; round++) {
      const v = dp.vec;
      for (let i = 0; i < 256; i++) { v.table[i] = 7; v.srcMacHi[i] = 0x0200; v.srcMacLo[i] = round * 256 + i; v.inPort[i] = i; }
      expect(dp.fdbLearn(256, 0)).toBe(256);
    }
    const v = dp.vec;
    for (let i = 0; i < 256; i++) { v.table[i] = 7; v.dstMacHi[i] = 0x0200; v.dstMacLo[i] = 7 * 256 + i; }
    dp.fdbLookup(256, 1, AGE);
    expect(Array.from(dp.vec.outPort.subarray(0, 256))).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
});
