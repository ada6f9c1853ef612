// The benchmark table: one row per (name, backend), rates in the unit each suite counts.
import type { BenchReport } from '../../bench/runBench.js';
import type { BenchResult } from '../../bench/BenchResult.js';
import { formatTable } from './table.js';

/** 12345678 -> "12.3M": three significant figures are all a benchmark honestly has. */
export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return '-';
  for (const [div, suffix] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (n >= div) return `${(n / div).toPrecision(3)}${suffix}`;
  return n.toPrecision(3);
}

/** Nanoseconds in the unit that keeps 3 significant figures readable: 41.2 ns, 3.10 µs, 1.25 s. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  for (const [div, unit] of [[1e9, 's'], [1e6, 'ms'], [1e3, 'µs']] as const) if (ns >= div) return `${(ns / div).toPrecision(3)} ${unit}`;
  return `${ns.toPrecision(3)} ns`;
}

const rateCell = (r: BenchResult) => `${formatRate(r.opsPerSec)} ${r.unit ?? 'ops'}/s`;
/** The slowest and fastest run of a row measured several times. */
const rangeCell = (r: BenchResult) => (r.runs?.length ? `${formatRate(Math.min(...r.runs))}-${formatRate(Math.max(...r.runs))}` : '');

/** The table `podnet bench` prints, then the notes (table sizes, memory) and what was skipped. */
export function formatBench(report: BenchReport): string {
  const several = (report.runs ?? 1) > 1;
  const rows = report.results.map((r) => [
    r.name, r.backend, rateCell(r), ...(several ? [rangeCell(r)] : []), formatNs(r.meanNs), formatNs(r.p99Ns), String(r.samples),
    r.ratioToTs !== undefined ? `${r.ratioToTs.toFixed(2)}x` : '',
  ]);
  const lines = [formatTable(['NAME', 'BACKEND', several ? 'MEDIAN RATE' : 'RATE', ...(several ? ['RUNS (MIN-MAX)'] : []), 'MEAN', 'P99', 'SAMPLES', 'WASM/TS'], rows)];
  const notes = report.results.filter((r) => r.note && r.backend !== 'ts').map((r) => `  ${r.name}: ${r.note}`);
  if (notes.length) lines.push('', 'notes:', ...notes);
  for (const s of report.skipped) lines.push('', `skipped ${s.suite}: ${s.reason}`);
  if (report.stealPct) {
    const steal = Object.entries(report.stealPct);
    const busy = steal.some(([, p]) => p >= 5);
    lines.push('', `hypervisor steal: ${steal.map(([suite, p]) => `${suite} ${p}%`).join(', ')}${busy ? ' (other guests took CPU time: figures under steal are low; rerun when it is near 0)' : ''}`);
  }
  const m = report.machine;
  lines.push('', `${report.mode} run${several ? `, median of ${report.runs} runs, each in a fresh process` : ''}, ${report.date}, ${m.cpu} (${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB${m.hugePages ? `, huge pages ${m.hugePages}` : ''}), node ${report.node}${report.commit ? `, commit ${report.commit}` : ''}`);
  return lines.join('\n');
}
