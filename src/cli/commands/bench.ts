import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ValidationError } from '../../../engine/errors.js';
import { packageRoot } from '../../../engine/packageRoot.js';
import { combineRuns, runBench, SUITES, type BenchReport } from '../../../bench/runBench.js';
import { type Io, type RegisterVerb, parseOutput } from '../context.js';
import { formatBench } from '../formatBench.js';
import { startProgress } from '../Progress.js';

export interface BenchOptions {
  suite?: string;
  quick?: boolean;
  smoke?: boolean;
  output?: string;
  runs?: string;
  only?: string;
}

/** Most runs `--runs` takes: each is a whole bench process. */
const MAX_RUNS = 50;

/** `--runs 5`: how many processes to run the suites in (1 = this one). */
function parseRuns(v: string | undefined): number {
  if (v === undefined) return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RUNS) throw new ValidationError(`--runs ${v}: give a whole number of runs, 1-${MAX_RUNS}`);
  return n;
}

/** One run of the suites in a fresh podnet process, its JSON report read back. */
function runInChild(suites: string[], o: BenchOptions): Promise<BenchReport> {
  const args = [join(packageRoot(), 'bin', 'podnet.js'), 'bench', '--suite', suites.join(','), '-o', 'json'];
  if (o.quick) args.push('--quick');
  if (o.smoke) args.push('--smoke');
  if (o.only) args.push('--only', o.only);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as BenchReport);
      else reject(new Error(`bench run in a child process failed (exit ${code}): ${err.trim().split('\n')[0] ?? ''}`));
    });
  });
}

/** `--suite kernels,log`: every name must be a known suite; none means all of them. */
function parseSuites(text: string | undefined): string[] {
  const known = Object.keys(SUITES);
  if (text === undefined) return known;
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!known.includes(n)) throw new ValidationError(`--suite ${n}: choose from ${known.join(', ')}`);
  if (names.length === 0) throw new ValidationError(`--suite: name one of ${known.join(', ')}`);
  return names;
}

/** `--only lpm-per-node,lpm-large`: row names, each one the chosen suites can make. */
function parseOnly(text: string | undefined, suites: string[]): string[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const rows = suites.flatMap((s) => SUITES[s]!.rows);
  if (names.length === 0) throw new ValidationError(`--only: name one or more rows of ${suites.join(', ')}: ${rows.join(', ')}`);
  for (const n of names) if (!rows.includes(n)) throw new ValidationError(`--only ${n}: no such row in ${suites.join(', ')}; choose from ${rows.join(', ')}`);
  return names;
}

/** Every --only name must have made a row (a floor row exists at some sizes only): say so after the rows that were made. */
function checkOnly(only: string[] | undefined, report: BenchReport): void {
  const missing = only?.filter((n) => !report.results.some((r) => r.name === n)) ?? [];
  if (missing.length) throw new ValidationError(`--only ${missing.join(',')}: this run made no such row (skipped suite, or not at these sizes)`);
}

/** `podnet bench`: the table on stdout (or the JSON report), progress on stderr only on a terminal. */
export async function benchCommand(io: Io, o: BenchOptions): Promise<void> {
  const suites = parseSuites(o.suite);
  const format = parseOutput(o.output, ['table', 'json']);
  const runs = parseRuns(o.runs);
  const only = parseOnly(o.only, suites);
  const progress = startProgress(io, 'bench', runs > 1 ? runs : suites.length);
  let report: BenchReport;
  try {
    if (runs === 1) report = await runBench({ suites, quick: !!o.quick, smoke: !!o.smoke, only, onSuite: (name, i) => progress.update(i, name) });
    else {
      const reports: BenchReport[] = [];
      for (let r = 0; r < runs; r++) {
        progress.update(r, `run ${r + 1}/${runs}`);
        reports.push(await runInChild(suites, o));
      }
      report = combineRuns(reports);
    }
  } finally {
    progress.stop();
  }
  for (const s of report.skipped) io.err(`warning: suite ${s.suite} skipped: ${s.reason}`);
  io.out(format === 'json' ? JSON.stringify(report, null, 2) : formatBench(report));
  checkOnly(only, report); // after the rows that were made
}

export const registerBench: RegisterVerb = (program, io) => {
  program.command('bench')
    .description(`run the benchmark suites (${Object.keys(SUITES).join(', ')}) on both datapath backends`)
    .option('--suite <names>', 'only these suites, comma-separated')
    .option('--quick', 'smaller tables and shorter times: under a minute')
    .option('--smoke', 'tiny sizes, only checks that the suites run (figures mean nothing)')
    .option('--only <rows>', 'only these rows, comma-separated (kernels and pipeline skip building the others)')
    .option('--runs <n>', 'run the suites n times, each in a fresh process, and report each row\'s median run and range')
    .option('-o, --output <fmt>', 'json: the whole report, { machine, node, date, results: [...] }')
    .addHelpText('after', '\nExamples:\n  podnet bench --quick\n  podnet bench --suite kernels,pipeline --runs 5\n  podnet bench --suite kernels --only lpm-per-node --runs 5\n  podnet bench --suite kernels -o json > kernels.json\n  npm run bench')
    .action((o) => benchCommand(io, o));
};
