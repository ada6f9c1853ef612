import type { EventEnvelope, FieldCursor } from '../../engine/codec/index.js';
import type { DirectFold } from '../../engine/replay/index.js';
import { clusterEventFields, type ClusterEventMap, type ClusterEventType } from './events.js';
import type { ClusterState, LastPod } from './ClusterState.js';
import { dottedQuad } from './podColumns.js';
import { nsKey, ownerKey, workloadKey, type Service } from './types.js';

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
    s.lastPod.slot = -1; // its workload lookup may be stale now
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
    s.lastPod.slot = -1;
    const key = workloadKey(d.kind, d.namespace, d.name);
    s.workloads.delete(key);
    s.indexed?.dirtyWorkloads.add(key);
  },
  PodCreated(s, d, time) {
    const last = s.lastPod;
    const r = s.pods.create(d, time, last.slot);
    const slot = r < 0 ? -1 - r : r;
    // A key created again replaces a pod that `created` may still hold.
    if (r < 0 || last.count === last.created.length) forgetCreated(last);
    last.created[last.count++] = slot;
    // A sibling of the last pod (create shared its owner) has its owner key and workload.
    const owner = s.pods.owner(slot);
    if (last.slot < 0 || owner !== s.pods.owner(last.slot)) {
      last.owner = owner ? workloadKey(owner.kind, d.namespace, owner.name) : undefined;
      last.workload = last.owner === undefined ? undefined : s.workloads.get(last.owner);
    }
    last.slot = slot;
    s.indexed?.podCreated(s.pods.key(slot), s.pods.pod(slot), last.owner);
    if (last.workload) last.workload.generation++;
  },
  PodScheduled(s, d, time) {
    const slot = scheduledSlot(s, d.namespace, d.name);
    if (slot >= 0) podBound(s, slot, d.namespace, d.name, d.node, d.ip, time);
  },
  PodUnschedulable(s, d) {
    const slot = s.pods.find(d.namespace, d.name);
    if (slot >= 0) s.pods.unschedulable(slot, d.reason, d.message);
  },
  PodDeleted(s, d) {
    const slot = s.pods.find(d.namespace, d.name);
    if (slot < 0) return;
    const key = nsKey(d.namespace, d.name);
    const ip = s.pods.ip(slot);
    if (ip && s.podIpsBuilt?.get(ip) === key) s.podIpsBuilt.delete(ip);
    const p = s.indexed ? s.pods.pod(slot) : undefined;
    // Compacting renumbers slots: the last pod's is void then.
    if (s.pods.deleteSlot(slot)) s.lastPod.slot = -1;
    forgetCreated(s.lastPod);
    if (p) s.indexed?.podDeleted(key, p, ownerKey(p), s.services);
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

/** The slot of the pod a PodScheduled names, or -1. */
function scheduledSlot(s: ClusterState, namespace: string, name: string): number {
  const slot = createdSlot(s, namespace, name);
  return slot >= 0 ? slot : s.pods.find(namespace, name);
}

/** The pod in `slot` runs on `node` at `ip` (PodScheduled). */
function podBound(s: ClusterState, slot: number, namespace: string, name: string, node: string, ip: string, time: number): void {
  s.pods.bind(slot, node, ip, time);
  if (s.podIpsBuilt !== undefined || s.indexed !== undefined) {
    const key = nsKey(namespace, name);
    s.podIpsBuilt?.set(ip, key);
    s.indexed?.podBound(key, s.pods.pod(slot), s.services);
  }
}

/** The slot of the pod a PodScheduled names if it is the next created one not yet bound (see LastPod.created), or -1. */
function createdSlot(s: ClusterState, namespace: string, name: string): number {
  const last = s.lastPod;
  if (last.bound === last.count) return -1;
  const slot = last.created[last.bound]!;
  if ( s.pods.name(slot) !== name || s.pods.namespace(slot) !== namespace) return -1;
  if (++last.bound === last.count) forgetCreated(last);
  return slot;
}

function forgetCreated(last: LastPod): void {
  last.count = 0;
  last.bound = 0;
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

// The bulk of a scale log, folded from the stored fields (see DirectFold) with what evolve
// uses. PodCreated reads its fields into one reused data object, every field set, and
// hands it to evolve's handler, which keeps no reference to the object itself (only to
// its values). PodScheduled reads its node and IP as bytes: the node's code is found by
// them and a dotted quad is stored as its number, with no string made for either.
const created: ClusterEventMap['PodCreated'] = {
  namespace: '', name: '', labels: {}, containers: [], nodeSelector: undefined, tolerations: undefined,
  hostNetwork: undefined, owner: undefined, targetNode: undefined,
};

/** Events the cluster folds straight from their stored fields (Projection.direct). */
export const clusterDirectFolds: Record<string, DirectFold<ClusterState>> = {
  PodCreated: {
    fields: clusterEventFields.PodCreated,
    fold(s: ClusterState, c: FieldCursor, seq: number, time: number): boolean {
      // Locals first: nothing may change unless every field reads (c.done()).
      const namespace = c.str(), name = c.str(), labels = c.value(), containers = c.value(), nodeSelector = c.value();
      const tolerations = c.value(), hostNetwork = c.value(), owner = c.value(), targetNode = c.str();
      if (!c.done()) return false;
      const d = created as Record<keyof typeof created, unknown>;
      d.namespace = namespace; d.name = name; d.labels = labels; d.containers = containers; d.nodeSelector = nodeSelector;
      d.tolerations = tolerations; d.hostNetwork = hostNetwork; d.owner = owner; d.targetNode = targetNode;
      handlers.PodCreated(s, created, time);
      s.seq = seq;
      s.time = time;
      return true;
    },
  },
  PodScheduled: {
    fields: clusterEventFields.PodScheduled,
    fold(s: ClusterState, c: FieldCursor, seq: number, time: number): boolean {
      const namespace = c.str() as string, name = c.str() as string;
      const nodeLen = c.strBytes(), nodeAt = c.at, ipLen = c.strBytes(), ipAt = c.at;
      if (!c.done()) return false;
      const slot = scheduledSlot(s, namespace, name);
      if (slot >= 0) {
        const b = c.bytes;
        const ip = ipLen < 0 ? -1 : dottedQuad(b, ipAt, ipAt + ipLen);
        const node = nodeLen < 0 || ip < 0 ? -1 : s.pods.nodeCodeAscii(b, nodeAt, nodeLen);
        // A watched state (podIps, the controllers' index) wants the strings anyway.
        if (node > 0 && s.podIpsBuilt === undefined && s.indexed === undefined) s.pods.bindCoded(slot, node, ip, time);
        else podBound(s, slot, namespace, name, (nodeLen < 0 ? undefined : c.text(nodeAt, nodeLen)) as string, (ipLen < 0 ? undefined : c.text(ipAt, ipLen)) as string, time);
      }
      s.seq = seq;
      s.time = time;
      return true;
    },
  },
};
