// The LPM contract, run against both backends: seed the table, look up a packet,
// check the route value and matched prefix length.
import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath, LPM_MISS, type Datapath, type LpmLayout } from '../../../engine/datapath/index.js';
import { ip } from './ip.js';

/** [value, prefix length] for one destination, LPM_MISS as the length on a miss. */
function lookup(dp: Datapath, table: number, dst: string): [number, number] {
  const v = dp.vec;
  v.table[0] = table; v.dstIp[0] = ip(dst);
  dp.lpmLookup(1);
  return [dp.vec.result[0]!, dp.vec.result2[0]!];
}

function route(dp: Datapath, table: number, cidr: string, value: number): void {
  const [a, l] = cidr.split('/');
  dp.lpmInsert(table, ip(a!), Number(l), value);
}

describe.each(BACKENDS)('LPM contract (%s)', (backend) => {
  describe.each<LpmLayout>(['wide', 'narrow'])('%s table', (layout) => {
    it('picks the longest matching prefix at every stride boundary', () => {
      const dp = createDatapath(backend);
      dp.lpmCreateTable(1, layout);
      route(dp, 1, '0.0.0.0/0', 1);
      route(dp, 1, '10.0.0.0/8', 2);
      route(dp, 1, '10.244.0.0/16', 3);
      route(dp, 1, '10.244.3.0/24', 4);
      route(dp, 1, '10.244.3.7/32', 5);
      route(dp, 1, '10.244.3.128/25', 6);
      route(dp, 1, '10.240.0.0/12', 7);
      expect(lookup(dp, 1, '8.8.8.8')).toEqual([1, 0]);
      expect(lookup(dp, 1, '10.1.2.3')).toEqual([2, 8]);
      expect(lookup(dp, 1, '10.241.0.1')).toEqual([7, 12]);
      expect(lookup(dp, 1, '10.244.9.9')).toEqual([3, 16]);
      expect(lookup(dp, 1, '10.244.3.6')).toEqual([4, 24]);
      expect(lookup(dp, 1, '10.244.3.7')).toEqual([5, 32]);
      expect(lookup(dp, 1, '10.244.3.200')).toEqual([6, 25]);
    });

    it('misses without a default route, and on an unknown table', () => {
      const dp = createDatapath(backend);
      dp.lpmCreateTable(1, layout);
      route(dp, 1, '192.168.0.0/16', 9);
      expect(lookup(dp, 1, '10.0.0.1')).toEqual([0, LPM_MISS]);
      expect(lookup(dp, 2, '192.168.0.1')).toEqual([0, LPM_MISS]);
      expect(lookup(dp, 70000, '192.168.0.1')).toEqual([0, LPM_MISS]);
    });

    it('falls back to the cover when a prefix is deleted, and sees updates at once', () => {
      const dp = createDatapath(backend);
      dp.lpmCreateTable(1, layout);
      route(dp, 1, '10.0.0.0/8', 2);
      route(dp, 1, '10.244.3.0/24', 4);
      route(dp, 1, '10.244.3.7/32', 5);
      expect(dp.lpmDelete(1, ip('10.244.3.0'), 24)).toBe(true);
      expect(lookup(dp, 1, '10.244.3.6')).toEqual([2, 8]);
      expect(lookup(dp, 1, '10.244.3.7')).toEqual([5, 32]);
      expect(dp.lpmDelete(1, ip('10.244.3.0'), 24)).toBe(false);
      route(dp, 1, '10.0.0.0/8', 20);
      expect(lookup(dp, 1, '10.244.3.6')).toEqual([20, 8]);
      dp.lpmDelete(1, ip('10.244.3.7'), 32);
      dp.lpmDelete(1, ip('10.0.0.0'), 8);
      expect(lookup(dp, 1, '10.244.3.7')).toEqual([0, LPM_MISS]);
    });

    it('gives plies back when deletes leave them uniform', () => {
      const dp = createDatapath(backend);
      dp.lpmCreateTable(1, layout);
      const empty = dp.lpmBytes();
      route(dp, 1, '10.0.0.0/8', 1);
      for (let i = 0; i < 50; i++) route(dp, 1, `10.${i}.${i}.${i}/32`, 100 + i);
      expect(dp.lpmBytes()).toBeGreaterThan(empty);
      for (let i = 0; i < 50; i++) dp.lpmDelete(1, ip(`10.${i}.${i}.${i}`), 32);
      expect(dp.lpmBytes()).toBe(empty);
      expect(lookup(dp, 1, '10.7.7.7')).toEqual([1, 8]);
    });

    it('keeps full u32 route values and lists routes for ip route', () => {
      const dp = createDatapath(backend);
      dp.lpmCreateTable(1, layout);
      route(dp, 1, '10.244.1.0/24', 0xffffffff);
      route(dp, 1, '0.0.0.0/0', 0);
      expect(lookup(dp, 1, '10.244.1.1')).toEqual([0xffffffff, 24]);
      expect(lookup(dp, 1, '1.1.1.1')).toEqual([0, 0]);
      expect(dp.lpmRoutes(1)).toEqual([
        { prefix: 0, len: 0, value: 0, inherited: false },
        { prefix: ip('10.244.1.0'), len: 24, value: 0xffffffff, inherited: false },
      ]);
    });
  });

  it('derives per-node overlays that share a live base table', () => {
    const dp = createDatapath(backend);
    dp.lpmCreateTable(1, 'wide');
    route(dp, 1, '0.0.0.0/0', 1);
    route(dp, 1, '10.244.1.0/24', 11); // via node-1
    route(dp, 1, '10.244.2.0/24', 12); // via node-2
    dp.lpmDeriveTable(101, 1);
    dp.lpmDeriveTable(102, 1);
    route(dp, 101, '10.244.1.0/24', 1001); // node-1's own pods: dev cni0
    route(dp, 101, '10.244.0.0/16', 1002); // shorter than base /24s: base keeps winning there
    expect(lookup(dp, 101, '10.244.1.5')).toEqual([1001, 24]);
    expect(lookup(dp, 101, '10.244.2.5')).toEqual([12, 24]);
    expect(lookup(dp, 101, '10.244.9.5')).toEqual([1002, 16]);
    expect(lookup(dp, 102, '10.244.1.5')).toEqual([11, 24]);
    route(dp, 1, '10.244.3.0/24', 13); // node-3 joins: one base insert, every node sees it
    expect(lookup(dp, 101, '10.244.3.5')).toEqual([13, 24]);
    expect(lookup(dp, 102, '10.244.3.5')).toEqual([13, 24]);
    expect(dp.lpmDelete(102, ip('10.244.1.0'), 24)).toBe(false); // inherited
    dp.lpmDelete(101, ip('10.244.1.0'), 24);
    expect(lookup(dp, 101, '10.244.1.5')).toEqual([11, 24]);
    expect(dp.lpmRoutes(102).map((r) => r.inherited)).toEqual([true, true, true, true]);
    expect(() => dp.lpmDropTable(1)).toThrow(/derived/);
    dp.lpmDropTable(101);
    dp.lpmDropTable(102);
    dp.lpmDropTable(1);
    expect(lookup(dp, 101, '10.244.1.5')).toEqual([0, LPM_MISS]);
  });

  it('finds a base route past /24 (a third ply) through a derived table, in a vector of mixed and bad table ids', () => {
    const dp = createDatapath(backend);
    dp.lpmCreateTable(1, 'wide');
    route(dp, 1, '0.0.0.0/0', 1);
    route(dp, 1, '10.244.3.0/24', 13);
    route(dp, 1, '10.244.3.128/25', 22);
    route(dp, 1, '10.244.3.7/32', 21);
    dp.lpmDeriveTable(101, 1);
    dp.lpmDeriveTable(102, 1);
    route(dp, 101, '10.244.1.0/24', 1001);
    route(dp, 102, '10.244.3.16/28', 1003); // longer than the base's /24 there: the overlay wins
    const packets: [number, string][] = [
      [101, '10.244.3.7'], [101, '10.244.3.200'], [101, '10.244.3.9'], [102, '10.244.3.20'], [102, '10.244.3.7'],
      [70000, '10.244.3.7'], [101, '10.244.1.9'], [0, '10.244.3.7'], [1, '10.244.3.7'], [102, '10.244.3.130'], [101, '8.8.8.8'],
    ];
    const v = dp.vec;
    packets.forEach(([t, d], i) => { v.table[i] = t; v.dstIp[i] = ip(d); });
    dp.lpmLookup(packets.length);
    const got = packets.map((_, i) => [v.result[i], v.result2[i]]);
    expect(got).toEqual([
      [21, 32], [22, 25], [13, 24], [1003, 28], [21, 32],
      [0, LPM_MISS], [1001, 24], [0, LPM_MISS], [21, 32], [22, 25], [1, 0],
    ]);
  });

  it('rejects bad table ids and prefix lengths with a message', () => {
    const dp = createDatapath(backend);
    expect(() => dp.lpmCreateTable(0, 'narrow')).toThrow(/out of range/);
    dp.lpmCreateTable(1, 'narrow');
    expect(() => dp.lpmCreateTable(1, 'narrow')).toThrow(/already exists/);
    expect(() => dp.lpmInsert(1, 0, 33, 1)).toThrow(/0\.\.32/);
    expect(() => dp.lpmInsert(2, 0, 8, 1)).toThrow(/does not exist/);
  });
});
