// PodCreated and PodScheduled folded straight from their stored fields (the cluster's
// direct folds) against the same events decoded and given to evolve: the same pods, in
// the same order, byte for byte, whatever the events hold.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventCodec, type EncodedEvent, type EventSchema } from '../../../engine/codec/index.js';
import { CorruptLogError } from '../../../engine/errors.js';
import { EventLog } from '../../../engine/log/index.js';
import { encodeSnapshot, Replayer } from '../../../engine/replay/index.js';
import { clusterCodec, clusterDigest, clusterEventSchemas, clusterProjection, type ClusterEventMap, type ClusterState } from '../../../src/cluster/index.js';
import { DEFAULT_CLUSTER_CONFIG } from '../../../src/control/index.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
let n = 0;
const fresh = () => EventLog.open(join(dir, `direct-${++n}.db`));

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

/** Cluster events with pods of every kind of spec, bound in and out of order, deleted and created again. */
function clusterEvents(c: EventCodec, pods: number, seed: number): EncodedEvent[] {
  const r = rng(seed);
  const out: EncodedEvent[] = [c.encode(0, 'ClusterCreated', 'cluster/c', { ...DEFAULT_CLUSTER_CONFIG })];
  for (let i = 0; i < 4; i++) {
    out.push(c.encode(0, 'NodeJoined', `node/n${i}`, { name: `n${i}`, role: 'worker', labels: {}, taints: [], podCidr: `10.244.${i}.0/24`, ip: `172.18.0.${i}`, publicIp: '198.51.100.1' }));
  }
  const pending: { namespace: string; name: string }[] = [];
  for (let i = 0; i < pods; i++) {
    const namespace = r() % 4 === 0 ? 'kube-system' : 'default';
    const name = `${r() % 23 === 0 ? 'pö' : 'p'}-${r() % (pods >> 1)}`; // some keys are created again, some are not ASCII
    const owner = r() % 5 === 0 ? undefined : { kind: 'ReplicaSet', name: `rs-${r() % 3}` };
    const d: ClusterEventMap['PodCreated'] = {
      namespace, name, labels: { app: `a${r() % 2}` },
      containers: [{ name: 'c', image: r() % 3 === 0 ? 'nginx' : 'redis', ports: [] }],
      nodeSelector: r() % 6 === 0 ? { disk: 'ssd' } : undefined, tolerations: r() % 7 === 0 ? [{ key: 'k', operator: 'Exists' }] : undefined,
      hostNetwork: r() % 8 === 0 ? true : undefined, owner: owner as ClusterEventMap['PodCreated']['owner'], targetNode: r() % 9 === 0 ? 'n1' : undefined,
    };
    out.push(c.encode(i, 'PodCreated', `pod/${namespace}/${name}`, d));
    pending.push({ namespace, name });
    while (pending.length > 0 && r() % 3 !== 0) {
      const p = pending.splice(r() % 4 === 0 ? r() % pending.length : 0, 1)[0]!; // mostly in creation order
      const ip = r() % 10 === 0 ? `fd00::${i}` : `10.244.${i >> 8}.${i & 255}`;
      const node = r() % 17 === 0 ? `nœud-${r() % 2}` : `n${r() % 40}`; // names past ASCII are coded from their string
      out.push(c.encode(i, 'PodScheduled', `pod/${p.namespace}/${p.name}`, { ...p, node, ip }));
    }
    if (r() % 11 === 0) out.push(c.encode(i, 'PodUnschedulable', `pod/${namespace}/${name}`, { namespace, name, reason: 'Unschedulable', message: 'no node' }));
    if (r() % 13 === 0) out.push(c.encode(i, 'PodDeleted', `pod/${namespace}/${name}`, { namespace, name, reason: 'evicted' }));
  }
  return out;
}

/** The state a replay gives, folding directly or only through evolve. */
function replay(log: EventLog, codec: EventCodec, direct: boolean): ClusterState {
  const projection = direct ? clusterProjection : { ...clusterProjection, direct: undefined };
  return new Replayer(log, codec, projection, { snapshotEvery: 0 }).stateAt().state;
}

/** Everything a state holds, as the bytes of its snapshot, and its digest. */
const image = (s: ClusterState) => ({ snapshot: Buffer.from(encodeSnapshot(clusterProjection.toSnapshot(s))).toString('base64'), digest: clusterDigest(s), seq: s.seq, time: s.time });

