// The kernel benchmark suite runs end to end on tiny tables and reports packets/s
// rows for both backends, with the WASM/TS ratio on wasm rows.
import { describe, expect, it } from 'vitest';
import { kernelsSuite } from '../../../bench/kernels.js';
import { BACKENDS, createDatapath } from '../../../engine/datapath/index.js';

describe('kernels benchmark suite', () => {
  it('measures every kernel on both backends', async () => {
    const rows = await kernelsSuite({ quick: true, sizes: { lpmPrefixes: 2000, nodes: 20, ctFlows: 500, vectors: 2, timeMs: 10 } });
    const names = ['lpm-large', 'lpm-floor-512KiB', 'lpm-per-node', 'fdb-learn', 'fdb-lookup', 'conntrack-lookup', 'conntrack-insert'];
    expect(rows.map((r) => `${r.name}/${r.backend}`)).toEqual(names.flatMap((n) => [`${n}/wasm`, `${n}/ts`]));
    for (const r of rows) {
      expect(r.suite).toBe('kernels');
      expect(r.opsPerSec).toBeGreaterThan(0);
      expect(r.meanNs * r.opsPerSec).toBeCloseTo(1e9, -3);
      expect(r.samples).toBeGreaterThan(0);
      expect(r.ratioToTs !== undefined).toBe(r.backend === 'wasm');
    }
    expect(rows.find((r) => r.name === 'lpm-per-node')!.note).toMatch(/20 node tables: tries .* KiB\/node/);
    // 2,000 prefixes keep lpm-large's table 16-8-8, so its floor is the size of a 16-8-8 root
    expect(rows.find((r) => r.name === 'lpm-floor-512KiB')!.note).toMatch(/one random 32-bit load per packet from 0\.5 MiB/);
  });

  it('lpmFloor loads one word per packet, the same on both backends, and leaves the routes alone', () => {
    for (const backend of BACKENDS) {
      const dp = createDatapath(backend);
      dp.lpmCreateTable(1, 'wide');
      dp.lpmInsert(1, 0x0a000000, 8, 7);
      const v = dp.vec;
      for (let i = 0; i < 4; i++) { v.dstIp[i] = (0x0a000001 + i * 0x01000000) >>> 0; v.result[i] = 0; }
      dp.lpmFloor(4, 12);
      expect(Array.from(dp.vec.result.subarray(0, 4)), backend).toEqual([0x01010101, 0x01010101, 0x01010101, 0x01010101]);
      for (let i = 0; i < 4; i++) dp.vec.table[i] = 1;
      dp.lpmLookup(4);
      expect(Array.from(dp.vec.result.subarray(0, 4)), backend).toEqual([7, 0, 0, 0]);
    }
  });
});
