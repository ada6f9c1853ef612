import { ValidationError } from '../../../engine/errors.js';
import { runBench, SUITES, type BenchReport } from '../../../bench/runBench.js';
import { type Io, type RegisterVerb, parseOutput } from '../context.js';
import { formatBench } from '../formatBench.js';
import { startProgress } from '../Progress.js';

export interface BenchOptions {
  suite?: string;
  quick?: boolean;
  smoke?: boolean;
  output?: string;
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

/** `podnet bench`: the table on stdout (or the JSON report), progress on stderr only on a terminal. */
export async function benchCommand(io: Io, o: BenchOptions): Promise<void> {
  const suites = parseSuites(o.suite);
  const format = parseOutput(o.output, ['table', 'json']);
  const progress = startProgress(io, 'bench', suites.length);
  let report: BenchReport;
  try {
    report = await runBench({ suites, quick: !!o.quick, smoke: !!o.smoke, onSuite: (name, i) => progress.update(i, name) });
  } finally {
    progress.stop();
  }
  for (const s of report.skipped) io.err(`warning: suite ${s.suite} skipped: ${s.reason}`);
  io.out(format === 'json' ? JSON.stringify(report, null, 2) : formatBench(report));
}

export const registerBench: RegisterVerb = (program, io) => {
  program.command('bench')
    .description(`run the benchmark suites (${Object.keys(SUITES).join(', ')}) on both datapath backends`)
    .option('--suite <names>', 'only these suites, comma-separated')
    .option('--quick', 'smaller tables and shorter times: under a minute')
    .option('--smoke', 'tiny sizes, only checks that the suites run (figures mean nothing)')
    .option('-o, --output <fmt>', 'json: the whole report, { machine, node, date, results: [...] }')
    .addHelpText('after', '\nExamples:\n  podnet bench --quick\n  podnet bench --suite kernels -o json > kernels.json\n  npm run bench')
    .action((o) => benchCommand(io, o));
};