describe('cluster direct folds', () => {
  it('given any mix of pod events, then folding PodCreated and PodScheduled directly gives the same state, byte for byte', () => {
    for (const seed of [1, 2, 3]) {
      const log = fresh();
      log.append(clusterEvents(clusterCodec(), 600, seed));
      expect(image(replay(log, clusterCodec(), true))).toEqual(image(replay(log, clusterCodec(), false)));
      log.close();
    }
  });

  it('given a state whose pod IPs and controllers\' index are built, then folding directly keeps them as evolve does', () => {
    const log = fresh();
    log.append(clusterEvents(clusterCodec(), 600, 7));
    const watched = (direct: boolean) => {
      const r = new Replayer(log, clusterCodec(), direct ? clusterProjection : { ...clusterProjection, direct: undefined }, { snapshotEvery: 0 });
      const at = r.stateAt({ seq: 300 });
      void at.state.podIps;
      void at.state.index;
      const s = r.fold(at, log.lastSeq()).state;
      return { ...image(s), podIps: [...s.podIpsBuilt!], byNode: [...s.indexed!.podsByNode].map(([k, v]) => [k, [...v]]) };
    };
    expect(watched(true)).toEqual(watched(false));
    log.close();
  });

  it('given PodScheduled events of an older schema version among current ones, then they are upcast and the state is the same', () => {
    // An older podnet stored PodScheduled's ip before its node; this one reads that as version 1.
    const v1Fields = ['namespace', 'name', 'ip', 'node'];
    const withVersion = (version: number, fields: readonly string[], extra: Partial<EventSchema> = {}) =>
      clusterEventSchemas.map((s) => (s.type === 'PodScheduled' ? { ...s, version, fields, ...extra } : s));
    const older = new EventCodec().register(...withVersion(1, v1Fields));
    const current = () => new EventCodec().register(...withVersion(2, clusterEventSchemas.find((s) => s.type === 'PodScheduled')!.fields, { oldFields: { 1: v1Fields }, upcasters: { 1: (d) => ({ ...d }) } }));
    const log = fresh();
    const events = clusterEvents(older, 400, 4);
    const rewritten = clusterEvents(current(), 400, 4);
    // The first half as the older podnet wrote it, the rest as this one does.
    log.append([...events.slice(0, events.length >> 1), ...rewritten.slice(events.length >> 1)]);
    expect(events.slice(0, events.length >> 1).some((e) => e.type === 'PodScheduled' && e.version === 1)).toBe(true);
    const reference = fresh();
    reference.append(clusterEvents(clusterCodec(), 400, 4));
    const want = image(replay(reference, clusterCodec(), false));
    expect(image(replay(log, current(), true))).toEqual(want);
    expect(image(replay(log, current(), false))).toEqual(want);
    log.close();
    reference.close();
  });

  it('given a pod event whose field holds another type, then it is folded as evolve folds it', () => {
    const c = clusterCodec();
    const log = fresh();
    const events = clusterEvents(c, 50, 5);
    events.push(c.encode(99, 'PodCreated', 'pod/default/odd', { namespace: 'default', name: 42 as unknown as string, labels: {}, containers: [] }));
    events.push(c.encode(99, 'PodScheduled', 'pod/default/odd', { namespace: 'default', name: 42 as unknown as string, node: 'n1', ip: 7 as unknown as string }));
    log.append(events);
    expect(image(replay(log, clusterCodec(), true))).toEqual(image(replay(log, clusterCodec(), false)));
    log.close();
  });

  it('given a corrupt PodScheduled payload, then the replay stops there, naming its sequence number', () => {
    const c = clusterCodec();
    const log = fresh();
    const events = clusterEvents(c, 50, 6);
    const at = events.findIndex((e, i) => i > 20 && e.type === 'PodScheduled');
    events[at] = { ...events[at]!, payload: events[at]!.payload.slice(0, -2) };
    log.append(events);
    const r = new Replayer(log, clusterCodec(), clusterProjection, { snapshotEvery: 0 });
    expect(() => r.stateAt()).toThrow(CorruptLogError);
    expect(() => r.stateAt()).toThrow(`event log: sequence ${at + 1}: PodScheduled payload does not decode as msgpack`);
    log.close();
  });
});
