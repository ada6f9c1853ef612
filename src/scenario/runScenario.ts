import { existsSync, renameSync, rmSync } from 'node:fs';
import type { EventEnvelope } from '../../engine/codec/index.js';
import { EventLog } from '../../engine/log/index.js';
import { PodnetError } from '../../engine/errors.js';
import { clusterCodec, type ClusterState } from '../cluster/index.js';
import { LiveCluster } from '../control/index.js';
import type { Scenario, ScenarioStep } from './parseScenario.js';

export interface RunSummary {
  events: number;
  steps: number;
  wallMs: number;
  state: ClusterState;
}

export interface RunOptions {
  /** Replace an existing file at dbPath. Without it, an existing file is an error. */
  overwrite?: boolean;
  /** Called after each step with (done, total). */
  onStep?: (done: number, total: number) => void;
  /** Called before each step with the state before it (live: read it now). */
  onBeforeStep?: (step: ScenarioStep, state: ClusterState) => void;
  /** Called after each step with the events it produced and the state they left (live). */
  onStepEvents?: (events: EventEnvelope[], state: ClusterState) => void;
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

/**
 * Run a scenario into a new event log at dbPath: the cluster and its nodes, then each
 * step at its time, controllers deciding as they go. The log is written to a temporary
 * file and renamed into place only when every step succeeded, so a failing scenario
 * leaves no half-written log and never touches an existing one.
 */
export function runScenario(sc: Scenario, dbPath: string, opts: RunOptions = {}): RunSummary {
  if (existsSync(dbPath) && !opts.overwrite) {
    throw new PodnetError('EXISTS', `${dbPath} already exists; choose another --db file or pass --force to replace it`);
  }
  const tmp = `${dbPath}.tmp-${process.pid}`;
  removeDb(tmp);
  const started = performance.now();
  const log = EventLog.open(tmp, { create: true });
  let ok = false;
  try {
    log.setMeta('source', sc.file);
    const cluster = new LiveCluster(log, clusterCodec());
    cluster.execute({ type: 'CreateCluster', config: sc.config }, 0);
    for (const n of sc.nodes) cluster.execute({ type: 'AddNode', name: n.name, role: n.role, labels: n.labels }, 0);
    sc.steps.forEach((s, i) => {
      opts.onBeforeStep?.(s, cluster.state);
      let made: EventEnvelope[];
      try {
        made = cluster.execute(s.command, s.at);
      } catch (e) {
        if (e instanceof PodnetError) throw new PodnetError(e.code, `${sc.file}: ${s.where}: ${e.message}`);
        throw e;
      }
      opts.onStepEvents?.(made, cluster.state);
      opts.onStep?.(i + 1, sc.steps.length);
    });
    const summary = { events: log.lastSeq(), steps: sc.steps.length, wallMs: performance.now() - started, state: cluster.state };
    ok = true;
    return summary;
  } finally {
    log.close();
    if (ok) {
      removeDb(dbPath);
      renameSync(tmp, dbPath);
    }
    removeDb(tmp);
  }
}
