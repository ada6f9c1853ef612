// decide(command, state): checks a command against the cluster and emits the events
// that record it. Every check runs before the first event, so a refused command
// changes nothing. Controllers then run to a fixed point (reconcile.ts).
import { IllegalStateError, NotFoundError, ValidationError } from '../../engine/errors.js';
import { event, nsKey, workloadKey, type ClusterState, type ServicePort, type Taint, type WorkloadKind } from '../cluster/index.js';
import { WORKLOAD_KINDS } from '../cluster/index.js';
import type { ManifestObject, ServiceObject } from '../manifest/index.js';
import { objectRef } from '../manifest/index.js';
import type { Command } from './commands.js';
import { allocateClusterIp, allocateLoadBalancerIp, allocateNodePort, checkClusterIp, nodeAddresses, NODE_PORT_MAX, NODE_PORT_MIN } from './ipam.js';
import type { Emit } from './scheduler.js';

const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

function requireCluster(s: ClusterState): void {
  if (!s.config) throw new IllegalStateError('no cluster yet: a scenario must start with its cluster: section');
}

function requireNode(s: ClusterState, name: string) {
  const n = s.nodes.get(name);
  if (!n) throw new NotFoundError(`node "${name}" not found (nodes: ${[...s.nodes.keys()].join(', ') || 'none'})`);
  return n;
}

function addNode(s: ClusterState, name: string, role: 'control-plane' | 'worker', labels: Record<string, string>, taints: Taint[], emit: Emit): void {
  if (s.nodes.has(name)) throw new ValidationError(`node "${name}" already exists`);
  const addr = nodeAddresses(s, s.nodes.size);
  if (!addr) throw new IllegalStateError(`node "${name}": no pod CIDR left in ${s.config!.podCidr} for /${s.config!.nodeCidrMaskSize} node ranges`);
  const allLabels = { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}), ...labels };
  const allTaints = role === 'control-plane' && !taints.some((t) => t.key === CONTROL_PLANE_TAINT.key) ? [CONTROL_PLANE_TAINT, ...taints] : taints;
  emit(event('NodeJoined', `node/${name}`, { name, role, labels: allLabels, taints: allTaints, ...addr }));
}

