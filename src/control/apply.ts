// `kubectl apply`: check every object against the cluster (namespaces exist, addresses
// are free, nodes named exist) and plan the Services' addresses, then record them all.
// Nothing is emitted until every object passed, so a refused apply writes nothing.
import { IllegalStateError, NotFoundError, PodnetError, ValidationError } from '../../engine/errors.js';
import { event, nsKey, workloadKey, type ClusterState, type ServicePort } from '../cluster/index.js';
import type { ManifestObject, ServiceObject } from '../manifest/index.js';
import { objectRef } from '../manifest/index.js';
import { addNode, requireNode } from './addNode.js';
import { INGRESS_CONTROLLER, INGRESS_NAMESPACE, ingressControllerInstall } from './bootstrap.js';
import { AddressPlan, allocateClusterIp, allocateLoadBalancerIp, allocateNodePort, checkClusterIp, NODE_PORT_MAX, NODE_PORT_MIN } from './ipam.js';
import type { Emit } from './scheduler.js';

type PlannedService = ReturnType<typeof planService>;

function planPorts(s: ClusterState, o: ServiceObject, plan: AddressPlan): ServicePort[] {
  const key = nsKey(o.namespace, o.name);
  const old = s.services.get(key);
  return o.ports.map((p, i) => {
    if (o.type === 'ClusterIP') return { ...p, nodePort: undefined };
    let nodePort = p.nodePort ?? old?.ports[i]?.nodePort;
    if (nodePort !== undefined) {
      if (nodePort < NODE_PORT_MIN || nodePort > NODE_PORT_MAX) throw new ValidationError(`spec.ports[${i}].nodePort: ${nodePort} is outside ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
      const owner = s.nodePorts.get(nodePort);
      if ((owner && owner !== key) || plan.ports.has(nodePort)) throw new ValidationError(`spec.ports[${i}].nodePort: ${nodePort} is already allocated`);
    }
    nodePort ??= allocateNodePort(s, plan);
    if (nodePort === undefined) throw new IllegalStateError(`spec.ports[${i}].nodePort: no NodePort left in ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
    plan.ports.add(nodePort);
    return { ...p, nodePort };
  });
}

/** A Service's addresses, checking requested ones; throws before anything is emitted. */
function planService(s: ClusterState, o: ServiceObject, plan: AddressPlan) {
  const old = s.services.get(nsKey(o.namespace, o.name));
  let clusterIP = o.clusterIP ?? old?.clusterIP;
  if (clusterIP && clusterIP !== 'None') {
    const err = checkClusterIp(s, clusterIP, nsKey(o.namespace, o.name)) ?? (plan.ips.has(clusterIP) ? `clusterIP ${clusterIP} is requested twice in this apply` : undefined);
    if (err) throw new ValidationError(`spec.clusterIP: ${err}`);
  }
  clusterIP ??= allocateClusterIp(s, plan);
  if (!clusterIP) throw new IllegalStateError(`spec.clusterIP: the service CIDR ${s.config!.serviceCidr} is full; no ClusterIP left (delete a Service or use a larger serviceCidr)`);
  plan.ips.add(clusterIP);
  const ports = planPorts(s, o, plan);
  let loadBalancerIP: string | undefined;
  if (o.type === 'LoadBalancer') {
    loadBalancerIP = o.loadBalancerIP ?? old?.loadBalancerIP ?? allocateLoadBalancerIp(s, plan);
    if (!loadBalancerIP) throw new IllegalStateError(`status.loadBalancer: the LoadBalancer pool ${s.config!.loadBalancerPool} is exhausted`);
    plan.ips.add(loadBalancerIP);
  }
  return { namespace: o.namespace, name: o.name, type: o.type, selector: o.selector, ports, clusterIP, loadBalancerIP, externalTrafficPolicy: o.externalTrafficPolicy, sessionAffinity: o.sessionAffinity };
}

/** The first Ingress in a cluster without a controller brings ingress-nginx with it. */
function withIngressController(s: ClusterState, objects: ManifestObject[], where: (string | undefined)[]): [ManifestObject[], (string | undefined)[]] {
  if (!objects.some((o) => o.kind === 'Ingress')) return [objects, where];
  if (s.workloads.has(workloadKey('Deployment', INGRESS_NAMESPACE, INGRESS_CONTROLLER))) return [objects, where];
  if (objects.some((o) => o.kind === 'Deployment' && o.namespace === INGRESS_NAMESPACE && o.name === INGRESS_CONTROLLER)) return [objects, where];
  const install = ingressControllerInstall().filter((o) => !(o.kind === 'Namespace' && s.namespaces.has(o.name)));
  return [[...install, ...objects], [...install.map(() => undefined), ...where]];
}

/** Check one object against the cluster; returns its planned Service when it is one. */
function check(s: ClusterState, o: ManifestObject, namespaces: Set<string>, plan: AddressPlan): PlannedService | undefined {
  if ('namespace' in o && !namespaces.has(o.namespace)) throw new NotFoundError(`metadata.namespace: namespace "${o.namespace}" not found; create it first (kind: Namespace)`);
  if (o.kind === 'Pod' && o.nodeName) {
    try { requireNode(s, o.nodeName); } catch (e) { throw new NotFoundError(`spec.nodeName: ${(e as Error).message}`); }
  }
  if (o.kind === 'Node' && s.nodes.has(o.name)) throw new ValidationError('metadata.name: node already exists');
  return o.kind === 'Service' ? planService(s, o, plan) : undefined;
}

function record(s: ClusterState, o: ManifestObject, svc: PlannedService | undefined, emit: Emit): void {
  switch (o.kind) {
    case 'Namespace':
      if (!s.namespaces.has(o.name)) emit(event('NamespaceCreated', `namespace/${o.name}`, { name: o.name }));
      return;
    case 'Node':
      return addNode(s, o.name, o.role, o.labels, o.taints, emit);
    case 'Pod': {
      const { kind: _k, nodeName, ...pod } = o;
      if (s.pods.has(nsKey(o.namespace, o.name))) return; // pods are immutable: re-applying the same pod is a no-op
      emit(event('PodCreated', `pod/${o.namespace}/${o.name}`, { ...pod, targetNode: nodeName }));
      return;
    }
    case 'Service':
      emit(event('ServiceApplied', `service/${o.namespace}/${o.name}`, svc!));
      return;
    case 'Ingress': {
      const { kind: _k, ...ing } = o;
      emit(event('IngressApplied', `ingress/${o.namespace}/${o.name}`, ing));
      return;
    }
    default: {
      const { kind, namespace, name, replicas, selector, template } = o;
      emit(event('WorkloadApplied', `${kind.toLowerCase()}/${namespace}/${name}`, { kind, namespace, name, replicas, selector, template }));
    }
  }
}

/**
 * Apply objects. `where[i]` says where object i came from (`web.yaml: document 2
 * (Service/web)`) and starts any error about it; without it the object's kind/ns/name does.
 */
export function apply(s: ClusterState, input: ManifestObject[], emit: Emit, inputWhere: (string | undefined)[] = []): void {
  const [objects, where] = withIngressController(s, input, inputWhere);
  const plan = new AddressPlan();
  const planned: (PlannedService | undefined)[] = [];
  const namespaces = new Set(s.namespaces);
  for (const o of objects) if (o.kind === 'Namespace') namespaces.add(o.name);
  objects.forEach((o, i) => {
    try {
      planned.push(check(s, o, namespaces, plan));
    } catch (e) {
      if (!(e instanceof PodnetError)) throw e;
      const Err = e.constructor as new (m: string) => PodnetError;
      throw new Err(`${where[i] ?? objectRef(o)}: ${e.message}`);
    }
  });
  objects.forEach((o, i) => record(s, o, planned[i], emit));
}
