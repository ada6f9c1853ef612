// The one place that runs benchmark suites and collects their results, for
// `podnet bench` and `npm run bench`. Suites only measure; this adds what makes figures
// comparable across runs and commits: the machine, Node's version, the date, the commit.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import type { BenchResult, BenchUnit } from './BenchResult.js';
import { SuiteSkipped } from './SuiteSkipped.js';
import { envelopeSuite } from './envelope.js';
import { KERNEL_ROWS, kernelsSuite } from './kernels.js';
import { logSuite } from './log.js';
import { CASES, pipelineSuite } from './pipeline.js';

/** How big a run is: full (the published figures), quick (under a minute), smoke (tiny: checks that a suite runs). */
export interface SuiteOptions {
  quick: boolean;
  /** Smallest sizes and times; figures mean nothing. For tests of the harness. */
  smoke?: boolean;
  /**
   * Only these rows (by name, e.g. lpm-per-node): runBench drops the others, and a
   * suite that can (kernels, pipeline) does not build or measure them at all.
   */
  only?: readonly string[];
}

/** A suite: measures and returns its rows. Throws SuiteSkipped when it cannot run here. */
export type Suite = (opts: SuiteOptions) => Promise<BenchResult[]>;

/**
 * A suite, the unit its rows count when they do not say (by result name), and the names
 * of the rows it can make (`--only` is checked against them before anything runs).
 */
interface SuiteEntry { run: Suite; unit: (name: string) => BenchUnit; rows: readonly string[] }

/** Every suite, in run order. */
export const SUITES: Record<string, SuiteEntry> = {
  kernels: {
    unit: () => 'packets',
    rows: KERNEL_ROWS,
    run: (o) => kernelsSuite({ quick: o.quick || !!o.smoke, only: o.only, ...(o.smoke ? { sizes: { lpmPrefixes: 2000, nodes: 20, ctFlows: 500, vectors: 2, timeMs: 20 } } : {}) }),
  },
  pipeline: {
    unit: () => 'packets',
    rows: CASES.map((c) => c.name),
    run: (o) => pipelineSuite({ quick: o.quick || !!o.smoke, only: o.only, ...(o.smoke ? { nodes: 20, timeMs: 20 } : {}) }),
  },
  log: {
    // a stateAt query is one op (open, fold, close), not an event
    unit: (name) => (name === 'log-state-at' ? 'ops' : 'events'),
    rows: ['log-append', 'log-replay', 'log-state-at'],
    run: (o) => logSuite({ quick: o.quick || !!o.smoke, ...(o.smoke ? { sizes: { pods: 500, appendEvents: 1000, rounds: 1, queries: 2 } } : {}) }),
  },
  envelope: {
    unit: () => 'events',
    rows: ['envelope-replay'],
    run: (o) => envelopeSuite({ quick: o.quick || !!o.smoke, ...(o.smoke ? { sizes: { nodes: 20, pods: 200, services: 20, runs: 1 } } : {}) }),
  },
};

/** The machine a run measured, as `-o json` and bench/README.md report it. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryBytes: number;
  platform: string;
  arch: string;
  /** 1-minute load average when the run started: other work competing for the CPU. */
  load1: number;
  /**
   * Linux transparent huge pages mode (`always`, `madvise`, `never`); absent off Linux.
   * V8 does not ask for huge pages, so under `madvise` the 64 MiB LPM shadow and the
   * floor rows pay a TLB miss per random load: `always` measured x1.35-1.45 on
   * lpm-floor-64MiB and x1.1-1.2 on lpm-large (bench/README.md).
   */
  hugePages?: string;
}

/** A whole run: `podnet bench -o json` prints exactly this. */
export interface BenchReport {
  machine: MachineInfo;
  node: string;
  date: string;
  commit?: string;
  mode: 'full' | 'quick' | 'smoke';
  results: BenchResult[];
  /**
   * Per suite, the percentage of the machine's CPU time the hypervisor gave to other
   * guests while it ran (Linux /proc/stat "steal"); absent where the system does not
   * say. On a shared VM the figures drop with it: a row measured under 20% steal is
   * not this machine's capacity.
   */
  stealPct?: Record<string, number>;
  /** Suites that could not run here, and why. */
  skipped: { suite: string; reason: string }[];
  /**
   * Runs combined into this report (`podnet bench --runs N`), each in a fresh process;
   * absent for one run. Each row is then the median run, with every run's rate in
   * BenchResult.runs, and stealPct is the mean over the runs.
   */
  runs?: number;
}

export interface RunBenchOptions extends SuiteOptions {
  suites: string[];
  /** Called before each suite starts (progress display). */
  onSuite?: (suite: string, index: number, total: number) => void;
}

