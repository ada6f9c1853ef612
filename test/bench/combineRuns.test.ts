// combineRuns: several processes' reports of the same suites become one, row by row.
import { describe, expect, it } from 'vitest';
import { combineRuns, median, type BenchReport } from '../../bench/runBench.js';
import type { BenchResult } from '../../bench/BenchResult.js';

const row = (name: string, backend: BenchResult['backend'], opsPerSec: number, extra: Partial<BenchResult> = {}): BenchResult => ({
  suite: 'kernels', name, backend, opsPerSec, meanNs: 1e9 / opsPerSec, p99Ns: 2e9 / opsPerSec, samples: 10, ...extra,
});

const report = (results: BenchResult[], steal: number): BenchReport => ({
  machine: { cpu: 'x', cores: 2, memoryBytes: 1, platform: 'linux', arch: 'x64', load1: 0 },
  node: 'v20', date: '2026-01-01T00:00:00.000Z', mode: 'smoke', results, skipped: [], stealPct: { kernels: steal },
});

describe('median', () => {
  it('is the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});

describe('combineRuns', () => {
  it('takes each row\'s median rate, the median of the per-run WASM/TS ratios, and the mean steal', () => {
    const runs = [
      report([row('lpm', 'wasm', 100, { ratioToTs: 2 }), row('lpm', 'ts', 50)], 0),
      report([row('lpm', 'wasm', 300, { ratioToTs: 6 }), row('lpm', 'ts', 50)], 10),
      report([row('lpm', 'wasm', 200, { ratioToTs: 2.5 }), row('lpm', 'ts', 80)], 5),
    ];
    const c = combineRuns(runs);
    expect(c.runs).toBe(3);
    const wasm = c.results.find((r) => r.backend === 'wasm')!;
    expect(wasm.opsPerSec).toBe(200);
    expect(wasm.meanNs).toBe(1e9 / 200);
    expect(wasm.runs).toEqual([100, 300, 200]);
    expect(wasm.samples).toBe(30);
    // the ratios measured side by side in each run: 2, 6, 2.5 -> 2.5 (not 200 / 50 = 4)
    expect(wasm.ratioToTs).toBe(2.5);
    expect(c.results.find((r) => r.backend === 'ts')!.opsPerSec).toBe(50);
    expect(c.stealPct).toEqual({ kernels: 5 });
  });

  it('keeps the envelope\'s median wall time and its highest peak RSS', () => {
    const env = (ops: number, wallMs: number, peakRssBytes: number) => report([row('envelope-replay', '-', ops, { wallMs, peakRssBytes })], 0);
    const r = combineRuns([env(10, 900, 5), env(30, 300, 9), env(20, 600, 7)]).results[0]!;
    expect([r.opsPerSec, r.wallMs, r.peakRssBytes]).toEqual([20, 600, 9]);
  });

  it('returns a single report as it is, and refuses runs that do not have the same rows', () => {
    const one = report([row('lpm', 'wasm', 1)], 0);
    expect(combineRuns([one])).toBe(one);
    expect(() => combineRuns([one, report([row('fdb', 'wasm', 1)], 0)])).toThrow(/run 2 has no kernels lpm wasm row/);
    expect(() => combineRuns([])).toThrow(/no reports/);
  });
});
