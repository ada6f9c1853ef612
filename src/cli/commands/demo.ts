import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PodnetError } from '../../../engine/errors.js';
import { EventLog } from '../../../engine/log/index.js';
import { packageRoot } from '../../../engine/packageRoot.js';
import { dbOption, type RegisterVerb, dbPath, type Io } from '../context.js';
import { getCommand } from './get.js';
import { replayScenarioFile } from './replay.js';
import { traceCommand } from './trace.js';

/** The bundled demo scenario. */
export function demoScenarioPath(): string {
  return join(packageRoot(), 'examples', 'demo.yaml');
}

/** May the demo replace this file? Only an earlier demo log: never a log of the user's own. */
function isDemoLog(path: string): boolean {
  try {
    const log = EventLog.open(path, { readonly: true });
    try { return (log.meta('source') ?? '').endsWith('demo.yaml'); } finally { log.close(); }
  } catch {
    return false;
  }
}

export interface DemoOptions {
  db?: string;
  backend?: string;
}

/** `podnet demo`: replay the seeds' cluster and show what happened. */
export function demoCommand(io: Io, o: DemoOptions): void {
  const db = dbPath(o.db);
  if (existsSync(db) && !isDemoLog(db)) {
    throw new PodnetError('EXISTS', `${db} exists and is not a demo log; the demo will not overwrite it (use --db OTHER.db)`);
  }
  const file = demoScenarioPath();
  io.out(`# podnet demo: the seeds' cluster (${file.replace(packageRoot() + '/', '')}) -> ${db}\n`);
  const r = replayScenarioFile(io, file, db, true);
  io.out(`replayed ${r.steps} steps: ${r.events} events appended to the log and folded into the cluster\n`);
  io.out('$ podnet get nodes -o wide');
  getCommand(io, 'nodes', undefined, { db, output: 'wide' });
  io.out('\n$ podnet get pods -o wide');
  getCommand(io, 'pods', undefined, { db, output: 'wide' });
  io.out('\n$ podnet get svc');
  getCommand(io, 'svc', undefined, { db });
  io.out('\n$ podnet get endpoints');
  getCommand(io, 'ep', undefined, { db });
  const s = r.state;
  const client = s.pods.get('default/client');
  const peer = [...s.pods.values()].find((p) => p.owner?.name === 'nginx-rs' && p.node === client?.node && p.phase === 'Running');
  if (client && peer) {
    io.out(`\n$ podnet trace pod/client pod/${peer.name} --port 80`);
    traceCommand(io, 'pod/client', `pod/${peer.name}`, { db, port: '80', backend: o.backend });
    io.out(`\n$ podnet trace pod/client pod/client --port 8080   # container to container`);
    traceCommand(io, 'pod/client', 'pod/client', { db, port: '8080', backend: o.backend });
  }
  io.out(`\nNext: podnet get pods -o wide --at 0s | podnet get rs nginx-rs -o yaml | podnet trace --help   (all with --db ${db})`);
}

export const registerDemo: RegisterVerb = (program, io) => {
  program.command('demo')
    .description("replay the bundled demo (the seeds' cluster) into the log and show what happened")
    .addOption(dbOption())
    .option('--backend <name>', 'datapath backend: wasm or ts', 'wasm')
    .addHelpText('after', '\nExample:\n  podnet demo --db /tmp/demo.db')
    .action((o) => demoCommand(io, o));
};
