import type { EventEnvelope } from '../../engine/codec/index.js';
import type { ClusterEventMap, ClusterEventType } from './events.js';
import type { ClusterState, LastPod } from './ClusterState.js';
import { nsKey, ownerKey, workloadKey, type OwnerRef, type Pod, type Service } from './types.js';

/** The apiserver's Service, whose endpoints are the control-plane nodes (not pods). */
export const API_SERVER_SERVICE = 'default/kubernetes';

type Handlers = { [T in ClusterEventType]: (s: ClusterState, d: ClusterEventMap[T], time: number) => void };

/** How each event changes the cluster. Mutates in place (see Projection). */
const handlers: Handlers = {
  ClusterCreated(s, d) { s.config = d; s.namespaces.add('default'); s.namespaces.add('kube-system'); },
  NodeJoined(s, d, time) {
    s.nodes.set(d.name, {
      name: d.name, role: d.role, labels: d.labels, taints: d.taints, podCidr: d.podCidr, ip: d.ip, publicIp: d.publicIp,
      ready: true, unschedulable: false, index: s.nodeSerial++, joinedAt: time,
    });
    nodeReadinessChanged(s, d.name, d.role);
  },
  NodeFailed(s, d) {
    const n = s.nodes.get(d.name);
    if (n) { n.ready = false; nodeReadinessChanged(s, d.name, n.role); s.indexed?.lostNodes.add(d.name); }
  },
  NodeRecovered(s, d) {
    const n = s.nodes.get(d.name);
    if (n) { n.ready = true; nodeReadinessChanged(s, d.name, n.role); }
  },
  NodeCordoned(s, d) { const n = s.nodes.get(d.name); if (n) n.unschedulable = true; },
  NodeUncordoned(s, d) { const n = s.nodes.get(d.name); if (n) n.unschedulable = false; },
  NodeLabeled(s, d) { const n = s.nodes.get(d.name); if (n) n.labels = d.labels; if (s.indexed) s.indexed.nodesChanged = true; },
  NodeRemoved(s, d) {
    const n = s.nodes.get(d.name);
    s.nodes.delete(d.name);
    if (n) { nodeReadinessChanged(s, d.name, n.role); s.indexed?.lostNodes.add(d.name); }
  },
  NamespaceCreated(s, d) { s.namespaces.add(d.name); },
  WorkloadApplied(s, d, time) {
    s.lastPod.pod = undefined; // its workload lookup may be stale now
    const key = workloadKey(d.kind, d.namespace, d.name);
    const old = s.workloads.get(key);
    s.workloads.set(key, {
      kind: d.kind, namespace: d.namespace, name: d.name, replicas: d.replicas, selector: d.selector, template: d.template,
      createdAt: old?.createdAt ?? time, generation: old?.generation ?? 0,
    });
    s.indexed?.dirtyWorkloads.add(key);
  },
  WorkloadScaled(s, d) {
    const key = workloadKey(d.kind, d.namespace, d.name);
    const w = s.workloads.get(key);
    if (w) { w.replicas = d.replicas; s.indexed?.dirtyWorkloads.add(key); }
  },
  WorkloadDeleted(s, d) {
    s.lastPod.pod = undefined;
    const key = workloadKey(d.kind, d.namespace, d.name);
    s.workloads.delete(key);
    s.indexed?.dirtyWorkloads.add(key);
  },
  PodCreated(s, d, time) {
    const key = nsKey(d.namespace, d.name);
    const last = s.lastPod;
    const pod = newPod(d, time, last.pod);
    const size = s.pods.size;
    s.pods.set(key, pod);
    // A key created again replaces a pod that `created` may still hold.
    if (s.pods.size === size || last.created.length >= MAX_CREATED) forgetCreated(last);
    last.created.push(pod);
    // A sibling of the last pod (newPod shared its owner) has its owner key and workload.
    if (last.pod === undefined || pod.owner !== last.pod.owner) {
      last.owner = ownerKey(pod);
      last.workload = last.owner === undefined ? undefined : s.workloads.get(last.owner);
    }
    last.pod = pod;
    s.indexed?.podCreated(key, pod, last.owner);
    if (last.workload) last.workload.generation++;
  },
  PodScheduled(s, d, time) {
    const p = createdPod(s.lastPod, d.namespace, d.name) ?? s.pods.get(nsKey(d.namespace, d.name));
    if (!p) return;
    p.node = d.node;
    p.ip = d.ip;
    p.phase = 'Running';
    p.startedAt = time;
    p.reason = undefined;
    p.message = undefined;
    if (s.podIpsBuilt !== undefined || s.indexed !== undefined) {
      const key = nsKey(d.namespace, d.name);
      s.podIpsBuilt?.set(d.ip, key);
      s.indexed?.podBound(key, p, s.services);
    }
  },
  PodUnschedulable(s, d) {
    const p = s.pods.get(nsKey(d.namespace, d.name));
    if (p) { p.reason = d.reason; p.message = d.message; }
  },
  PodDeleted(s, d) {
    const key = nsKey(d.namespace, d.name);
    const p = s.pods.get(key);
    if (!p) return;
    if (p.ip && s.podIpsBuilt?.get(p.ip) === key) s.podIpsBuilt.delete(p.ip);
    s.pods.delete(key);
    forgetCreated(s.lastPod);
    s.indexed?.podDeleted(key, p, ownerKey(p), s.services);
  },
  ServiceApplied(s, d, time) {
    const key = nsKey(d.namespace, d.name);
    const old = s.services.get(key);
    if (old) releaseServiceAddresses(s, key);
    const svc: Service = {
      namespace: d.namespace, name: d.name, type: d.type, selector: d.selector, ports: d.ports, clusterIP: d.clusterIP,
      loadBalancerIP: d.loadBalancerIP, externalTrafficPolicy: d.externalTrafficPolicy, sessionAffinity: d.sessionAffinity,
      createdAt: old?.createdAt ?? time,
    };
    s.services.set(key, svc);
    s.indexed?.serviceApplied(key, svc, old);
    if (d.clusterIP !== 'None') s.serviceIps.set(d.clusterIP, key);
    if (d.loadBalancerIP) s.serviceIps.set(d.loadBalancerIP, key);
    for (const p of d.ports) if (p.nodePort) s.nodePorts.set(p.nodePort, key);
  },
  ServiceDeleted(s, d) {
    const key = nsKey(d.namespace, d.name);
    releaseServiceAddresses(s, key);
    const old = s.services.get(key);
    if (old) s.indexed?.serviceDeleted(key, old);
    s.services.delete(key);
    s.endpoints.delete(key);
  },
  EndpointsChanged(s, d) { s.endpoints.set(nsKey(d.namespace, d.name), { namespace: d.namespace, name: d.name, endpoints: d.endpoints }); },
  IngressApplied(s, d, time) {
    const key = nsKey(d.namespace, d.name);
    s.ingresses.set(key, {
      namespace: d.namespace, name: d.name, className: d.className, rules: d.rules, defaultBackend: d.defaultBackend,
      createdAt: s.ingresses.get(key)?.createdAt ?? time,
    });
  },
  IngressDeleted(s, d) { s.ingresses.delete(nsKey(d.namespace, d.name)); },
  TrafficSent() { /* traffic changes dynamic datapath state, not the cluster objects */ },
};

