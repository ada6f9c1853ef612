import { readFileSync } from 'node:fs';
import { PodnetError } from '../../../engine/errors.js';
import { parseScenario, runScenario, type RunSummary } from '../../scenario/index.js';
import { dbOption, type RegisterVerb, dbPath, type Io } from '../context.js';
import { startProgress } from '../Progress.js';

export interface ReplayOptions {
  db?: string;
  force?: boolean;
}

/** Read and run a scenario file into a new log. */
export function replayScenarioFile(io: Io, file: string, db: string, overwrite: boolean): RunSummary {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new PodnetError('NOT_FOUND', `${file}: no such scenario file`);
  }
  const sc = parseScenario(text, file);
  for (const w of sc.warnings) io.err(`warning: ${w}`);
  const progress = startProgress(io, `replay ${file}`, sc.steps.length); // stderr, terminals only, after 1 s
  try {
    return runScenario(sc, db, { overwrite, onStep: (done) => progress.update(done) });
  } finally {
    progress.stop();
  }
}

/** `podnet replay SCENARIO` */
export function replayCommand(io: Io, file: string, o: ReplayOptions): void {
  const db = dbPath(o.db);
  const r = replayScenarioFile(io, file, db, !!o.force);
  const s = r.state;
  io.out(`replayed ${file} into ${db}: ${r.steps} steps, ${r.events} events in ${r.wallMs.toFixed(0)} ms (${Math.round(r.events / (r.wallMs / 1000)).toLocaleString('en-US')} events/s)`);
  io.out(`cluster ${s.config!.name}: ${s.nodes.size} nodes, ${s.pods.size} pods, ${s.services.size} services, ${s.workloads.size} workloads`);
}

export const registerReplay: RegisterVerb = (program, io) => {
  program.command('replay <scenario>')
    .description('run a scenario file (cluster: and steps:) into a new event log')
    .addOption(dbOption())
    .option('--force', 'replace the --db file if it exists')
    .addHelpText('after', '\nExample:\n  podnet replay examples/demo.yaml --db demo.db')
    .action((file, o) => replayCommand(io, file, o));
};
