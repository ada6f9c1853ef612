import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PodnetError } from '../../../engine/errors.js';
import { EventLog } from '../../../engine/log/index.js';
import { packageRoot } from '../../../engine/packageRoot.js';
import { dbOption, type RegisterVerb, dbPath, type Io } from '../context.js';
import { getCommand } from './get.js';
import { replayScenarioFile } from './replay.js';
import { traceCommand, type TraceOptions } from './trace.js';
import { clusterCodec } from '../../cluster/index.js';
import { readEvents } from '../../query/events.js';
import { formatDuration } from '../../scenario/index.js';
import { formatTimeline } from '../formatTimeline.js';

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
  io.out('What happened (from the event log; `podnet log` has every event):');
  const log = EventLog.open(db, { readonly: true });
  try { io.out(formatTimeline(readEvents(log, clusterCodec())).join('\n')); } finally { log.close(); }
  const s = r.state;
  const failure = firstFailure(db);
  if (failure !== undefined) {
    io.out(`\n$ podnet get pods -o wide --at ${formatDuration(failure - 1000)}   # just before the node failure`);
    getCommand(io, 'pods', undefined, { db, output: 'wide', at: formatDuration(failure - 1000) });
  }
  io.out('\n$ podnet get nodes -o wide');
  getCommand(io, 'nodes', undefined, { db, output: 'wide' });
  io.out('\n$ podnet get pods -o wide');
  getCommand(io, 'pods', undefined, { db, output: 'wide' });
  io.out('\n$ podnet get svc,ep');
  getCommand(io, 'svc,ep', undefined, { db });
  const client = s.pods.get('default/client');
  const peer = [...s.pods.values()].find((p) => p.owner?.name === 'nginx-rs' && p.node === client?.node && p.phase === 'Running');
  const show = (args: string, src: string, dst: string, opts: Partial<TraceOptions>) => {
    io.out(`\n$ podnet trace ${args}`);
    traceCommand(io, src, dst, { db, backend: o.backend, ...opts });
  };
  if (client && peer) show(`pod/client pod/${peer.name} --port 80   # pod to pod, same node`, 'pod/client', `pod/${peer.name}`, { port: '80' });
  if (client) show('pod/client pod/client --port 8080   # container to container', 'pod/client', 'pod/client', { port: '8080' });
  if (client && s.services.has('default/nginx')) show('pod/client svc/nginx --reply   # pod to Service: DNAT, and the reply un-NATed', 'pod/client', 'svc/nginx', { reply: true });
  if (s.services.get('default/nginx-lb')?.loadBalancerIP) show('internet svc/nginx-lb   # internet to a LoadBalancer Service', 'internet', 'svc/nginx-lb', {});
  io.out(`\nNext (all with --db ${db}): podnet describe node worker-c | podnet history node/worker-c | podnet diff --from 60s --to 80s | podnet routes worker-a | podnet iptables worker-a | podnet trace pod/client internet`);
}

/** Scenario time of the first NodeFailed event, if any. */
function firstFailure(db: string): number | undefined {
  const log = EventLog.open(db, { readonly: true });
  try { return readEvents(log, clusterCodec(), { types: ['NodeFailed'] })[0]?.time; } finally { log.close(); }
}

export const registerDemo: RegisterVerb = (program, io) => {
  program.command('demo')
    .description("replay the bundled demo (the seeds' cluster) into the log and show what happened")
    .addOption(dbOption())
    .option('--backend <name>', 'datapath backend: wasm or ts', 'wasm')
    .addHelpText('after', '\nExample:\n  podnet demo --db /tmp/demo.db')
    .action((o) => demoCommand(io, o));
};
