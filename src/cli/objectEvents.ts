// The Events: section of `podnet describe`: kubectl shows what controllers and the
// kubelet reported about an object; podnet has the real record, its event log, so the
// section is the log's events about the object, worded as Kubernetes words them.
import { EventLog, type StoredEvent } from '../../engine/log/index.js';
import { clusterCodec } from '../cluster/index.js';
import { humanDuration } from './humanDuration.js';

/** One row of the Events: table: Type, Reason, Age, From, Message. */
export interface ObjectEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  time: number;
  from: string;
  message: string;
}

type Data = Record<string, unknown>;
type Wording = (d: Data, stream: string) => Omit<ObjectEvent, 'time'> | undefined;

/** Event type -> how kubectl would show it on the object the event is about. */
const WORDING: Record<string, Wording> = {
  PodScheduled: (d) => ({ type: 'Normal', reason: 'Scheduled', from: 'default-scheduler', message: `Successfully assigned ${d.namespace}/${d.name} to ${d.node}` }),
  PodUnschedulable: (d) => ({ type: 'Warning', reason: 'FailedScheduling', from: 'default-scheduler', message: String(d.message) }),
  PodDeleted: (d) => ({ type: 'Normal', reason: 'Killing', from: 'kubelet', message: `Stopping pod (${d.reason})` }),
  NodeJoined: (d) => ({ type: 'Normal', reason: 'RegisteredNode', from: 'node-controller', message: `Node ${d.name} event: Registered Node ${d.name} in Controller` }),
  NodeFailed: (d) => ({ type: 'Normal', reason: 'NodeNotReady', from: 'node-controller', message: `Node ${d.name} status is now: NodeNotReady` }),
  NodeRecovered: (d) => ({ type: 'Normal', reason: 'NodeReady', from: 'kubelet', message: `Node ${d.name} status is now: NodeReady` }),
  NodeCordoned: (d) => ({ type: 'Normal', reason: 'NodeNotSchedulable', from: 'kubelet', message: `Node ${d.name} status is now: NodeNotSchedulable` }),
  NodeUncordoned: (d) => ({ type: 'Normal', reason: 'NodeSchedulable', from: 'kubelet', message: `Node ${d.name} status is now: NodeSchedulable` }),
  WorkloadScaled: (d) => ({ type: 'Normal', reason: d.kind === 'Deployment' ? 'ScalingReplicaSet' : 'Scaled', from: `${String(d.kind).toLowerCase()}-controller`, message: `Scaled to ${d.replicas} replicas` }),
};

/** On a workload: the pods its controller created and deleted (events on the pods' streams). */
const OWNED: Record<string, Wording> = {
  PodCreated: (d) => ({ type: 'Normal', reason: 'SuccessfulCreate', from: `${String((d.owner as { kind: string }).kind).toLowerCase()}-controller`, message: `Created pod: ${d.name}` }),
  PodDeleted: (d) => ({ type: 'Normal', reason: 'SuccessfulDelete', from: 'controller', message: `Deleted pod: ${d.name}` }),
};

/**
 * Events about one object up to `toSeq`, oldest first. `stream` is the log stream of the
 * object (`pod/default/x`, `node/w1`, `replicaset/default/web`); for a workload, `owner`
 * adds its pods' creations and deletions.
 */
export function objectEvents(dbPath: string, stream: string, toSeq: number, owner?: { kind: string; namespace: string; name: string }): ObjectEvent[] {
  const log = EventLog.open(dbPath, { readonly: true });
  const codec = clusterCodec();
  try {
    const rows: { e: StoredEvent; wording: Wording }[] = log.readStream(stream, toSeq).flatMap((e) => (WORDING[e.type] ? [{ e, wording: WORDING[e.type]! }] : []));
    if (owner) {
      // generated pod names are `<owner>-<suffix>`: only those streams can hold its pods
      const created = new Set<string>();
      for (const ps of log.streams(`pod/${owner.namespace}/${owner.name}-`)) {
        for (const e of log.readStream(ps, toSeq)) {
          if (e.type === 'PodCreated' && (codec.decode(e.type, e.version, e.payload).owner as { name?: string } | undefined)?.name === owner.name) created.add(ps);
          if (OWNED[e.type] && created.has(ps)) rows.push({ e, wording: OWNED[e.type]! });
        }
      }
    }
    rows.sort((a, b) => a.e.seq - b.e.seq);
    return rows.flatMap(({ e, wording }) => {
      const w = wording(codec.decode(e.type, e.version, e.payload), e.stream);
      return w ? [{ ...w, time: e.time }] : [];
    });
  } finally {
    log.close();
  }
}

/** The Events: rows as kubectl prints them (Age relative to `now`, the point shown). */
export function eventRows(events: ObjectEvent[], now: number): string[][] {
  return events.map((e) => [e.type, e.reason, humanDuration(now - e.time), e.from, e.message]);
}
