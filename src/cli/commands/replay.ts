import { readFileSync } from 'node:fs';
import { PodnetError, ValidationError } from '../../../engine/errors.js';
import { formatDuration, parseScenario, runScenario, type RunSummary, type Scenario } from '../../scenario/index.js';
import { replayWithReport, type ReplayReport } from '../../scenario/replayReport.js';
import { dbOption, type RegisterVerb, dbPath, parseBackend, parseOutput, type Io } from '../context.js';
import { startProgress } from '../Progress.js';
import { formatTable } from '../table.js';

export interface ReplayOptions {
  db?: string;
  force?: boolean;
  backend?: string;
  workers?: string;
  output?: string;
}

function readScenario(io: Io, file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new PodnetError('NOT_FOUND', `${file}: no such scenario file`);
  }
  const sc = parseScenario(text, file);
  for (const w of sc.warnings) io.err(`warning: ${w}`);
  return sc;
}

/** Read and run a scenario file into a new log (cluster events only, no report). */
export function replayScenarioFile(io: Io, file: string, db: string, overwrite: boolean): RunSummary {
  const sc = readScenario(io, file);
  const progress = startProgress(io, `replay ${file}`, sc.steps.length); // stderr, terminals only, after 1 s
  try {
    return runScenario(sc, db, { overwrite, onStep: (done) => progress.update(done) });
  } finally {
    progress.stop();
  }
}

/** `--workers 2` or `--workers 1,2` (one traffic run per count). */
function parseWorkers(v: string | undefined): number[] {
  if (v === undefined) return [];
  const list = v.split(',').map((x) => Number(x.trim()));
  if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) {
    throw new ValidationError(`--workers ${v}: give a number of worker threads (1-64), or a list such as 1,2 to compare`);
  }
  return list;
}

const num = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
const SHOW_BROKEN = 20;

function brokenRows(r: ReplayReport): string[][] {
  return r.traffic.broken.slice(0, SHOW_BROKEN).map((f) => [
    f.failedNode, `${f.from} ${f.src}`, `${f.to} ${f.dst}`, f.service ?? '',
    `${f.before.deliveredTo ?? '-'} on ${f.before.node ?? '-'}`,
    f.after.verdict === 'DELIVERED' ? `re-routed: ${f.after.deliveredTo} on ${f.after.node ?? '-'}` : `${f.after.verdict} ${f.after.reason ?? ''}`.trim(),
  ]);
}

function printReport(io: Io, r: ReplayReport): void {
  const t = r.traffic;
  io.out(`replayed ${r.file} into ${r.db}: ${r.steps} steps, ${num(r.events)} events in ${secs(r.eventsWallMs)} (${num(r.eventsPerSec)} events/s); wall ${secs(r.wallMs)}, peak RSS ${mib(r.peakRssBytes)}`);
  io.out(`cluster ${r.cluster.name}: ${r.cluster.nodes} nodes, ${r.cluster.pods} pods, ${r.cluster.services} services, ${r.cluster.workloads} workloads`);
  const where = t.workers ? `${t.workers} worker${t.workers > 1 ? 's' : ''}` : 'in-process';
  io.out(`traffic (${t.backend}, ${where}): ${num(t.packets)} packets in ${t.steps.length} steps, forwarded in ${secs(t.forwardMs)} (${num(t.packetsPerSec)} packets/s); ${t.loads} table builds ${secs(t.loadMs)}; traffic phase ${secs(t.wallMs)}`);
  if (t.unsent) io.out(`not sent: ${num(t.unsent)} packets (${Object.entries(t.unsentReasons).map(([k, n]) => `${k}: ${num(n)}`).join('; ')})`);
  if (Object.keys(t.dispositions).length) io.out(formatTable(['DISPOSITION', 'PACKETS'], Object.entries(t.dispositions).map(([k, n]) => [k, num(n)])));
  for (const f of t.failures) io.out(`${f.node} failed at ${formatDuration(f.time)} (seq ${f.seq}): ${num(f.probedFlows)} delivered flows probed (${num(t.probePackets)} probe packets, ${secs(t.probeMs)}), ${num(f.broken)} broken`);
  if (t.broken.length) {
    io.out(formatTable(['FAILED', 'SOURCE', 'DESTINATION', 'SERVICE', 'BEFORE', 'AFTER'], brokenRows(r)));
    if (t.broken.length > SHOW_BROKEN) io.out(`... and ${t.broken.length - SHOW_BROKEN} more broken flows (-o json lists them all)`);
  }
  if (r.scaling.length > 1) {
    io.out(formatTable(['WORKERS', 'FORWARDING', 'PACKETS/S', 'SPEEDUP', 'TABLE BUILDS', 'TRAFFIC WALL', 'SAME COUNTS'], r.scaling.map((s) => [
      String(s.workers), secs(s.forwardMs), num(s.packetsPerSec), `${s.speedup.toFixed(2)}x`, secs(s.loadMs), secs(s.wallMs), s.sameCounts ? 'yes' : 'NO',
    ])));
  }
}

/** `podnet replay SCENARIO` */
export async function replayCommand(io: Io, file: string, o: ReplayOptions): Promise<void> {
  const format = parseOutput(o.output, ['table', 'json']);
  const backend = parseBackend(o.backend ?? 'wasm');
  const workers = parseWorkers(o.workers);
  const db = dbPath(o.db);
  const sc = readScenario(io, file);
  let progress = startProgress(io, `replay ${file}`, sc.steps.length); // stderr, terminals only, after 1 s
  let phase = 'events';
  let report: ReplayReport;
  try {
    report = await replayWithReport(sc, db, {
      overwrite: !!o.force, backend, workers,
      onStep: (done) => progress.update(done),
      onTraffic: (done, total) => {
        if (phase !== 'traffic' && workers.length) { progress.stop(); progress = startProgress(io, 'forwarding', total); phase = 'traffic'; }
        if (workers.length) progress.update(done, `(${workers.join(',')} workers)`);
      },
    });
  } finally {
    progress.stop();
  }
  if (format === 'json') { io.out(JSON.stringify(report, null, 2)); return; }
  printReport(io, report);
  const bad = report.scaling.find((s) => !s.sameCounts);
  if (bad) io.err(`warning: ${bad.workers} workers gave other counts than ${report.scaling[0]!.workers}; the report shows the first`);
}

export const registerReplay: RegisterVerb = (program, io) => {
  program.command('replay <scenario>')
    .description("run a scenario file (cluster: and steps:) into a new event log, forward its traffic, and report")
    .addOption(dbOption())
    .option('--force', 'replace the --db file if it exists')
    .option('--backend <name>', 'datapath backend: wasm or ts', 'wasm')
    .option('--workers <n>', 'forward on N worker threads after the replay (flows split by hash); a list such as 1,2 runs each and compares')
    .option('-o, --output <fmt>', 'json')
    .addHelpText('after', '\nExamples:\n  podnet replay examples/demo.yaml --db demo.db\n  podnet replay envelope.json --db envelope.db --workers 1,2 -o json')
    .action((file, o) => replayCommand(io, file, o));
};
