import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { EventLog } from '../../engine/log/index.js';
import { Replayer, type LogPoint, type StateAt } from '../../engine/replay/index.js';
import { clusterCodec, clusterProjection, type ClusterState } from '../cluster/index.js';

/**
 * Open a log for a query. Writable when the file allows it, because the first replay
 * past every N events leaves snapshots behind that make later queries fast; read-only
 * otherwise (a write-protected log is still queried, only slower).
 */
export function openForQuery(dbPath: string): EventLog {
  // An empty file must not be turned into a log by a query: it stays read-only (and is refused).
  if (existsSync(dbPath) && statSync(dbPath).size > 0) {
    try {
      accessSync(dbPath, constants.W_OK);
      return EventLog.open(dbPath);
    } catch {
      // not writable (or locked): fall through to a read-only open, which names any real problem
    }
  }
  return EventLog.open(dbPath, { readonly: true });
}

/** The cluster at a point of a log file. */
export function clusterAt(dbPath: string, at: LogPoint): StateAt<ClusterState> {
  const log = openForQuery(dbPath);
  try {
    return new Replayer(log, clusterCodec(), clusterProjection).stateAt(at);
  } finally {
    log.close();
  }
}
