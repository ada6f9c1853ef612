// The kinds `podnet get` knows: kubectl's names, its columns, and the API object each
// row stands for (for -o json / yaml).
import type { ClusterState, Endpoints, Ingress, Node, Pod, Service, Workload, WorkloadKind } from '../cluster/index.js';
import { formatSelector } from '../control/index.js';
import { humanDuration } from './humanDuration.js';

export interface Row {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  cells: string[];
  wide: string[];
  object: Record<string, unknown>;
}

export interface ResourceKind {
  kind: string;
  /** API group ('' for core): kubectl names rows `replicaset.apps/x` when it lists several kinds. */
  group: string;
  plural: string;
  names: string[];
  namespaced: boolean;
  headers: string[];
  wideHeaders: string[];
  rows(s: ClusterState): Row[];
}

/** AGE: the time since `t` at the point shown (scenario time, not the wall clock). */
export const age = (s: ClusterState, t: number) => humanDuration(s.time - t);
/** A scenario time as an RFC 3339 timestamp: scenarios start at 2024-01-01T00:00:00Z. */
export const ts = (t: number) => new Date(Date.UTC(2024, 0, 1) + t).toISOString().replace('.000Z', 'Z');

/** STATUS: a pod on a failed node shows Unknown, as the node controller reports it. */
export function podStatus(p: Pod, s: ClusterState): string {
  if (p.node && !s.nodes.get(p.node)?.ready) return 'Unknown';
  return p.phase;
}

/** The conditions the kubelet reports: a running pod is scheduled, initialized and ready. */
function podConditions(p: Pod, status: string): Record<string, string>[] {
  if (p.reason) return [{ type: 'PodScheduled', status: 'False', reason: p.reason, message: p.message ?? '' }];
  if (!p.node) return [];
  const ready = status === 'Running' ? 'True' : 'False';
  return [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: ready }, { type: 'ContainersReady', status: ready }, { type: 'PodScheduled', status: 'True' }];
}

function podObject(p: Pod, s: ClusterState): Record<string, unknown> {
  const status = podStatus(p, s);
  const hostIP = p.node ? s.nodes.get(p.node)?.ip : undefined;
  const started = p.startedAt !== undefined ? ts(p.startedAt) : undefined;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels, creationTimestamp: ts(p.createdAt), ...(p.owner ? { ownerReferences: [{ apiVersion: p.owner.kind === 'ReplicationController' ? 'v1' : 'apps/v1', kind: p.owner.kind, name: p.owner.name, controller: true, blockOwnerDeletion: true }] } : {}) },
    spec: {
      containers: p.containers.map((c) => ({ name: c.name, image: c.image, ...(c.ports.length ? { ports: c.ports } : {}) })),
      ...(p.node ? { nodeName: p.node } : {}), ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}), ...(p.tolerations ? { tolerations: p.tolerations } : {}), ...(p.hostNetwork ? { hostNetwork: true } : {}),
      // the API server's defaults, so the object reads as `kubectl get -o yaml` shows one
      restartPolicy: 'Always', dnsPolicy: p.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst', schedulerName: 'default-scheduler', serviceAccountName: 'default', terminationGracePeriodSeconds: 30,
    },
    status: {
      phase: status,
      conditions: podConditions(p, status),
      ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}),
      ...(p.ip ? { podIP: p.ip, podIPs: [{ ip: p.ip }] } : {}),
      ...(started ? { startTime: started } : {}),
      ...(p.node ? { containerStatuses: p.containers.map((c) => ({ name: c.name, image: c.image, ready: status === 'Running', started: status === 'Running', restartCount: 0, state: status === 'Running' && started ? { running: { startedAt: started } } : { waiting: { reason: 'ContainerCreating' } } })) } : {}),
      qosClass: 'BestEffort',
    },
  };
}

const pods: ResourceKind = {
  kind: 'Pod', group: '', plural: 'pods', names: ['pods', 'pod', 'po'], namespaced: true,
  headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
  wideHeaders: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
  rows: (s) => [...s.pods.values()].map((p) => {
    const ready = p.phase === 'Running' && podStatus(p, s) === 'Running' ? p.containers.length : 0;
    return {
      namespace: p.namespace, name: p.name, labels: p.labels,
      cells: [p.name, `${ready}/${p.containers.length}`, podStatus(p, s), '0', age(s, p.createdAt)],
      wide: [p.ip ?? '<none>', p.node ?? '<none>', '<none>', '<none>'],
      object: podObject(p, s),
    };
  }),
};

