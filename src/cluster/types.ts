// The cluster's objects as the projection holds them. Shapes follow the Kubernetes
// API (names, fields) where one exists, trimmed to what networking needs.

/** CNI plugin modes podnet models. */
export const CNI_MODES = ['flannel-vxlan', 'flannel-host-gw', 'calico'] as const;
export type Cni = (typeof CNI_MODES)[number];

/** kube-proxy modes podnet models. */
export const KUBE_PROXY_MODES = ['iptables', 'ipvs'] as const;
export type KubeProxyMode = (typeof KUBE_PROXY_MODES)[number];

/** Cluster-wide settings, fixed when the cluster is created. */
export interface ClusterConfig {
  name: string;
  cni: Cni;
  kubeProxy: KubeProxyMode;
  /** Cluster pod CIDR (kube-controller-manager --cluster-cidr). */
  podCidr: string;
  /** Prefix length of each node's pod CIDR (--node-cidr-mask-size). */
  nodeCidrMaskSize: number;
  /** Service ClusterIP range (--service-cluster-ip-range). */
  serviceCidr: string;
  /** The VPC subnet node IPs come from. */
  nodeNetwork: string;
  /** Public addresses the cloud gives nodes (internet gateway 1:1 NAT). */
  publicNetwork: string;
  /** LoadBalancer IP pool. */
  loadBalancerPool: string;
  clusterDomain: string;
  maxPodsPerNode: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}

export type NodeRole = 'control-plane' | 'worker';

export interface Node {
  name: string;
  role: NodeRole;
  labels: Record<string, string>;
  taints: Taint[];
  /** spec.podCIDR */
  podCidr: string;
  /** InternalIP */
  ip: string;
  /** The address the internet gateway maps this node to. */
  publicIp: string;
  ready: boolean;
  unschedulable: boolean;
  /** Join order, 0-based: stable numbering for devices and MACs. */
  index: number;
  joinedAt: number;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

export interface Container {
  name: string;
  image: string;
  ports: ContainerPort[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** A label selector as Kubernetes writes it (matchLabels AND matchExpressions). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** What a workload stamps pods from. */
export interface PodTemplate {
  labels: Record<string, string>;
  containers: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  hostNetwork?: boolean;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface OwnerRef {
  kind: WorkloadKind;
  name: string;
}

export interface Pod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  hostNetwork?: boolean;
  owner?: OwnerRef;
  /** For DaemonSet pods: the node the controller made it for. */
  targetNode?: string;
  phase: PodPhase;
  /** Why the pod is not running (Unschedulable, ...). */
  reason?: string;
  message?: string;
  node?: string;
  ip?: string;
  createdAt: number;
  startedAt?: number;
}

export const WORKLOAD_KINDS = ['ReplicaSet', 'ReplicationController', 'Deployment', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** Desired replicas (DaemonSets: unused). */
  replicas: number;
  selector: LabelSelector;
  template: PodTemplate;
  createdAt: number;
  /** Pods created so far: the deterministic name suffix counter. */
  generation: number;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface ServicePort {
  name?: string;
  protocol: Protocol;
  port: number;
  /** A number, or the name of a container port. */
  targetPort: number | string;
  nodePort?: number;
}

export interface Service {
  namespace: string;
  name: string;
  type: ServiceType;
  selector?: Record<string, string>;
  ports: ServicePort[];
  /** ClusterIP, or 'None' for a headless Service. */
  clusterIP: string;
  /** status.loadBalancer.ingress[0].ip */
  loadBalancerIP?: string;
  externalTrafficPolicy: 'Cluster' | 'Local';
  sessionAffinity: 'None' | 'ClientIP';
  createdAt: number;
}

/** One ready backend of a Service, with its ports resolved (EndpointSlice endpoint). */
export interface Endpoint {
  ip: string;
  pod: string;
  node: string;
  /** Resolved target port per Service port name ('' for an unnamed port). */
  ports: { name: string; port: number; protocol: Protocol }[];
}

export interface Endpoints {
  namespace: string;
  name: string;
  endpoints: Endpoint[];
}

export interface IngressPath {
  path: string;
  pathType: 'Prefix' | 'Exact' | 'ImplementationSpecific';
  service: string;
  port: number | string;
}

export interface IngressRule {
  host?: string;
  paths: IngressPath[];
}

export interface Ingress {
  namespace: string;
  name: string;
  className?: string;
  rules: IngressRule[];
  defaultBackend?: { service: string; port: number | string };
  createdAt: number;
}

/** Key of a namespaced object. */
export function nsKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Key of a workload in `ClusterState.workloads`: `Kind/namespace/name`. */
export function workloadKey(kind: WorkloadKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** The workload key of a pod's owner, if it has one. */
export function ownerKey(p: Pod): string | undefined {
  return p.owner ? workloadKey(p.owner.kind, p.namespace, p.owner.name) : undefined;
}
