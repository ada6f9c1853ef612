import type { EventEnvelope } from '../../engine/codec/index.js';
import type { ClusterEventMap, ClusterEventType } from './events.js';
import { type ClusterState, workloadKey } from './ClusterState.js';
import { nsKey } from './types.js';

type Handlers = { [T in ClusterEventType]: (s: ClusterState, d: ClusterEventMap[T], time: number) => void };

/** How each event changes the cluster. Mutates in place (see Projection). */
const handlers: Handlers = {
  ClusterCreated(s, d) { s.config = d; s.namespaces.add('default'); s.namespaces.add('kube-system'); },
  NodeJoined(s, d, time) {
    s.nodes.set(d.name, { ...d, ready: true, unschedulable: false, index: s.nodes.size, joinedAt: time });
  },
  NodeFailed(s, d) { const n = s.nodes.get(d.name); if (n) n.ready = false; },
  NodeRecovered(s, d) { const n = s.nodes.get(d.name); if (n) n.ready = true; },
  NodeCordoned(s, d) { const n = s.nodes.get(d.name); if (n) n.unschedulable = true; },
  NodeUncordoned(s, d) { const n = s.nodes.get(d.name); if (n) n.unschedulable = false; },
  NodeLabeled(s, d) { const n = s.nodes.get(d.name); if (n) n.labels = d.labels; },
  NodeRemoved(s, d) { s.nodes.delete(d.name); },
  NamespaceCreated(s, d) { s.namespaces.add(d.name); },
  WorkloadApplied(s, d, time) {
    const key = workloadKey(d.kind, d.namespace, d.name);
    const old = s.workloads.get(key);
    s.workloads.set(key, { ...d, createdAt: old?.createdAt ?? time, generation: old?.generation ?? 0 });
  },
  WorkloadScaled(s, d) { const w = s.workloads.get(workloadKey(d.kind, d.namespace, d.name)); if (w) w.replicas = d.replicas; },
  WorkloadDeleted(s, d) { s.workloads.delete(workloadKey(d.kind, d.namespace, d.name)); },
  PodCreated(s, d, time) {
    s.pods.set(nsKey(d.namespace, d.name), { ...d, phase: 'Pending', createdAt: time });
    if (d.owner) {
      const w = s.workloads.get(workloadKey(d.owner.kind, d.namespace, d.owner.name));
      if (w) w.generation++;
    }
  },
  PodScheduled(s, d, time) {
    const key = nsKey(d.namespace, d.name);
    const p = s.pods.get(key);
    if (!p) return;
    p.node = d.node;
    p.ip = d.ip;
    p.phase = 'Running';
    p.startedAt = time;
    delete p.reason;
    delete p.message;
    s.podIps.set(d.ip, key);
  },
  PodUnschedulable(s, d) {
    const p = s.pods.get(nsKey(d.namespace, d.name));
    if (p) { p.reason = d.reason; p.message = d.message; }
  },
  PodDeleted(s, d) {
    const key = nsKey(d.namespace, d.name);
    const p = s.pods.get(key);
    if (p?.ip && s.podIps.get(p.ip) === key) s.podIps.delete(p.ip);
    s.pods.delete(key);
  },
  ServiceApplied(s, d, time) {
    const key = nsKey(d.namespace, d.name);
    const old = s.services.get(key);
    if (old) releaseServiceAddresses(s, key);
    s.services.set(key, { ...d, createdAt: old?.createdAt ?? time });
    if (d.clusterIP !== 'None') s.serviceIps.set(d.clusterIP, key);
    if (d.loadBalancerIP) s.serviceIps.set(d.loadBalancerIP, key);
    for (const p of d.ports) if (p.nodePort) s.nodePorts.set(p.nodePort, key);
  },
  ServiceDeleted(s, d) {
    const key = nsKey(d.namespace, d.name);
    releaseServiceAddresses(s, key);
    s.services.delete(key);
    s.endpoints.delete(key);
  },
  EndpointsChanged(s, d) { s.endpoints.set(nsKey(d.namespace, d.name), { ...d }); },
  IngressApplied(s, d, time) {
    const key = nsKey(d.namespace, d.name);
    s.ingresses.set(key, { ...d, createdAt: s.ingresses.get(key)?.createdAt ?? time });
  },
  IngressDeleted(s, d) { s.ingresses.delete(nsKey(d.namespace, d.name)); },
  TrafficSent() { /* traffic changes dynamic datapath state, not the cluster objects */ },
};

function releaseServiceAddresses(s: ClusterState, key: string): void {
  const svc = s.services.get(key);
  if (!svc) return;
  if (s.serviceIps.get(svc.clusterIP) === key) s.serviceIps.delete(svc.clusterIP);
  if (svc.loadBalancerIP && s.serviceIps.get(svc.loadBalancerIP) === key) s.serviceIps.delete(svc.loadBalancerIP);
  for (const p of svc.ports) if (p.nodePort && s.nodePorts.get(p.nodePort) === key) s.nodePorts.delete(p.nodePort);
}

/** Fold one event into the cluster. Never throws; unknown types leave the state as it was. */
export function evolveCluster(state: ClusterState, e: EventEnvelope): ClusterState {
  const h = handlers[e.type as ClusterEventType] as ((s: ClusterState, d: unknown, t: number) => void) | undefined;
  if (h) h(state, e.data, e.time);
  state.seq = e.seq;
  state.time = e.time;
  return state;
}
