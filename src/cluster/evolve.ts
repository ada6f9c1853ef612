import type { EventEnvelope } from '../../engine/codec/index.js';
import type { ClusterEventMap, ClusterEventType } from './events.js';
import { type ClusterState, workloadKey } from './ClusterState.js';
import { nsKey, type Pod } from './types.js';

/** The apiserver's Service, whose endpoints are the control-plane nodes (not pods). */
export const API_SERVER_SERVICE = 'default/kubernetes';

type Handlers = { [T in ClusterEventType]: (s: ClusterState, d: ClusterEventMap[T], time: number) => void };

/** How each event changes the cluster. Mutates in place (see Projection). */
const handlers: Handlers = {
  ClusterCreated(s, d) { s.config = d; s.namespaces.add('default'); s.namespaces.add('kube-system'); },
  NodeJoined(s, d, time) {
    s.nodes.set(d.name, { ...d, ready: true, unschedulable: false, index: s.index.nodeSerial++, joinedAt: time });
    nodeReadinessChanged(s, d.name, d.role);
  },
  NodeFailed(s, d) {
    const n = s.nodes.get(d.name);
    if (n) { n.ready = false; nodeReadinessChanged(s, d.name, n.role); s.index.lostNodes.add(d.name); }
  },
  NodeRecovered(s, d) {
    const n = s.nodes.get(d.name);
    if (n) { n.ready = true; nodeReadinessChanged(s, d.name, n.role); }
  },
  NodeCordoned(s, d) { const n = s.nodes.get(d.name); if (n) n.unschedulable = true; },
  NodeUncordoned(s, d) { const n = s.nodes.get(d.name); if (n) n.unschedulable = false; },
  NodeLabeled(s, d) { const n = s.nodes.get(d.name); if (n) n.labels = d.labels; s.index.nodesChanged = true; },
  NodeRemoved(s, d) {
    const n = s.nodes.get(d.name);
    s.nodes.delete(d.name);
    if (n) { nodeReadinessChanged(s, d.name, n.role); s.index.lostNodes.add(d.name); }
  },
  NamespaceCreated(s, d) { s.namespaces.add(d.name); },
  WorkloadApplied(s, d, time) {
    const key = workloadKey(d.kind, d.namespace, d.name);
    const old = s.workloads.get(key);
    s.workloads.set(key, { ...d, createdAt: old?.createdAt ?? time, generation: old?.generation ?? 0 });
    s.index.dirtyWorkloads.add(key);
  },
  WorkloadScaled(s, d) {
    const key = workloadKey(d.kind, d.namespace, d.name);
    const w = s.workloads.get(key);
    if (w) { w.replicas = d.replicas; s.index.dirtyWorkloads.add(key); }
  },
  WorkloadDeleted(s, d) {
    const key = workloadKey(d.kind, d.namespace, d.name);
    s.workloads.delete(key);
    s.index.dirtyWorkloads.add(key);
  },
  PodCreated(s, d, time) {
    const key = nsKey(d.namespace, d.name);
    const pod: Pod = { ...d, phase: 'Pending', createdAt: time };
    s.pods.set(key, pod);
    const owner = ownerKey(pod);
    s.index.podCreated(key, pod, owner);
    if (owner) {
      const w = s.workloads.get(owner);
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
    // `delete` turns an object into a slow dictionary: only when there is something to drop.
    if (p.reason !== undefined || p.message !== undefined) { delete p.reason; delete p.message; }
    s.podIps.set(d.ip, key);
    s.index.podBound(key, p, s.services);
  },
  PodUnschedulable(s, d) {
    const p = s.pods.get(nsKey(d.namespace, d.name));
    if (p) { p.reason = d.reason; p.message = d.message; }
  },
  PodDeleted(s, d) {
    const key = nsKey(d.namespace, d.name);
    const p = s.pods.get(key);
    if (!p) return;
    if (p.ip && s.podIps.get(p.ip) === key) s.podIps.delete(p.ip);
    s.pods.delete(key);
    s.index.podDeleted(key, p, ownerKey(p), s.services);
  },
  ServiceApplied(s, d, time) {
    const key = nsKey(d.namespace, d.name);
    const old = s.services.get(key);
    if (old) releaseServiceAddresses(s, key);
    const svc = { ...d, createdAt: old?.createdAt ?? time };
    s.services.set(key, svc);
    s.index.serviceApplied(key, svc, old);
    if (d.clusterIP !== 'None') s.serviceIps.set(d.clusterIP, key);
    if (d.loadBalancerIP) s.serviceIps.set(d.loadBalancerIP, key);
    for (const p of d.ports) if (p.nodePort) s.nodePorts.set(p.nodePort, key);
  },
  ServiceDeleted(s, d) {
    const key = nsKey(d.namespace, d.name);
    releaseServiceAddresses(s, key);
    const old = s.services.get(key);
    if (old) s.index.serviceDeleted(key, old);
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

function ownerKey(p: Pod): string | undefined {
  return p.owner ? workloadKey(p.owner.kind, p.namespace, p.owner.name) : undefined;
}

/**
 * A node became (un)ready or left: Services selecting its pods must re-check their
 * endpoints, and a control-plane node backs the apiserver's `default/kubernetes`.
 */
function nodeReadinessChanged(s: ClusterState, name: string, role: string): void {
  for (const key of s.index.podsByNode.get(name) ?? []) {
    const p = s.pods.get(key);
    if (p) s.index.podChanged(p, s.services);
  }
  if (role === 'control-plane') s.index.dirtyServices.add(API_SERVER_SERVICE);
  s.index.nodesChanged = true;
}

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
