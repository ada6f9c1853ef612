import { ClusterIndex } from './ClusterIndex.js';
import { PodTable } from './PodTable.js';
import type { ClusterConfig, Endpoints, Ingress, Node, Service, Workload } from './types.js';

/**
 * The pod created last, its owner's key and workload. A workload's pods are created one
 * after another: the next one shares the last one's spec parts and owner lookup.
 * Reset when a workload is applied or deleted (the lookup may be stale).
 */
export interface LastPod {
  /** Its slot in the pod table, or -1. */
  slot: number;
  owner: string | undefined;
  workload: Workload | undefined;
  /**
   * Slots of pods created and not yet bound, in creation order: `created[bound..count)`.
   * The scheduler binds pending pods in that order, so a PodScheduled nearly always
   * names `created[bound]` and finds its pod's slot without a lookup by key. Emptied
   * when a pod is deleted, a key is created again or it is full (later PodScheduled
   * events then look their pod up), so every slot in it holds the pod created there.
   * A fixed typed array: resetting a JS array's length per bind was a runtime call.
   */
  readonly created: Int32Array;
  count: number;
  bound: number;
}

/**
 * The cluster projection: every object, keyed as `namespace/name` (nodes by name).
 * Maps keep insertion order, which is event order, so iteration is deterministic.
 */
export interface ClusterState {
  config?: ClusterConfig;
  nodes: Map<string, Node>;
  namespaces: Set<string>;
  pods: PodTable;
  workloads: Map<string, Workload>;
  services: Map<string, Service>;
  endpoints: Map<string, Endpoints>;
  ingresses: Map<string, Ingress>;
  /**
   * Pod IP -> pod key: IPAM's view, so no IP is ever handed out twice, and the
   * datapath's. Derived from the pods: built on first use, kept by evolve from then on.
   */
  readonly podIps: Map<string, string>;
  /** podIps once something has asked for it; evolve keeps it only then. */
  podIpsBuilt: Map<string, string> | undefined;
  /** ClusterIP / NodePort / LoadBalancer IP in use -> service key. */
  serviceIps: Map<string, string>;
  nodePorts: Map<number, string>;
  /** Nodes joined so far, removed ones included: the next node's address index. */
  nodeSerial: number;
  /**
   * Derived lookups (pods by owner, node, label) and the controllers' work lists, built
   * from the objects on first use and kept by evolve from then on. Only controllers use
   * them, so a replay for a query (or a snapshot restore) never pays for them.
   */
  readonly index: ClusterIndex;
  /** The index once something has asked for it; evolve keeps it only then. */
  indexed: ClusterIndex | undefined;
  /** The pod created last and its owner, for the next one (evolve's PodCreated). */
  readonly lastPod: LastPod;
  /** Last event folded in. */
  seq: number;
  time: number;
}

/** Pod IP -> pod key, in pod order (a later pod on the same IP, hostNetwork ones, wins). */
function podIpsOf(pods: PodTable): Map<string, string> {
  const m = new Map<string, string>();
  for (const slot of pods.slots()) {
    const ip = pods.ip(slot);
    if (ip) m.set(ip, pods.key(slot));
  }
  return m;
}

/** Most pods `LastPod.created` holds. */
const CREATED_SLOTS = 8192;

/** An empty cluster. */
export function initialClusterState(): ClusterState {
  return {
    nodes: new Map(), namespaces: new Set(), pods: new PodTable(), workloads: new Map(), services: new Map(),
    endpoints: new Map(), ingresses: new Map(), serviceIps: new Map(), nodePorts: new Map(),
    nodeSerial: 0, indexed: undefined, podIpsBuilt: undefined, lastPod: { slot: -1, owner: undefined, workload: undefined, created: new Int32Array(CREATED_SLOTS), count: 0, bound: 0 },
    get index(): ClusterIndex { return (this.indexed ??= ClusterIndex.build(this)); },
    get podIps(): Map<string, string> { return (this.podIpsBuilt ??= podIpsOf(this.pods)); },
    seq: 0, time: 0,
  };
}
