import type { Projection } from '../../engine/replay/index.js';
import { digestOf } from '../../engine/replay/index.js';
import { type ClusterState, initialClusterState } from './ClusterState.js';
import { clusterDirectFolds, evolveCluster } from './evolve.js';
import { PodTable, type PodTableSnapshot } from './PodTable.js';
import { nsKey, workloadKey, type ClusterConfig, type Endpoints, type Ingress, type Node, type Service, type Workload } from './types.js';

/** What a snapshot stores: the objects; the index is built when a controller first asks. */
interface ClusterSnapshot {
  config?: ClusterConfig;
  nodes: Node[];
  namespaces: string[];
  /** Column by column (see PodTable). */
  pods: PodTableSnapshot;
  workloads: Workload[];
  services: Service[];
  endpoints: Endpoints[];
  ingresses: Ingress[];
  /** Nodes joined so far. */
  nodeSerial: number;
  seq: number;
  time: number;
}

function toSnapshot(s: ClusterState): ClusterSnapshot {
  return {
    config: s.config, nodes: [...s.nodes.values()], namespaces: [...s.namespaces], pods: s.pods.toSnapshot(),
    workloads: [...s.workloads.values()], services: [...s.services.values()], endpoints: [...s.endpoints.values()],
    ingresses: [...s.ingresses.values()], nodeSerial: s.nodeSerial, seq: s.seq, time: s.time,
  };
}

function fromSnapshot(data: unknown): ClusterState {
  const snap = data as ClusterSnapshot;
  const s = initialClusterState();
  if (snap.config) s.config = snap.config;
  for (const n of snap.nodes) s.nodes.set(n.name, n);
  s.nodeSerial = snap.nodeSerial;
  for (const ns of snap.namespaces) s.namespaces.add(ns);
  for (const svc of snap.services) {
    const key = nsKey(svc.namespace, svc.name);
    s.services.set(key, svc);
    if (svc.clusterIP !== 'None') s.serviceIps.set(svc.clusterIP, key);
    if (svc.loadBalancerIP) s.serviceIps.set(svc.loadBalancerIP, key);
    for (const p of svc.ports) if (p.nodePort) s.nodePorts.set(p.nodePort, key);
  }
  s.pods = PodTable.restore(snap.pods);
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
  /** 2: pod keys stored (podKeys). 3: pods stored column by column (PodTable). */
  version: 3,
  initialState: initialClusterState,
  evolve: evolveCluster,
  direct: clusterDirectFolds,
  toSnapshot,
  fromSnapshot,
};

/**
 * A digest of the cluster's objects (not of where in the log they were read): equal
 * digests mean equal clusters. `podnet get --digest` prints it. Pods are digested as
 * objects, so a digest does not depend on how the projection stores them.
 */
export function clusterDigest(s: ClusterState): string {
  return digestOf({
    config: s.config, nodes: [...s.nodes.values()], namespaces: [...s.namespaces], pods: [...s.pods.values()],
    workloads: [...s.workloads.values()], services: [...s.services.values()], endpoints: [...s.endpoints.values()],
    ingresses: [...s.ingresses.values()], nodeSerial: s.nodeSerial,
  });
}
