import type { Projection } from '../../engine/replay/index.js';
import { digestOf } from '../../engine/replay/index.js';
import { type ClusterState, initialClusterState } from './ClusterState.js';
import { evolveCluster } from './evolve.js';
import { nsKey, workloadKey, type ClusterConfig, type Endpoints, type Ingress, type Node, type Pod, type Service, type Workload } from './types.js';

/** What a snapshot stores: the objects; the index is built when a controller first asks. */
interface ClusterSnapshot {
  config?: ClusterConfig;
  nodes: Node[];
  namespaces: string[];
  pods: Pod[];
  /**
   * The pods' keys, in the same order: read back as strings ready to hash, where
   * building each key again (a concatenation V8 must flatten before hashing) was a
   * fifth of a restore. Left out of the digest (it restates the pods).
   */
  podKeys: string[];
  workloads: Workload[];
  services: Service[];
  endpoints: Endpoints[];
  ingresses: Ingress[];
  /** Nodes joined so far (absent in older snapshots: then the highest index + 1). */
  nodeSerial?: number;
  seq: number;
  time: number;
}

function toSnapshot(s: ClusterState): ClusterSnapshot {
  return {
    config: s.config, nodes: [...s.nodes.values()], namespaces: [...s.namespaces], pods: [...s.pods.values()], podKeys: [...s.pods.keys()],
    workloads: [...s.workloads.values()], services: [...s.services.values()], endpoints: [...s.endpoints.values()],
    ingresses: [...s.ingresses.values()], nodeSerial: s.nodeSerial, seq: s.seq, time: s.time,
  };
}

function fromSnapshot(data: unknown): ClusterState {
  const snap = data as ClusterSnapshot;
  const s = initialClusterState();
  if (snap.config) s.config = snap.config;
  for (const n of snap.nodes) s.nodes.set(n.name, n);
  s.nodeSerial = snap.nodeSerial ?? Math.max(-1, ...snap.nodes.map((n) => n.index)) + 1;
  for (const ns of snap.namespaces) s.namespaces.add(ns);
  for (const svc of snap.services) {
    const key = nsKey(svc.namespace, svc.name);
    s.services.set(key, svc);
    if (svc.clusterIP !== 'None') s.serviceIps.set(svc.clusterIP, key);
    if (svc.loadBalancerIP) s.serviceIps.set(svc.loadBalancerIP, key);
    for (const p of svc.ports) if (p.nodePort) s.nodePorts.set(p.nodePort, key);
  }
  const { pods, podKeys } = snap;
  if (podKeys?.length !== pods.length) throw new Error('cluster snapshot: podKeys does not match pods'); // the snapshot is then ignored
  for (let i = 0; i < pods.length; i++) s.pods.set(podKeys[i]!, pods[i]!);
  for (const w of snap.workloads) s.workloads.set(workloadKey(w.kind, w.namespace, w.name), w);
  for (const e of snap.endpoints) s.endpoints.set(nsKey(e.namespace, e.name), e);
  for (const i of snap.ingresses) s.ingresses.set(nsKey(i.namespace, i.name), i);
  s.seq = snap.seq;
  s.time = snap.time;
  return s;
}

/** The cluster projection: all objects at a point of the log. */
export const clusterProjection: Projection<ClusterState> = {
  name: 'cluster',
  /** 2: pod keys stored (podKeys). */
  version: 2,
  initialState: initialClusterState,
  evolve: evolveCluster,
  toSnapshot,
  fromSnapshot,
};

/**
 * A digest of the cluster's objects (not of where in the log they were read): equal
 * digests mean equal clusters. `podnet get --digest` prints it.
 */
export function clusterDigest(s: ClusterState): string {
  const { seq: _seq, time: _time, podKeys: _podKeys, ...objects } = toSnapshot(s);
  return digestOf(objects);
}
