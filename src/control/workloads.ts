// ReplicaSet / ReplicationController / Deployment keep `replicas` pods; DaemonSets keep
// one pod per eligible node. Pod names follow Kubernetes' generateName: the owner's
// name and five characters from its alphabet, drawn from a hash of (owner, counter)
// so a replayed scenario names its pods the same way every time.
import { hash } from 'node:crypto';
import type { ClusterState, Node, Pod, Workload } from '../cluster/index.js';
import { event, nsKey, workloadKey } from '../cluster/index.js';
import { matchesLabels } from './labels.js';
import { tolerates, type Emit } from './scheduler.js';

/** k8s.io/apimachinery/pkg/util/rand alphabet (no vowels, no confusable digits). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Deterministic 5-character suffix for the n-th pod of an owner. */
export function podSuffix(ownerKey: string, n: number): string {
  // One-shot hash: a Hash object per pod was a visible cost at 150,000 pods.
  const h = hash('sha1', `${ownerKey}#${n}`, 'buffer');
  let out = '';
  for (let i = 0; i < 5; i++) out += ALPHABET[h[i]! % ALPHABET.length];
  return out;
}

/** A workload's pods, in creation order (from the owner index, not a scan of every pod). */
export function ownedPods(s: ClusterState, w: Workload): Pod[] {
  const out: Pod[] = [];
  for (const key of s.index.podsByOwner.get(workloadKey(w.kind, w.namespace, w.name)) ?? []) {
    const p = s.pods.get(key);
    if (p) out.push(p);
  }
  return out;
}

function createPod(s: ClusterState, w: Workload, emit: Emit, targetNode?: string): void {
  const key = `${w.kind}/${w.namespace}/${w.name}`;
  let n = w.generation;
  let name = `${w.name}-${podSuffix(key, n)}`;
  while (s.pods.has(nsKey(w.namespace, name))) name = `${w.name}-${podSuffix(key, ++n)}`;
  const t = w.template;
  emit(event('PodCreated', `pod/${w.namespace}/${name}`, {
    namespace: w.namespace, name, labels: t.labels, containers: t.containers, nodeSelector: t.nodeSelector,
    tolerations: t.tolerations, hostNetwork: t.hostNetwork, owner: { kind: w.kind, name: w.name }, targetNode,
  }));
}

function deletePod(p: Pod, reason: string, emit: Emit): void {
  emit(event('PodDeleted', `pod/${p.namespace}/${p.name}`, { namespace: p.namespace, name: p.name, reason }));
}

/**
 * Scale-down victims, as the ReplicaSet controller ranks them: unscheduled before
 * scheduled, pending before running, then the newest first.
 */
function victims(pods: Pod[], count: number): Pod[] {
  return [...pods].sort((a, b) =>
    Number(!!a.node) - Number(!!b.node) ||
    Number(a.phase === 'Running') - Number(b.phase === 'Running') ||
    (b.createdAt - a.createdAt) || (a.name < b.name ? 1 : -1)).slice(0, count);
}

/** Replicated workloads: create or delete pods until each has `replicas`. */
export function reconcileReplicas(s: ClusterState, emit: Emit): void {
  const dirty = s.index.dirtyWorkloads;
  if (dirty.size === 0) return;
  // Take this controller's share of the work list first: pods it creates re-mark their owner.
  const mine = new Set<string>();
  for (const key of dirty) {
    const w = s.workloads.get(key);
    if (!w || w.kind !== 'DaemonSet') { mine.add(key); dirty.delete(key); }
  }
  if (mine.size === 0) return;
  // Walk in workload order (deterministic event order), looking only at dirty ones.
  // Pod events never add or remove workloads, so the map can be walked as it is.
  for (const [key, w] of s.workloads) {
    if (w.kind === 'DaemonSet' || !mine.has(key)) continue;
    // The owner index counts without building the pod list: most workloads are settled.
    if ((s.index.podsByOwner.get(key)?.size ?? 0) === w.replicas) continue;
    const pods = ownedPods(s, w);
    if (pods.length < w.replicas) for (let i = pods.length; i < w.replicas; i++) createPod(s, w, emit);
    else if (pods.length > w.replicas) for (const p of victims(pods, pods.length - w.replicas)) deletePod(p, 'ScaledDown', emit);
  }
}

/** Can a DaemonSet pod run on this node (nodeSelector, taints)? Readiness is not required to want one. */
function daemonFits(w: Workload, n: Node): boolean {
  if (!matchesLabels(n.labels, w.template.nodeSelector)) return false;
  return n.taints.every((t) => t.effect === 'PreferNoSchedule' || tolerates(w.template.tolerations, t));
}

/** DaemonSets: one pod per fitting node; pods on nodes that left or no longer fit are collected. */
export function reconcileDaemonSets(s: ClusterState, emit: Emit): void {
  const dirty = s.index.dirtyWorkloads;
  const all = s.index.nodesChanged;
  s.index.nodesChanged = false;
  const mine = new Set<string>();
  for (const key of dirty) if (s.workloads.get(key)?.kind === 'DaemonSet') { mine.add(key); dirty.delete(key); }
  if (!all && mine.size === 0) return;
  for (const [key, w] of s.workloads) {
    if (w.kind !== 'DaemonSet' || (!all && !mine.has(key))) continue;
    const byNode = new Map<string, Pod>();
    for (const p of ownedPods(s, w)) {
      const target = p.targetNode ?? p.node;
      const n = target ? s.nodes.get(target) : undefined;
      if (!n || !daemonFits(w, n) || byNode.has(n.name)) deletePod(p, 'DaemonSetNodeGone', emit);
      else byNode.set(n.name, p);
    }
    for (const n of s.nodes.values()) if (!byNode.has(n.name) && daemonFits(w, n)) createPod(s, w, emit, n.name);
  }
}

/** Pods whose owner is gone are garbage-collected (ownerReferences cascade). */
export function collectOrphans(s: ClusterState, emit: Emit): void {
  // An owner goes away only by WorkloadDeleted, which marks it dirty.
  for (const owner of [...s.index.dirtyWorkloads]) {
    if (s.workloads.has(owner)) continue;
    for (const key of [...s.index.podsByOwner.get(owner) ?? []]) {
      const p = s.pods.get(key);
      if (p) deletePod(p, 'OwnerDeleted', emit);
    }
  }
}
