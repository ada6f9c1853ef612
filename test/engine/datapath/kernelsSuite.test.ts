// The kernel benchmark suite runs end to end on tiny tables and reports packets/s
// rows for both backends, with the WASM/TS ratio on wasm rows.
import { describe, expect, it } from 'vitest';
import { kernelsSuite } from '../../../bench/kernels.js';

describe('kernels benchmark suite', () => {
  it('measures every kernel on both backends', async () => {
    const rows = await kernelsSuite({ quick: true, sizes: { lpmPrefixes: 2000, nodes: 20, ctFlows: 500, vectors: 2, timeMs: 10 } });
    const names = ['lpm-large', 'lpm-per-node', 'fdb-learn', 'fdb-lookup', 'conntrack-lookup', 'conntrack-insert'];
    expect(rows.map((r) => `${r.name}/${r.backend}`)).toEqual(names.flatMap((n) => [`${n}/wasm`, `${n}/ts`]));
    for (const r of rows) {
      expect(r.suite).toBe('kernels');
      expect(r.opsPerSec).toBeGreaterThan(0);
      expect(r.meanNs * r.opsPerSec).toBeCloseTo(1e9, -3);
      expect(r.samples).toBeGreaterThan(0);
      expect(r.ratioToTs !== undefined).toBe(r.backend === 'wasm');
    }
    expect(rows.find((r) => r.name === 'lpm-per-node')!.note).toMatch(/20 node tables: tries .* KiB\/node/);
  });
});
