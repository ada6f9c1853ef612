// Validated objects, what a manifest becomes after src/manifest checks it. Controllers
// trust these shapes; every check a user's YAML needs happens before.
import type { IngressRule, Pod, ServicePort, ServiceType, Taint, Workload } from '../cluster/index.js';

/** A Pod as applied: the object's own fields, plus spec.nodeName to bind it directly. */
export type PodObject = { kind: 'Pod'; nodeName?: string } & Pick<Pod, 'namespace' | 'name' | 'labels' | 'containers' | 'nodeSelector' | 'tolerations' | 'hostNetwork'>;

/** A ReplicaSet, ReplicationController, Deployment or DaemonSet as applied (the controller adds the rest). */
export type WorkloadObject = Pick<Workload, 'kind' | 'namespace' | 'name' | 'replicas' | 'selector' | 'template'>;

export interface ServiceObject {
  kind: 'Service';
  namespace: string;
  name: string;
  type: ServiceType;
  selector?: Record<string, string>;
  ports: ServicePort[];
  /** Requested spec.clusterIP ('None' for headless); allocated when absent. */
  clusterIP?: string;
  loadBalancerIP?: string;
  externalTrafficPolicy: 'Cluster' | 'Local';
  sessionAffinity: 'None' | 'ClientIP';
}

export interface IngressObject {
  kind: 'Ingress';
  namespace: string;
  name: string;
  className?: string;
  rules: IngressRule[];
  defaultBackend?: { service: string; port: number | string };
}

export interface NamespaceObject {
  kind: 'Namespace';
  name: string;
}

export interface NodeObject {
  kind: 'Node';
  name: string;
  role: 'control-plane' | 'worker';
  labels: Record<string, string>;
  taints: Taint[];
}

/** Any object podnet can apply. */
export type ManifestObject = PodObject | WorkloadObject | ServiceObject | IngressObject | NamespaceObject | NodeObject;

/** `kind/namespace/name` (or `kind/name` for cluster-scoped kinds), for messages. */
export function objectRef(o: ManifestObject): string {
  return 'namespace' in o ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}

/** kubectl's `resource.group` name of a kind, as its messages print it (`replicaset.apps`). */
export function resourceName(kind: string): string {
  const group: Record<string, string> = { ReplicaSet: 'apps', Deployment: 'apps', DaemonSet: 'apps', Ingress: 'networking.k8s.io' };
  const g = group[kind];
  return g ? `${kind.toLowerCase()}.${g}` : kind.toLowerCase();
}
