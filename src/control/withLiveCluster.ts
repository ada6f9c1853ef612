import { existsSync } from 'node:fs';
import { PodnetError } from '../../engine/errors.js';
import { EventLog } from '../../engine/log/index.js';
import { clusterCodec } from '../cluster/index.js';
import type { Command } from './commands.js';
import { LiveCluster } from './LiveCluster.js';

/** Commands typed after a log was written happen this long after its last event, so `--at` tells them apart. */
export const COMMAND_GAP_MS = 1000;

/**
 * Run commands against an existing log, as kubectl does against a running cluster:
 * replay it, execute each command 1 s after the last event, append, close. A missing
 * log is an error: podnet never invents a cluster the user did not describe.
 */
export function withLiveCluster<T>(dbPath: string, run: (c: LiveCluster, exec: (cmd: Command) => ReturnType<LiveCluster['execute']>) => T): T {
  if (!existsSync(dbPath)) {
    throw new PodnetError('NOT_FOUND', `${dbPath}: no such event log; create a cluster first with 'podnet demo --db ${dbPath}' or 'podnet replay SCENARIO --db ${dbPath}'`);
  }
  const log = EventLog.open(dbPath);
  try {
    const c = new LiveCluster(log, clusterCodec());
    if (!c.state.config) throw new PodnetError('ILLEGAL_STATE', `${dbPath}: the log holds no cluster; create one with 'podnet replay SCENARIO --db ${dbPath}'`);
    return run(c, (cmd) => c.execute(cmd, c.state.time + COMMAND_GAP_MS));
  } finally {
    log.close();
  }
}
