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
}
