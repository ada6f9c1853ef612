// kube-scheduler, reduced to what decides placement for networking: filter nodes
// (Ready, schedulable, taints tolerated, nodeSelector, the pods-per-node limit, a free
// pod IP), then score by spreading: fewest pods of the same owner first (the default
// PodTopologySpread), then fewest pods overall, then join order.
//
// At 5,000 nodes a scan of every node per pod is 750 million checks for 150,000 pods,
// so nodes wait in a min-heap ordered by (pods, join order): the first fitting node
// popped that holds none of the pod's siblings is the best one. Only when every
// fitting node already holds a sibling are the owner's few nodes compared. The choice
// is the same node a full scan would pick.
import type { ClusterState, Node, Pod, Taint, Toleration } from '../cluster/index.js';
import { event, workloadKey, type ClusterEvent } from '../cluster/index.js';
import { allocatePodIp } from './ipam.js';
import { matchesLabels } from './labels.js';
import { NodeHeap } from './NodeHeap.js';

/** Where controllers send their decisions: folded into the state at once, then logged. */
export type Emit = (e: ClusterEvent) => void;

/** Does some toleration tolerate the taint (core/v1 Toleration.ToleratesTaint)? */
export function tolerates(tolerations: Toleration[] | undefined, t: Taint): boolean {
  return (tolerations ?? []).some((tol) =>
    (tol.effect === undefined || tol.effect === '' || tol.effect === t.effect) &&
    (tol.key === undefined || tol.key === '' ? tol.operator === 'Exists' : tol.key === t.key) &&
    (tol.operator === 'Exists' || (tol.value ?? '') === (t.value ?? '')));
}

/** Pods bound to a node now (the index follows every folded event). */
function podsOn(s: ClusterState, node: string): number {
  return s.index.podsByNode.get(node)?.size ?? 0;
}

/** Why a node cannot take a pod, or undefined when it can. */
function unfit(s: ClusterState, p: Pod, n: Node): string | undefined {
  if (!n.ready) return 'node(s) were not ready';
  if (n.unschedulable) return 'node(s) were unschedulable';
  if (p.targetNode && p.targetNode !== n.name) return "node(s) didn't match the DaemonSet's node";
  const taint = n.taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(p.tolerations, t));
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  if (!matchesLabels(n.labels, p.nodeSelector)) return "node(s) didn't match Pod's node affinity/selector";
  if (podsOn(s, n.name) >= s.config!.maxPodsPerNode) return 'node(s) had too many pods';
  return undefined;
}

/** Per owner, how many of its pods each node holds: built once per pass, kept as pods are placed. */
class SiblingCounts {
  private readonly byOwner = new Map<string, Map<string, number>>();
  private readonly s: ClusterState;
  constructor(s: ClusterState) {
    this.s = s;
  }

  of(p: Pod): Map<string, number> {
    if (!p.owner) return new Map();
    const owner = workloadKey(p.owner.kind, p.namespace, p.owner.name);
    let out = this.byOwner.get(owner);
    if (!out) {
      out = new Map();
      for (const key of this.s.index.podsByOwner.get(owner) ?? []) {
        const node = this.s.pods.get(key)?.node;
        if (node) out.set(node, (out.get(node) ?? 0) + 1);
      }
      this.byOwner.set(owner, out);
    }
    return out;
  }

  placed(p: Pod, node: string): void {
    if (!p.owner) return;
    const m = this.of(p);
    m.set(node, (m.get(node) ?? 0) + 1);
  }
}

/** The best node for a pod, or undefined when none fits. */
function bestNode(s: ClusterState, p: Pod, heap: NodeHeap, siblingCounts: SiblingCounts): Node | undefined {
  if (p.targetNode) {
    const n = s.nodes.get(p.targetNode);
    return n && !unfit(s, p, n) ? n : undefined;
  }
  const siblings = siblingCounts.of(p);
  const free = heap.first((n) => !siblings.has(n.name) && !unfit(s, p, n));
  if (free) return free;
  let best: Node | undefined;
  let bestScore: [number, number, number] = [Infinity, Infinity, Infinity];
  for (const [name, count] of siblings) {
    const n = s.nodes.get(name);
    if (!n || unfit(s, p, n)) continue;
    const score: [number, number, number] = [count, podsOn(s, name), n.index];
    if (score[0] < bestScore[0] || (score[0] === bestScore[0] && (score[1] < bestScore[1] || (score[1] === bestScore[1] && score[2] < bestScore[2])))) {
      best = n;
      bestScore = score;
    }
  }
  return best;
}

/** kube-scheduler's FailedScheduling text: every node's reason, counted. */
function unschedulableMessage(s: ClusterState, p: Pod, extra?: string): string {
  const reasons = new Map<string, number>();
  for (const n of s.nodes.values()) {
    const why = unfit(s, p, n);
    if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  if (extra) reasons.set(extra, 1);
  // kube-scheduler's ErrNoNodesAvailable when the cluster has no node at all.
  if (s.nodes.size === 0) return 'no nodes available to schedule pods';
  return `0/${s.nodes.size} nodes are available: ${[...reasons].map(([r, c]) => `${c} ${r}`).join(', ')}.`;
}

/**
 * Schedule every Pending pod that has no node: PodScheduled with the node and IP
 * chosen, or PodUnschedulable with kube-scheduler's style of message.
 */
export function schedulePending(s: ClusterState, emit: Emit): void {
  if (s.index.unscheduled.size === 0) return;
  const heap = new NodeHeap(s.nodes.values(), (n) => podsOn(s, n.name));
  const siblings = new SiblingCounts(s);
  for (const key of [...s.index.unscheduled]) {
    const p = s.pods.get(key);
    if (!p || p.node || p.phase !== 'Pending') continue;
    const best = bestNode(s, p, heap, siblings);
    const ip = best && (p.hostNetwork ? best.ip : allocatePodIp(s, best));
    if (!best || !ip) {
      const msg = unschedulableMessage(s, p, best ? `node(s) had no free pod IP in ${best.podCidr}` : undefined);
      if (p.reason !== 'Unschedulable' || p.message !== msg) {
        emit(event('PodUnschedulable', `pod/${p.namespace}/${p.name}`, { namespace: p.namespace, name: p.name, reason: 'Unschedulable', message: msg }));
      }
      continue;
    }
    emit(event('PodScheduled', `pod/${p.namespace}/${p.name}`, { namespace: p.namespace, name: p.name, node: best.name, ip }));
    heap.update(best);
    siblings.placed(p, best.name);
  }
}
