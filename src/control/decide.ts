// decide(command, state): checks a command against the cluster and emits the events
// that record it. Every check runs before the first event, so a refused command
// changes nothing. Controllers then run to a fixed point (reconcile.ts).
import { IllegalStateError, NotFoundError, ValidationError } from '../../engine/errors.js';
import { event, nsKey, workloadKey, type ClusterState, type WorkloadKind } from '../cluster/index.js';
import { WORKLOAD_KINDS } from '../cluster/index.js';
import { addNode, requireNode } from './addNode.js';
import { apply } from './apply.js';
import { clusterBootstrap } from './bootstrap.js';
import type { Command } from './commands.js';
import type { Emit } from './scheduler.js';

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

function requireCluster(s: ClusterState): void {
  if (!s.config) throw new IllegalStateError('no cluster yet: a scenario must start with its cluster: section');
}

/** Check a command and emit its events. Throws a PodnetError (nothing emitted) when it cannot apply. */
export function decide(s: ClusterState, c: Command, emit: Emit): void {
  if (c.type === 'CreateCluster') {
    if (s.config) throw new IllegalStateError(`the log already holds cluster "${s.config.name}"; use a new --db file`);
    emit(event('ClusterCreated', `cluster/${c.config.name}`, c.config));
    apply(s, clusterBootstrap(c.config), emit);
    return;
  }
  requireCluster(s);
  switch (c.type) {
    case 'AddNode': return addNode(s, c.name, c.role, c.labels, [], emit);
    case 'Apply': return apply(s, c.objects, emit, c.where);
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