function nodeObject(n: Node, s: ClusterState): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: n.name, labels: n.labels, creationTimestamp: ts(n.joinedAt) },
    spec: { podCIDR: n.podCidr, podCIDRs: [n.podCidr], ...(n.taints.length ? { taints: n.taints } : {}), ...(n.unschedulable ? { unschedulable: true } : {}) },
    status: {
      addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'ExternalIP', address: n.publicIp }, { type: 'Hostname', address: n.name }],
      // a failed node stops posting status: the node controller sets Ready to Unknown
      conditions: [n.ready ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' } : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }],
      capacity: { pods: String(s.config?.maxPodsPerNode ?? 110) }, allocatable: { pods: String(s.config?.maxPodsPerNode ?? 110) },
      nodeInfo: { kubeletVersion: 'v1.30.0', kubeProxyVersion: 'v1.30.0', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}

const nodes: ResourceKind = {
  kind: 'Node', group: '', plural: 'nodes', names: ['nodes', 'node', 'no'], namespaced: false,
  headers: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
  wideHeaders: ['INTERNAL-IP', 'EXTERNAL-IP', 'POD-CIDR'],
  rows: (s) => [...s.nodes.values()].map((n) => ({
    namespace: '', name: n.name, labels: n.labels,
    cells: [n.name, `${n.ready ? 'Ready' : 'NotReady'}${n.unschedulable ? ',SchedulingDisabled' : ''}`, n.role === 'control-plane' ? 'control-plane' : '<none>', age(s, n.joinedAt), 'v1.30.0'],
    wide: [n.ip, n.publicIp, n.podCidr],
    object: nodeObject(n, s),
  })),
};

function svcPorts(svc: Service): string {
  return svc.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',');
}

const services: ResourceKind = {
  kind: 'Service', group: '', plural: 'services', names: ['services', 'service', 'svc'], namespaced: true,
  headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
  wideHeaders: ['SELECTOR'],
  rows: (s) => [...s.services.values()].map((svc) => ({
    namespace: svc.namespace, name: svc.name, labels: {},
    cells: [svc.name, svc.type, svc.clusterIP, svc.loadBalancerIP ?? (svc.type === 'LoadBalancer' ? '<pending>' : '<none>'), svcPorts(svc), age(s, svc.createdAt)],
    wide: [svc.selector ? Object.entries(svc.selector).map(([k, v]) => `${k}=${v}`).join(',') : '<none>'],
    object: {
      apiVersion: 'v1', kind: 'Service', metadata: { name: svc.name, namespace: svc.namespace, creationTimestamp: ts(svc.createdAt) },
      spec: { type: svc.type, clusterIP: svc.clusterIP, clusterIPs: [svc.clusterIP], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster', ports: svc.ports, ...(svc.selector ? { selector: svc.selector } : {}), sessionAffinity: svc.sessionAffinity, ...(svc.type !== 'ClusterIP' ? { externalTrafficPolicy: svc.externalTrafficPolicy } : {}) },
      status: { loadBalancer: svc.loadBalancerIP ? { ingress: [{ ip: svc.loadBalancerIP }] } : {} },
    },
  })),
};

function epText(e: Endpoints | undefined): string {
  if (!e || e.endpoints.length === 0) return '<none>';
  const all = e.endpoints.flatMap((x) => x.ports.map((p) => `${x.ip}:${p.port}`));
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

const endpoints: ResourceKind = {
  kind: 'Endpoints', group: '', plural: 'endpoints', names: ['endpoints', 'ep'], namespaced: true,
  headers: ['NAME', 'ENDPOINTS', 'AGE'], wideHeaders: [],
  rows: (s) => [...s.services.values()].map((svc) => {
    const e = s.endpoints.get(`${svc.namespace}/${svc.name}`);
    return {
      namespace: svc.namespace, name: svc.name, labels: {}, cells: [svc.name, epText(e), age(s, svc.createdAt)], wide: [],
      object: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.name, namespace: svc.namespace, creationTimestamp: ts(svc.createdAt) }, subsets: e && e.endpoints.length ? [{ addresses: e.endpoints.map((x) => ({ ip: x.ip, nodeName: x.node, targetRef: { kind: 'Pod', name: x.pod, namespace: svc.namespace } })), ports: e.endpoints[0]!.ports }] : [] },
    };
  }),
};

