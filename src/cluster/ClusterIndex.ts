// Secondary indexes over the cluster projection, kept by evolve as events fold in, so
// controllers at Kubernetes' scale envelope (150,000 pods) look up "pods of this
// owner", "pods on this node" or "pods labelled app=x" without scanning every pod.
// They are derived data: snapshots do not store them, and a state builds them from its
// objects the first time a controller asks (ClusterState.index), not on every replay.
import type { ClusterState } from './ClusterState.js';
import { ownerKey, type Pod, type Service } from './types.js';

/** `namespace\0key=value`: one label pair in one namespace. */
function pairKey(namespace: string, k: string, v: string): string {
  return `${namespace}\0${k}=${v}`;
}

function addTo<K>(m: Map<K, Set<string>>, k: K, v: string): void {
  let set = m.get(k);
  if (!set) { set = new Set(); m.set(k, set); }
  set.add(v);
}

function addNumber(m: Map<string, Set<number>>, k: string, v: number): void {
  let set = m.get(k);
  if (!set) { set = new Set(); m.set(k, set); }
  set.add(v);
}

/** Dotted quad -> number, for addresses evolve already trusts (no validation: see engine/net for that). */
function ipNumber(ip: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) { n = n * 256 + part; part = 0; } else part = part * 10 + (c - 48);
  }
  return n * 256 + part;
}

function removeFrom<K>(m: Map<K, Set<string>>, k: K, v: string): void {
  const set = m.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) m.delete(k);
}

/** The first pair of a selector (sorted by key) indexes the Service; '*' for an empty selector. */
function servicePair(svc: Service): string {
  const keys = Object.keys(svc.selector ?? {}).sort();
  const k = keys[0];
  return k === undefined ? `${svc.namespace}\0*` : pairKey(svc.namespace, k, svc.selector![k]!);
}

function selects(svc: Service, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(svc.selector ?? {})) if (labels[k] !== v) return false;
  return true;
}

/**
 * Indexes of one ClusterState. Sets keep insertion order (event order), so iterating
 * them visits pods in the same order as iterating `ClusterState.pods` would.
 */
export class ClusterIndex {
  /** Workload key (`Kind/ns/name`) -> its pods' keys. */
  readonly podsByOwner = new Map<string, Set<string>>();
  /** Node name -> keys of pods bound to it. */
  readonly podsByNode = new Map<string, Set<string>>();
  /** Node name -> pod IPs (as numbers) held on it: pod IPAM's view of the node's CIDR. */
  readonly podIpsByNode = new Map<string, Set<number>>();
  /**
   * Node name -> an address below which every pod address of the node is taken: IPAM
   * starts its lowest-free search there instead of at the CIDR's start (absent: start).
   */
  readonly podIpFloor = new Map<string, number>();
  /** Pods not bound to a node yet, in creation order (the scheduler's queue). */
  readonly unscheduled = new Set<string>();
  /** `ns\0key=value` -> pods carrying that label. */
  readonly podsByLabel = new Map<string, Set<string>>();
  /** `ns\0key=value` of a selector Service's first selector pair -> Service keys. */
  readonly servicesByPair = new Map<string, Set<string>>();
  /** Services whose endpoints may be stale: the endpoints controller's work list. */
  readonly dirtyServices = new Set<string>();
  /** Workloads whose pods may not match their spec (replicas, nodes): the workload controllers' work list. */
  readonly dirtyWorkloads = new Set<string>();
  /** Nodes changed (joined, left, relabelled, failed): every DaemonSet must look again. */
  nodesChanged = true;
  /** Nodes that failed or left since the node lifecycle controller last looked. */
  readonly lostNodes = new Set<string>();

  /**
   * The index of a state's objects, as evolve would have kept it, with empty work
   * lists: every batch in the log ends with the controllers settled. Pods are visited
   * in creation order, so each set lists them in creation order.
   */
  static build(s: ClusterState): ClusterIndex {
    const ix = new ClusterIndex();
    for (const [key, svc] of s.services) if (svc.selector) addTo(ix.servicesByPair, servicePair(svc), key);
    for (const [key, p] of s.pods) ix.addPod(key, p, ownerKey(p));
    return ix;
  }

  /** Pod keys with a label pair in a namespace (empty when none). */
  podsWithLabel(namespace: string, k: string, v: string): ReadonlySet<string> {
    return this.podsByLabel.get(pairKey(namespace, k, v)) ?? EMPTY;
  }

  /** Index a pod as it is now (no work-list changes). */
  private addPod(key: string, p: Pod, owner: string | undefined): void {
    if (owner) addTo(this.podsByOwner, owner, key);
    for (const k in p.labels) addTo(this.podsByLabel, pairKey(p.namespace, k, p.labels[k]!), key);
    if (p.node) this.addBinding(key, p, p.node);
    else this.unscheduled.add(key);
  }

  private addBinding(key: string, p: Pod, node: string): void {
    addTo(this.podsByNode, node, key);
    if (p.ip && !p.hostNetwork) addNumber(this.podIpsByNode, node, ipNumber(p.ip));
  }

  podCreated(key: string, p: Pod, owner: string | undefined): void {
    this.addPod(key, p, owner);
    if (owner) this.dirtyWorkloads.add(owner);
  }

  podBound(key: string, p: Pod, services: ReadonlyMap<string, Service>): void {
    this.unscheduled.delete(key);
    if (p.node) this.addBinding(key, p, p.node);
    this.podChanged(p, services);
  }

  podDeleted(key: string, p: Pod, owner: string | undefined, services: ReadonlyMap<string, Service>): void {
    if (owner) { removeFrom(this.podsByOwner, owner, key); this.dirtyWorkloads.add(owner); }
    for (const [k, v] of Object.entries(p.labels)) removeFrom(this.podsByLabel, pairKey(p.namespace, k, v), key);
    this.unscheduled.delete(key);
    if (p.node) { removeFrom(this.podsByNode, p.node, key); this.podChanged(p, services); }
    if (p.node && p.ip && !p.hostNetwork) {
      const ip = ipNumber(p.ip);
      this.podIpsByNode.get(p.node)?.delete(ip);
      const floor = this.podIpFloor.get(p.node);
      if (floor !== undefined && ip < floor) this.podIpFloor.set(p.node, ip);
    }
  }

  /** A pod's readiness may have changed: every Service selecting it is dirty. */
  podChanged(p: Pod, services: ReadonlyMap<string, Service>): void {
    const candidates = [this.servicesByPair.get(`${p.namespace}\0*`)];
    for (const [k, v] of Object.entries(p.labels)) candidates.push(this.servicesByPair.get(pairKey(p.namespace, k, v)));
    for (const set of candidates) {
      if (!set) continue;
      for (const sk of set) {
        const svc = services.get(sk);
        if (svc && selects(svc, p.labels)) this.dirtyServices.add(sk);
      }
    }
  }

  serviceApplied(key: string, svc: Service, old: Service | undefined): void {
    if (old?.selector) removeFrom(this.servicesByPair, servicePair(old), key);
    if (svc.selector) addTo(this.servicesByPair, servicePair(svc), key);
    this.dirtyServices.add(key);
  }

  serviceDeleted(key: string, svc: Service): void {
    if (svc.selector) removeFrom(this.servicesByPair, servicePair(svc), key);
    this.dirtyServices.delete(key);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