/** Allocate a Service's addresses, checking requested ones; throws before anything is emitted. */
function planService(s: ClusterState, o: ServiceObject, takenIps: Set<string>, takenPorts: Set<number>) {
  const key = nsKey(o.namespace, o.name);
  const old = s.services.get(key);
  let clusterIP = o.clusterIP ?? old?.clusterIP;
  if (clusterIP && clusterIP !== 'None') {
    const err = checkClusterIp(s, clusterIP, key);
    if (err) throw new ValidationError(`${objectRef(o)}: spec.clusterIP: ${err}`);
  }
  clusterIP ??= allocateClusterIp(s, takenIps);
  if (!clusterIP) throw new IllegalStateError(`${objectRef(o)}: the service CIDR ${s.config!.serviceCidr} is full; no ClusterIP left`);
  takenIps.add(clusterIP);
  const ports: ServicePort[] = o.ports.map((p, i) => {
    if (o.type === 'ClusterIP') return { ...p, nodePort: undefined };
    let nodePort = p.nodePort ?? old?.ports[i]?.nodePort;
    if (nodePort !== undefined) {
      if (nodePort < NODE_PORT_MIN || nodePort > NODE_PORT_MAX) throw new ValidationError(`${objectRef(o)}: spec.ports[${i}].nodePort: ${nodePort} is outside ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
      const owner = s.nodePorts.get(nodePort);
      if ((owner && owner !== key) || takenPorts.has(nodePort)) throw new ValidationError(`${objectRef(o)}: spec.ports[${i}].nodePort: ${nodePort} is already allocated`);
    }
    nodePort ??= allocateNodePort(s, takenPorts);
    if (nodePort === undefined) throw new IllegalStateError(`${objectRef(o)}: no NodePort left in ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
    takenPorts.add(nodePort);
    return { ...p, nodePort };
  });
  let loadBalancerIP: string | undefined;
  if (o.type === 'LoadBalancer') {
    loadBalancerIP = o.loadBalancerIP ?? old?.loadBalancerIP ?? allocateLoadBalancerIp(s);
    if (!loadBalancerIP) throw new IllegalStateError(`${objectRef(o)}: the LoadBalancer pool ${s.config!.loadBalancerPool} is exhausted`);
  }
  return { namespace: o.namespace, name: o.name, type: o.type, selector: o.selector, ports, clusterIP, loadBalancerIP, externalTrafficPolicy: o.externalTrafficPolicy, sessionAffinity: o.sessionAffinity };
}

function apply(s: ClusterState, objects: ManifestObject[], emit: Emit): void {
  // Check and plan everything first.
  const takenIps = new Set<string>();
  const takenPorts = new Set<number>();
  const services = new Map<ManifestObject, ReturnType<typeof planService>>();
  const namespaces = new Set(s.namespaces);
  for (const o of objects) if (o.kind === 'Namespace') namespaces.add(o.name);
  for (const o of objects) {
    if ('namespace' in o && !namespaces.has(o.namespace)) throw new NotFoundError(`${objectRef(o)}: namespace "${o.namespace}" not found; create it first (kind: Namespace)`);
    if (o.kind === 'Service') services.set(o, planService(s, o, takenIps, takenPorts));
    if (o.kind === 'Pod' && o.nodeName) requireNode(s, o.nodeName);
    if (o.kind === 'Node' && s.nodes.has(o.name)) throw new ValidationError(`${objectRef(o)}: node already exists`);
  }
  for (const o of objects) {
    switch (o.kind) {
      case 'Namespace':
        if (!s.namespaces.has(o.name)) emit(event('NamespaceCreated', `namespace/${o.name}`, { name: o.name }));
        break;
      case 'Node':
        addNode(s, o.name, o.role, o.labels, o.taints, emit);
        break;
      case 'Pod': {
        const { kind: _k, nodeName, ...pod } = o;
        if (s.pods.has(nsKey(o.namespace, o.name))) break; // pods are immutable: re-applying the same pod is a no-op
        emit(event('PodCreated', `pod/${o.namespace}/${o.name}`, { ...pod, targetNode: nodeName }));
        break;
      }
      case 'Service':
        emit(event('ServiceApplied', `service/${o.namespace}/${o.name}`, services.get(o)!));
        break;
      case 'Ingress': {
        const { kind: _k, ...ing } = o;
        emit(event('IngressApplied', `ingress/${o.namespace}/${o.name}`, ing));
        break;
      }
      default: {
        const { kind, namespace, name, replicas, selector, template } = o;
        emit(event('WorkloadApplied', `${kind.toLowerCase()}/${namespace}/${name}`, { kind, namespace, name, replicas, selector, template }));
      }
    }
  }
}

/** Canonical kind names accepted by delete/scale, with kubectl's short names. */
export const KIND_ALIASES: Record<string, string> = {
  pod: 'Pod', pods: 'Pod', po: 'Pod',
  service: 'Service', services: 'Service', svc: 'Service',
  replicaset: 'ReplicaSet', replicasets: 'ReplicaSet', rs: 'ReplicaSet',
  replicationcontroller: 'ReplicationController', replicationcontrollers: 'ReplicationController', rc: 'ReplicationController',
  deployment: 'Deployment', deployments: 'Deployment', deploy: 'Deployment',
  daemonset: 'DaemonSet', daemonsets: 'DaemonSet', ds: 'DaemonSet',
  ingress: 'Ingress', ingresses: 'Ingress', ing: 'Ingress',
  node: 'Node', nodes: 'Node', no: 'Node',
  namespace: 'Namespace', namespaces: 'Namespace', ns: 'Namespace',
};

function del(s: ClusterState, kind: string, namespace: string, name: string, emit: Emit): void {
  const ref = `${kind.toLowerCase()}s "${name}"`;
  switch (kind) {
    case 'Pod': {
      if (!s.pods.has(nsKey(namespace, name))) throw new NotFoundError(`pods "${name}" not found in namespace ${namespace}`);
      emit(event('PodDeleted', `pod/${namespace}/${name}`, { namespace, name, reason: 'Deleted' }));
      return;
    }
    case 'Service':
      if (!s.services.has(nsKey(namespace, name))) throw new NotFoundError(`services "${name}" not found in namespace ${namespace}`);
      emit(event('ServiceDeleted', `service/${namespace}/${name}`, { namespace, name }));
      return;
    case 'Ingress':
      if (!s.ingresses.has(nsKey(namespace, name))) throw new NotFoundError(`ingresses "${name}" not found in namespace ${namespace}`);
      emit(event('IngressDeleted', `ingress/${namespace}/${name}`, { namespace, name }));
      return;
    case 'Node':
      requireNode(s, name);
      emit(event('NodeRemoved', `node/${name}`, { name }));
      for (const p of s.pods.values()) if (p.node === name) emit(event('PodDeleted', `pod/${p.namespace}/${p.name}`, { namespace: p.namespace, name: p.name, reason: 'NodeRemoved' }));
      return;
    default: {
      if (!(WORKLOAD_KINDS as readonly string[]).includes(kind)) throw new ValidationError(`cannot delete kind "${kind}"`);
      const k = kind as WorkloadKind;
      if (!s.workloads.has(workloadKey(k, namespace, name))) throw new NotFoundError(`${ref} not found in namespace ${namespace}`);
      emit(event('WorkloadDeleted', `${kind.toLowerCase()}/${namespace}/${name}`, { kind: k, namespace, name }));
    }
  }
}

/** Check a command and emit its events. Throws a PodnetError (nothing emitted) when it cannot apply. */
export function decide(s: ClusterState, c: Command, emit: Emit): void {
  if (c.type === 'CreateCluster') {
    if (s.config) throw new IllegalStateError(`the log already holds cluster "${s.config.name}"; use a new --db file`);
    emit(event('ClusterCreated', `cluster/${c.config.name}`, c.config));
    return;
  }
  requireCluster(s);
  switch (c.type) {
    case 'AddNode': return addNode(s, c.name, c.role, c.labels, [], emit);
    case 'Apply': return apply(s, c.objects, emit);
    case 'Delete': return del(s, c.kind, c.namespace, c.name, emit);
    case 'Scale': {
      if (c.kind === 'DaemonSet') throw new ValidationError('a DaemonSet cannot be scaled: it runs one pod per node');
      if (!Number.isInteger(c.replicas) || c.replicas < 0) throw new ValidationError(`--replicas must be a whole number >= 0 (got ${c.replicas})`);
      if (!s.workloads.has(workloadKey(c.kind, c.namespace, c.name))) throw new NotFoundError(`${c.kind.toLowerCase()}s "${c.name}" not found in namespace ${c.namespace}`);
      emit(event('WorkloadScaled', `${c.kind.toLowerCase()}/${c.namespace}/${c.name}`, { kind: c.kind, namespace: c.namespace, name: c.name, replicas: c.replicas }));
      return;
    }
    case 'LabelNode': {
      const n = requireNode(s, c.name);
      const labels = { ...n.labels };
      for (const [k, v] of Object.entries(c.labels)) if (v === null) delete labels[k]; else labels[k] = v;
      emit(event('NodeLabeled', `node/${c.name}`, { name: c.name, labels }));
      return;
    }
    case 'FailNode': {
      const n = requireNode(s, c.name);
      if (!n.ready) throw new IllegalStateError(`node "${c.name}" is already NotReady`);
      emit(event('NodeFailed', `node/${c.name}`, { name: c.name, reason: c.reason ?? 'NodeStatusUnknown' }));
      return;
    }
    case 'RecoverNode': {
      const n = requireNode(s, c.name);
      if (n.ready) throw new IllegalStateError(`node "${c.name}" is already Ready`);
      emit(event('NodeRecovered', `node/${c.name}`, { name: c.name }));
      return;
    }
    case 'DrainNode': {
      const n = requireNode(s, c.name);
      if (!n.unschedulable) emit(event('NodeCordoned', `node/${c.name}`, { name: c.name }));
      for (const p of [...s.pods.values()]) {
        if (p.node === c.name && p.owner?.kind !== 'DaemonSet') emit(event('PodDeleted', `pod/${p.namespace}/${p.name}`, { namespace: p.namespace, name: p.name, reason: 'Evicted' }));
      }
      return;
    }
    case 'UncordonNode':
      requireNode(s, c.name);
      emit(event('NodeUncordoned', `node/${c.name}`, { name: c.name }));
      return;
    case 'SendTraffic':
      emit(event('TrafficSent', `traffic/${c.from}`, { from: c.from, to: c.to, port: c.port, proto: c.proto, flows: c.flows, packets: c.packets }));
      return;
  }
}
