import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { podnet } from '../../support/cli.js';
import { KERNEL_ROWS } from '../../../bench/kernels.js';

interface Report {
  machine: { cpu: string; cores: number; memoryBytes: number; hugePages?: string };
  node: string;
  date: string;
  mode: string;
  results: { suite: string; name: string; backend: string; opsPerSec: number; meanNs: number; p99Ns: number; samples: number; ratioToTs?: number; unit: string; runs?: number[] }[];
  runs?: number;
  skipped: { suite: string; reason: string }[];
  stealPct?: Record<string, number>;
}

const THP = '/sys/kernel/mm/transparent_hugepage/enabled';

// smoke sizes keep lpm-large's table 16-8-8: one floor, its 2^16-slot root
const KERNELS = ['lpm-large', 'lpm-floor-512KiB', 'lpm-per-node', 'fdb-learn', 'fdb-lookup', 'conntrack-lookup', 'conntrack-insert'];

describe('podnet bench (spawned, no TTY)', () => {
  it('-o json prints only the JSON report on stdout, no progress on a pipe', () => {
    const r = podnet(['bench', '--suite', 'kernels', '--smoke', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Report;
    expect(report.node).toBe(process.version);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(report.date))).toBe(false);
    expect(report.mode).toBe('smoke');
    if (process.platform === 'linux') { // /proc/stat: the share of CPU time the hypervisor took while the suite ran
      expect(Object.keys(report.stealPct ?? {})).toEqual(['kernels']);
      expect(report.stealPct!.kernels).toBeGreaterThanOrEqual(0);
      expect(report.stealPct!.kernels).toBeLessThanOrEqual(100);
    }
    if (existsSync(THP)) { // the mode the kernel has selected, the bracketed word of the file
      expect(report.machine.hugePages).toBe(/\[(\w+)\]/.exec(readFileSync(THP, 'utf8'))![1]);
      expect(['always', 'madvise', 'never']).toContain(report.machine.hugePages);
    } else expect(report.machine.hugePages).toBeUndefined();
    for (const x of report.results) expect(KERNEL_ROWS).toContain(x.name); // --only checks names against this list
    // every kernel figure on both backends, the wasm row carrying the ratio to ts
    expect(report.results.map((x) => `${x.name}/${x.backend}`).sort()).toEqual(KERNELS.flatMap((n) => [`${n}/wasm`, `${n}/ts`]).sort());
    for (const x of report.results) {
      expect(x.suite).toBe('kernels');
      expect(x.unit).toBe('packets');
      expect(x.opsPerSec).toBeGreaterThan(0);
      expect(x.meanNs).toBeCloseTo(1e9 / x.opsPerSec, 3);
      expect(x.samples).toBeGreaterThan(0);
      if (x.backend === 'wasm') {
        const ts = report.results.find((y) => y.name === x.name && y.backend === 'ts')!;
        expect(x.ratioToTs).toBeCloseTo(x.opsPerSec / ts.opsPerSec, 6);
      } else {
        expect(x.ratioToTs).toBeUndefined();
      }
    }
  });

  it('prints a table with a row per figure and backend', () => {
    const r = podnet(['bench', '--suite', 'kernels', '--smoke']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+BACKEND\s+RATE\s+MEAN\s+P99\s+SAMPLES\s+WASM\/TS$/);
    expect(lines.find((l) => l.startsWith('lpm-large ') && /\swasm\s/.test(l))).toMatch(/packets\/s\s+.*\d\.\d\dx$/);
    expect(lines.find((l) => l.startsWith('conntrack-insert ') && /\sts\s/.test(l))).toMatch(/packets\/s/);
    expect(r.stdout).toContain('smoke run');
    if (process.platform === 'linux') expect(r.stdout).toMatch(/^hypervisor steal: kernels \d+%/m);
  });

  it('log suite: append, replay and stateAt figures in events and queries', () => {
    const r = podnet(['bench', '--suite', 'log', '--smoke', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.results.map((x) => [x.name, x.backend, x.unit])).toEqual([
      ['log-append', '-', 'events'], ['log-replay', '-', 'events'], ['log-state-at', '-', 'ops'],
    ]);
  });

  it('--runs 2: each row is the median of two fresh processes, every run\'s rate kept', () => {
    const r = podnet(['bench', '--suite', 'log', '--smoke', '--runs', '2', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.runs).toBe(2);
    expect(report.results.map((x) => x.name)).toEqual(['log-append', 'log-replay', 'log-state-at']);
    for (const x of report.results) {
      expect(x.runs).toHaveLength(2);
      expect(x.opsPerSec).toBeCloseTo((x.runs![0]! + x.runs![1]!) / 2, 6);
      expect(x.meanNs).toBeCloseTo(1e9 / x.opsPerSec, 3);
    }
    const table = podnet(['bench', '--suite', 'log', '--smoke', '--runs', '2']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+BACKEND\s+MEDIAN RATE\s+RUNS \(MIN-MAX\)\s+MEAN/);
    expect(table.stdout).toContain('smoke run, median of 2 runs, each in a fresh process');
  });

  it('rejects --runs that is not a whole number from 1 to 50', () => {
    for (const bad of ['0', '2.5', 'x', '51']) {
      const r = podnet(['bench', '--suite', 'log', '--runs', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`error: --runs ${bad}: give a whole number of runs, 1-50`);
    }
  });

  it('--only: just the named rows, in each fresh process of --runs too', () => {
    const r = podnet(['bench', '--suite', 'kernels,pipeline', '--smoke', '--only', 'lpm-per-node,egress', '--runs', '2', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.results.map((x) => `${x.suite} ${x.name}/${x.backend}`)).toEqual([
      'kernels lpm-per-node/wasm', 'kernels lpm-per-node/ts', 'pipeline egress/wasm', 'pipeline egress/ts',
    ]);
    for (const x of report.results) expect(x.runs).toHaveLength(2);
  });

  it('--only: a name no chosen suite has is refused before anything runs, naming the rows there are', () => {
    const r = podnet(['bench', '--suite', 'kernels', '--only', 'lpm-per-nod']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: --only lpm-per-nod: no such row in kernels; choose from lpm-large, lpm-floor-64MiB, .*lpm-per-node, /);
    // a row of another suite is not one of these
    expect(podnet(['bench', '--suite', 'log', '--only', 'lpm-per-node']).stderr).toMatch(/^error: --only lpm-per-node: no such row in log; choose from log-append, log-replay, log-state-at/);
  });

  it('--only: a known row this run does not make (a floor of another table size) prints what was made, then fails', () => {
    const r = podnet(['bench', '--suite', 'kernels', '--smoke', '--only', 'lpm-per-node,lpm-floor-64MiB']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^lpm-per-node\s+wasm/m);
    expect(r.stderr.trim()).toBe('error: --only lpm-floor-64MiB: this run made no such row (skipped suite, or not at these sizes)');
  });

  it('rejects an unknown suite with one line', () => {
    const r = podnet(['bench', '--suite', 'kernels,gpu']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: --suite gpu: choose from kernels, pipeline, log, envelope/);
  });
});
