import { ClusterIndex } from './ClusterIndex.js';
import type { ClusterConfig, Endpoints, Ingress, Node, Pod, Service, Workload, WorkloadKind } from './types.js';

/**
 * The cluster projection: every object, keyed as `namespace/name` (nodes by name).
 * Maps keep insertion order, which is event order, so iteration is deterministic.
 */
export interface ClusterState {
  config?: ClusterConfig;
  nodes: Map<string, Node>;
  namespaces: Set<string>;
  pods: Map<string, Pod>;
  workloads: Map<string, Workload>;
  services: Map<string, Service>;
  endpoints: Map<string, Endpoints>;
  ingresses: Map<string, Ingress>;
  /** Pod IP -> pod key: IPAM's view, so no IP is ever handed out twice. */
  podIps: Map<string, string>;
  /** ClusterIP / NodePort / LoadBalancer IP in use -> service key. */
  serviceIps: Map<string, string>;
  nodePorts: Map<number, string>;
  /** Derived lookups (pods by owner, node, label; dirty Services), kept by evolve. */
  index: ClusterIndex;
  /** Last event folded in. */
  seq: number;
  time: number;
}

/** An empty cluster. */
export function initialClusterState(): ClusterState {
  return {
    nodes: new Map(), namespaces: new Set(), pods: new Map(), workloads: new Map(), services: new Map(),
    endpoints: new Map(), ingresses: new Map(), podIps: new Map(), serviceIps: new Map(), nodePorts: new Map(),
    index: new ClusterIndex(),
    seq: 0, time: 0,
  };
}

/** Key of a workload in `ClusterState.workloads`. */
export function workloadKey(kind: WorkloadKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