/** Most pods `LastPod.created` holds: past it, later PodScheduled events use the Map. */
const MAX_CREATED = 8192;

/** The pod a PodScheduled names if it is the next created one not yet bound (see LastPod.created). */
function createdPod(last: LastPod, namespace: string, name: string): Pod | undefined {
  const p = last.created[last.bound];
  if (p === undefined || p.name !== name || p.namespace !== namespace) return undefined;
  if (++last.bound === last.created.length) forgetCreated(last);
  return p;
}

function forgetCreated(last: LastPod): void {
  last.created.length = 0;
  last.bound = 0;
}

/**
 * A new Pending pod. Every field is spelled out, absent ones as undefined, so all pods
 * share one hidden class: an object spread here gave each of 150,000 pods its own V8
 * map (slow property access, megamorphic handlers, GC of the maps). Digests and
 * snapshots do not see the difference.
 *
 * A workload's pods are created one after another with the same spec, so a part equal
 * to the previous pod's (same owner) is taken from it: replayed pods share their labels and
 * containers as live ones (stamped from one template) do, which saves memory and lets
 * a snapshot store the part once. Nothing mutates these parts in place.
 */
function newPod(d: ClusterEventMap['PodCreated'], time: number, prev: Pod | undefined): Pod {
  const sibling = prev !== undefined && sameOwner(prev.owner, d.owner) ? prev : undefined;
  return {
    namespace: d.namespace, name: d.name,
    labels: sibling && sameData(sibling.labels, d.labels) ? sibling.labels : d.labels,
    containers: sibling && sameData(sibling.containers, d.containers) ? sibling.containers : d.containers,
    nodeSelector: sibling && sameData(sibling.nodeSelector, d.nodeSelector) ? sibling.nodeSelector : d.nodeSelector,
    tolerations: sibling && sameData(sibling.tolerations, d.tolerations) ? sibling.tolerations : d.tolerations,
    hostNetwork: d.hostNetwork,
    owner: sibling ? sibling.owner : d.owner,
    targetNode: d.targetNode,
    phase: 'Pending', reason: undefined, message: undefined, node: undefined, ip: undefined, createdAt: time, startedAt: undefined,
  };
}

function sameOwner(a: OwnerRef | undefined, b: OwnerRef | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.kind === b.kind && a.name === b.name);
}

/**
 * Decoded event data equal by value. Key order is not compared: both copies come from
 * one owner's template, so their keys were written in the same order.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) { if (!sameData(x[k], y[k])) return false; n++; }
  for (const _ in y) n--;
  return n === 0;
}

/**
 * A node became (un)ready or left: Services selecting its pods must re-check their
 * endpoints, and a control-plane node backs the apiserver's `default/kubernetes`.
 */
function nodeReadinessChanged(s: ClusterState, name: string, role: string): void {
  const ix = s.indexed;
  if (!ix) return; // nobody is watching yet: a built index starts with empty work lists
  for (const key of ix.podsByNode.get(name) ?? []) {
    const p = s.pods.get(key);
    if (p) ix.podChanged(p, s.services);
  }
  if (role === 'control-plane') ix.dirtyServices.add(API_SERVER_SERVICE);
  ix.nodesChanged = true;
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