function machine(): MachineInfo {
  const c = cpus();
  const hugePages = hugePagesMode();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown', cores: c.length, memoryBytes: totalmem(), platform: platform(), arch: arch(), load1: loadavg()[0] ?? 0,
    ...(hugePages ? { hugePages } : {}),
  };
}

/** The selected mode in /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never" -> madvise). */
function hugePagesMode(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined; // not Linux, or no THP: the report says nothing
  }
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined; // not a checkout (an installed package): the report simply has no commit
  }
}

/** CPU time so far, all CPUs (clock ticks): total and stolen, from /proc/stat's first line; undefined off Linux. */
function cpuTicks(): { total: number; steal: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return undefined;
    return { total: f.reduce((a, b) => a + b, 0), steal: f[7]! };
  } catch {
    return undefined;
  }
}

/** wasm rows get ratioToTs from the ts row of the same suite and name, when a suite left it out. */
function withRatios(rows: BenchResult[]): BenchResult[] {
  return rows.map((r) => {
    if (r.backend !== 'wasm' || r.ratioToTs !== undefined) return r;
    const ts = rows.find((x) => x.backend === 'ts' && x.suite === r.suite && x.name === r.name);
    return ts ? { ...r, ratioToTs: r.opsPerSec / ts.opsPerSec } : r;
  });
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * One report from several runs of the same suites (each from its own process): per row,
 * the median rate, p99 and WASM/TS ratio (each run's ratio is of two rows measured side
 * by side, so it is the ratio's median, not the medians' ratio), the samples summed,
 * and every run's rate kept in `runs`. A process's figures differ from the next one's
 * by more than a run's samples do on a shared machine (where pages land, which
 * neighbours share the core), so a median over processes is the figure to compare.
 * The machine, date and commit are the first run's; steal is the mean per suite.
 */
export function combineRuns(reports: readonly BenchReport[]): BenchReport {
  const first = reports[0];
  if (!first) throw new Error('combineRuns: no reports');
  if (reports.length === 1) return first;
  const key = (r: BenchResult) => `${r.suite}\0${r.name}\0${r.backend}`;
  const results = first.results.map((row) => {
    const same = reports.map((rep, i) => {
      const r = rep.results.find((x) => key(x) === key(row));
      if (!r) throw new Error(`combineRuns: run ${i + 1} has no ${row.suite} ${row.name} ${row.backend} row`);
      return r;
    });
    const opsPerSec = median(same.map((r) => r.opsPerSec));
    const ratios = same.flatMap((r) => (r.ratioToTs === undefined ? [] : [r.ratioToTs]));
    const combined: BenchResult = {
      ...row, opsPerSec, meanNs: 1e9 / opsPerSec, p99Ns: median(same.map((r) => r.p99Ns)),
      samples: same.reduce((a, r) => a + r.samples, 0), runs: same.map((r) => r.opsPerSec),
    };
    if (row.wallMs !== undefined) combined.wallMs = median(same.map((r) => r.wallMs ?? 0));
    if (row.peakRssBytes !== undefined) combined.peakRssBytes = Math.max(...same.map((r) => r.peakRssBytes ?? 0));
    if (ratios.length) combined.ratioToTs = median(ratios);
    return combined;
  });
  const report: BenchReport = { ...first, results, runs: reports.length };
  const suites = Object.keys(first.stealPct ?? {});
  if (suites.length) {
    report.stealPct = Object.fromEntries(suites.map((s) => [s, Math.round(reports.reduce((a, r) => a + (r.stealPct?.[s] ?? 0), 0) / reports.length)]));
  }
  return report;
}

/** Run the named suites in order (unknown names must be rejected by the caller: see SUITES). */
export async function runBench(o: RunBenchOptions): Promise<BenchReport> {
  const report: BenchReport = {
    machine: machine(), node: process.version, date: new Date().toISOString(), commit: gitCommit(),
    mode: o.smoke ? 'smoke' : o.quick ? 'quick' : 'full', results: [], skipped: [],
  };
  for (const [i, name] of o.suites.entries()) {
    const entry = SUITES[name];
    if (!entry) throw new Error(`runBench: unknown suite ${name}`);
    o.onSuite?.(name, i, o.suites.length);
    try {
      const before = cpuTicks();
      const rows = (await entry.run({ quick: o.quick, smoke: o.smoke, only: o.only })).filter((r) => !o.only || o.only.includes(r.name));
      const after = cpuTicks();
      if (before && after && after.total > before.total) {
        (report.stealPct ??= {})[name] = Math.round((100 * (after.steal - before.steal)) / (after.total - before.total));
      }
      report.results.push(...withRatios(rows.map((r) => ({ ...r, unit: r.unit ?? entry.unit(r.name) }))));
    } catch (e) {
      if (!(e instanceof SuiteSkipped)) throw e;
      report.skipped.push({ suite: name, reason: e.message });
    }
  }
  return report;
}