function workloadKind(kind: WorkloadKind, plural: string, names: string[]): ResourceKind {
  const isDs = kind === 'DaemonSet';
  return {
    kind, group: kind === 'ReplicationController' ? '' : 'apps', plural, names, namespaced: true,
    headers: isDs ? ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'] : kind === 'Deployment' ? ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'] : ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    wideHeaders: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    rows: (s) => [...s.workloads.values()].filter((w) => w.kind === kind).map((w: Workload) => {
      const owned = [...s.pods.values()].filter((p) => p.namespace === w.namespace && p.owner?.kind === kind && p.owner.name === w.name);
      const ready = owned.filter((p) => p.phase === 'Running' && s.nodes.get(p.node ?? '')?.ready).length;
      const desired = isDs ? owned.length : w.replicas;
      const nodeSel = w.template.nodeSelector ? Object.entries(w.template.nodeSelector).map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
      const cells = isDs ? [w.name, String(desired), String(owned.length), String(ready), String(owned.length), String(ready), nodeSel, age(s, w.createdAt)]
        : kind === 'Deployment' ? [w.name, `${ready}/${w.replicas}`, String(owned.length), String(ready), age(s, w.createdAt)]
        : [w.name, String(w.replicas), String(owned.length), String(ready), age(s, w.createdAt)];
      return {
        namespace: w.namespace, name: w.name, labels: w.template.labels, cells,
        wide: [w.template.containers.map((c) => c.name).join(','), w.template.containers.map((c) => c.image).join(','), formatSelector(w.selector)],
        object: {
          apiVersion: kind === 'ReplicationController' ? 'v1' : 'apps/v1', kind, metadata: { name: w.name, namespace: w.namespace, creationTimestamp: ts(w.createdAt) },
          spec: { ...(isDs ? {} : { replicas: w.replicas }), selector: kind === 'ReplicationController' ? w.selector.matchLabels : w.selector, template: { metadata: { labels: w.template.labels }, spec: { containers: w.template.containers, ...(w.template.nodeSelector ? { nodeSelector: w.template.nodeSelector } : {}) } } },
          status: isDs
            ? { desiredNumberScheduled: desired, currentNumberScheduled: owned.length, numberReady: ready, numberAvailable: ready, updatedNumberScheduled: owned.length, numberMisscheduled: 0 }
            : { replicas: owned.length, fullyLabeledReplicas: owned.length, readyReplicas: ready, availableReplicas: ready, ...(kind === 'Deployment' ? { updatedReplicas: owned.length } : {}) },
        },
      };
    }),
  };
}

/** An Ingress backend as kubectl describe prints it: `svc:80`, or `svc:http` for a named port. */
export const backendText = (b: { service: string; port: number | string }) => `${b.service}:${b.port}`;
const backendObject = (b: { service: string; port: number | string }) => ({ service: { name: b.service, port: typeof b.port === 'number' ? { number: b.port } : { name: b.port } } });

/**
 * The address an Ingress is published on: the LoadBalancer IP of the ingress-nginx
 * controller's Service, which the controller writes into each Ingress's status.
 */
export function ingressAddress(s: ClusterState): string | undefined {
  return s.services.get('ingress-nginx/ingress-nginx-controller')?.loadBalancerIP;
}

function ingressObject(ing: Ingress, address: string | undefined): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: ing.name, namespace: ing.namespace, creationTimestamp: ts(ing.createdAt) },
    spec: {
      ...(ing.className ? { ingressClassName: ing.className } : {}),
      ...(ing.defaultBackend ? { defaultBackend: backendObject(ing.defaultBackend) } : {}),
      rules: ing.rules.map((r) => ({ ...(r.host ? { host: r.host } : {}), http: { paths: r.paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: backendObject(p) })) } })),
    },
    status: { loadBalancer: address ? { ingress: [{ ip: address }] } : {} },
  };
}

const ingresses: ResourceKind = {
  kind: 'Ingress', group: 'networking.k8s.io', plural: 'ingresses', names: ['ingresses', 'ingress', 'ing'], namespaced: true,
  headers: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'], wideHeaders: [],
  rows: (s) => [...s.ingresses.values()].map((ing) => ({
    namespace: ing.namespace, name: ing.name, labels: {},
    cells: [ing.name, ing.className ?? '<none>', ing.rules.map((r) => r.host ?? '*').join(',') || '*', ingressAddress(s) ?? '', '80', age(s, ing.createdAt)],
    wide: [], object: ingressObject(ing, ingressAddress(s)),
  })),
};

const namespaces: ResourceKind = {
  kind: 'Namespace', group: '', plural: 'namespaces', names: ['namespaces', 'namespace', 'ns'], namespaced: false,
  headers: ['NAME', 'STATUS', 'AGE'], wideHeaders: [],
  // the log records no creation time for namespaces: they are as old as the cluster
  rows: (s) => [...s.namespaces].sort().map((ns) => ({
    namespace: '', name: ns, labels: { 'kubernetes.io/metadata.name': ns }, cells: [ns, 'Active', age(s, 0)], wide: [],
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
  })),
};

/** Every kind `podnet get` accepts. */
export const RESOURCE_KINDS: ResourceKind[] = [
  pods, nodes, namespaces, services, endpoints, ingresses,
  workloadKind('ReplicaSet', 'replicasets', ['replicasets', 'replicaset', 'rs']),
  workloadKind('ReplicationController', 'replicationcontrollers', ['replicationcontrollers', 'replicationcontroller', 'rc']),
  workloadKind('Deployment', 'deployments', ['deployments', 'deployment', 'deploy']),
  workloadKind('DaemonSet', 'daemonsets', ['daemonsets', 'daemonset', 'ds']),
];

/** Look a kind up by any of kubectl's names for it. */
export function findKind(name: string): ResourceKind | undefined {
  const n = name.toLowerCase();
  return RESOURCE_KINDS.find((k) => k.names.includes(n));
}
