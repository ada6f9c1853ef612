/**
 * One row of a benchmark table. `opsPerSec` counts the unit of work a suite names
 * (packets for the datapath kernels, not calls); `meanNs` and `p99Ns` are per op.
 */
export interface BenchResult {
  suite: string;
  name: string;
  backend: 'wasm' | 'ts' | '-';
  opsPerSec: number;
  meanNs: number;
  p99Ns: number;
  samples: number;
  /** wasm rows: opsPerSec divided by the ts row's of the same name. */
  ratioToTs?: number;
  note?: string;
  /** What `opsPerSec` counts; the harness fills it from the suite when a suite leaves it out. */
  unit?: BenchUnit;
  /** `podnet bench --runs N`: each run's opsPerSec, in run order (opsPerSec is their median). */
  runs?: number[];
  /** Whole-run figures, for suites that time one long run (envelope). */
  wallMs?: number;
  peakRssBytes?: number;
}

/** The unit of work a result counts: packets through the datapath, events through the log, or calls. */
export type BenchUnit = 'packets' | 'events' | 'ops';
