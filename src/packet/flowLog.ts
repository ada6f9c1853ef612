// The flow log, computed on demand: replay the event log, keep the cluster state
// current, and forward every TrafficSent event through the bulk forwarder on one
// datapath, so conntrack and the bridges' FDBs evolve with the traffic as they would
// on the nodes. Nothing is stored: the log is the source of truth, and a replay is
// deterministic (the random draws are hashes of the flow).
import { createDatapath, type Backend, type Datapath } from '../../engine/datapath/index.js';
import { EventLog } from '../../engine/log/index.js';
import { Replayer, type LogPoint } from '../../engine/replay/index.js';
import { clusterCodec, clusterProjection, initialClusterState, type ClusterState } from '../cluster/index.js';
import { forwardTraffic, type FlowRecord, type TrafficSpec } from './BulkForwarder.js';
import { ForwardingContext } from './ForwardingContext.js';

/** What replaying the traffic of a log leaves behind. */
export interface TrafficReplay {
  flows: FlowRecord[];
  /** The datapath with the dynamic state (conntrack, FDB) at the end of the replay. */
  dp: Datapath;
  ctx?: ForwardingContext;
  state: ClusterState;
}

/** Replay a log up to `toSeq`, forwarding every TrafficSent event; flows in event order. */
export function replayTraffic(log: EventLog, toSeq: number, backend: Backend = 'wasm'): TrafficReplay {
  const dp = createDatapath(backend);
  const flows: FlowRecord[] = [];
  const replayer = new Replayer(log, clusterCodec(), clusterProjection);
  let ctx: ForwardingContext | undefined;
  let dirty = true;
  const end = replayer.fold({ state: initialClusterState(), seq: 0, time: 0, fromSnapshot: 0 }, Math.min(toSeq, log.lastSeq()), (e, state) => {
    if (e.type !== 'TrafficSent') { dirty = true; return; }
    if (!ctx) ctx = ForwardingContext.of(dp, state);
    else if (dirty) ctx.load(state);
    dirty = false;
    ctx.now = e.time;
    ctx.dp.ctExpire(e.time);
    try {
      flows.push(...forwardTraffic(ctx, e.data as unknown as TrafficSpec, e.seq).flows);
    } catch {
      // A TrafficSent naming something gone (a deleted pod) has no flows to show.
    }
  });
  return { flows, dp, ctx, state: end.state };
}

/** Replay the traffic of a log file up to a point (`--at`), read-only. */
export function trafficAt(dbPath: string, at: LogPoint, backend: Backend = 'wasm'): TrafficReplay & { seq: number; time: number } {
  const log = EventLog.open(dbPath, { readonly: true });
  try {
    const seq = new Replayer(log, clusterCodec(), clusterProjection).seqOf(at);
    const r = replayTraffic(log, seq, backend);
    return { ...r, seq, time: r.state.time };
  } finally {
    log.close();
  }
}
