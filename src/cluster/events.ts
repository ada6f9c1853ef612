// Every cluster change, in the past tense. Data carries each decision's outcome (a
// scheduled pod's node and IP), so replay folds events and never re-decides.
import type { EventSchema } from '../../engine/codec/index.js';
import type {
  ClusterConfig, Container, Endpoint, IngressRule, LabelSelector, NodeRole, OwnerRef, PodTemplate,
  ServicePort, ServiceType, Taint, Toleration, WorkloadKind,
} from './types.js';

export interface ClusterEventMap {
  ClusterCreated: ClusterConfig;
  NodeJoined: { name: string; role: NodeRole; labels: Record<string, string>; taints: Taint[]; podCidr: string; ip: string; publicIp: string };
  NodeFailed: { name: string; reason: string };
  NodeRecovered: { name: string };
  NodeCordoned: { name: string };
  NodeUncordoned: { name: string };
  NodeLabeled: { name: string; labels: Record<string, string> };
  NodeRemoved: { name: string };
  NamespaceCreated: { name: string };
  WorkloadApplied: { kind: WorkloadKind; namespace: string; name: string; replicas: number; selector: LabelSelector; template: PodTemplate };
  WorkloadScaled: { kind: WorkloadKind; namespace: string; name: string; replicas: number };
  WorkloadDeleted: { kind: WorkloadKind; namespace: string; name: string };
  PodCreated: {
    namespace: string; name: string; labels: Record<string, string>; containers: Container[];
    nodeSelector?: Record<string, string>; tolerations?: Toleration[]; hostNetwork?: boolean;
    owner?: OwnerRef; targetNode?: string;
  };
  PodScheduled: { namespace: string; name: string; node: string; ip: string };
  PodUnschedulable: { namespace: string; name: string; reason: string; message: string };
  PodDeleted: { namespace: string; name: string; reason: string };
  ServiceApplied: {
    namespace: string; name: string; type: ServiceType; selector?: Record<string, string>; ports: ServicePort[];
    clusterIP: string; loadBalancerIP?: string; externalTrafficPolicy: 'Cluster' | 'Local'; sessionAffinity: 'None' | 'ClientIP';
  };
  ServiceDeleted: { namespace: string; name: string };
  EndpointsChanged: { namespace: string; name: string; endpoints: Endpoint[] };
  IngressApplied: { namespace: string; name: string; className?: string; rules: IngressRule[]; defaultBackend?: { service: string; port: number | string } };
  IngressDeleted: { namespace: string; name: string };
  TrafficSent: { from: string; to: string; port: number; proto: string; flows: number; packets: number };
}

export type ClusterEventType = keyof ClusterEventMap;

/** A cluster event before it is stored: type, stream and data. */
export type ClusterEvent = { [T in ClusterEventType]: { type: T; stream: string; data: ClusterEventMap[T] } }[ClusterEventType];

/** Build an event with its stream (the object it is about). */
export function event<T extends ClusterEventType>(type: T, stream: string, data: ClusterEventMap[T]): ClusterEvent {
  return { type, stream, data } as ClusterEvent;
}

/** Stored field order per event type (version 1). Append fields at the end and bump the version. */
export const clusterEventFields: { [T in ClusterEventType]: readonly (keyof ClusterEventMap[T] & string)[] } = {
  ClusterCreated: ['name', 'cni', 'kubeProxy', 'podCidr', 'nodeCidrMaskSize', 'serviceCidr', 'nodeNetwork', 'publicNetwork', 'loadBalancerPool', 'clusterDomain', 'maxPodsPerNode'],
  NodeJoined: ['name', 'role', 'labels', 'taints', 'podCidr', 'ip', 'publicIp'],
  NodeFailed: ['name', 'reason'],
  NodeRecovered: ['name'],
  NodeCordoned: ['name'],
  NodeUncordoned: ['name'],
  NodeLabeled: ['name', 'labels'],
  NodeRemoved: ['name'],
  NamespaceCreated: ['name'],
  WorkloadApplied: ['kind', 'namespace', 'name', 'replicas', 'selector', 'template'],
  WorkloadScaled: ['kind', 'namespace', 'name', 'replicas'],
  WorkloadDeleted: ['kind', 'namespace', 'name'],
  PodCreated: ['namespace', 'name', 'labels', 'containers', 'nodeSelector', 'tolerations', 'hostNetwork', 'owner', 'targetNode'],
  PodScheduled: ['namespace', 'name', 'node', 'ip'],
  PodUnschedulable: ['namespace', 'name', 'reason', 'message'],
  PodDeleted: ['namespace', 'name', 'reason'],
  ServiceApplied: ['namespace', 'name', 'type', 'selector', 'ports', 'clusterIP', 'loadBalancerIP', 'externalTrafficPolicy', 'sessionAffinity'],
  ServiceDeleted: ['namespace', 'name'],
  EndpointsChanged: ['namespace', 'name', 'endpoints'],
  IngressApplied: ['namespace', 'name', 'className', 'rules', 'defaultBackend'],
  IngressDeleted: ['namespace', 'name'],
  TrafficSent: ['from', 'to', 'port', 'proto', 'flows', 'packets'],
};

/** Schemas of every cluster event, for the codec. */
export const clusterEventSchemas: EventSchema[] = Object.entries(clusterEventFields).map(([type, fields]) => ({ type, version: 1, fields }));
