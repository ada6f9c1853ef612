import { EventLog } from '../../engine/log/index.js';
import { Replayer, type LogPoint, type StateAt } from '../../engine/replay/index.js';
import { clusterCodec, clusterProjection, type ClusterState } from '../cluster/index.js';

/** The cluster at a point of a log file (read-only). */
export function clusterAt(dbPath: string, at: LogPoint): StateAt<ClusterState> {
  const log = EventLog.open(dbPath, { readonly: true });
  try {
    return new Replayer(log, clusterCodec(), clusterProjection).stateAt(at);
  } finally {
    log.close();
  }
}
