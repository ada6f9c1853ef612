// kube-scheduler, reduced to what decides placement for networking: filter nodes
// (Ready, schedulable, taints tolerated, nodeSelector, the pods-per-node limit, a free
// pod IP), then score by spreading: fewest pods of the same owner first (the default
// PodTopologySpread), then fewest pods overall, then join order.
import type { ClusterState, Node, Pod, Taint, Toleration } from '../cluster/index.js';
import { event, type ClusterEvent } from '../cluster/index.js';
import { allocatePodIp } from './ipam.js';
import { matchesLabels } from './labels.js';

/** Does some toleration tolerate the taint (core/v1 Toleration.ToleratesTaint)? */
export function tolerates(tolerations: Toleration[] | undefined, t: Taint): boolean {
  return (tolerations ?? []).some((tol) =>
    (tol.effect === undefined || tol.effect === '' || tol.effect === t.effect) &&
    (tol.key === undefined || tol.key === '' ? tol.operator === 'Exists' : tol.key === t.key) &&
    (tol.operator === 'Exists' || (tol.value ?? '') === (t.value ?? '')));
}

/** Pod counts per node and per (owner, node), built once per scheduling pass. */
export class NodeLoad {
  readonly total = new Map<string, number>();
  private readonly byOwner = new Map<string, number>();

  constructor(s: ClusterState) {
    for (const p of s.pods.values()) if (p.node) this.add(p, p.node);
  }

  add(p: Pod, node: string): void {
    this.total.set(node, (this.total.get(node) ?? 0) + 1);
    if (p.owner) {
      const k = `${p.owner.kind}/${p.namespace}/${p.owner.name}@${node}`;
      this.byOwner.set(k, (this.byOwner.get(k) ?? 0) + 1);
    }
  }

  ofOwner(p: Pod, node: string): number {
    return p.owner ? this.byOwner.get(`${p.owner.kind}/${p.namespace}/${p.owner.name}@${node}`) ?? 0 : 0;
  }
}

/** Why a node cannot take a pod, or undefined when it can. */
function unfit(s: ClusterState, p: Pod, n: Node, load: NodeLoad): string | undefined {
  if (!n.ready) return 'node(s) were not ready';
  if (n.unschedulable) return 'node(s) were unschedulable';
  if (p.targetNode && p.targetNode !== n.name) return "node(s) didn't match the DaemonSet's node";
  const taint = n.taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(p.tolerations, t));
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  if (!matchesLabels(n.labels, p.nodeSelector)) return "node(s) didn't match Pod's node affinity/selector";
  if ((load.total.get(n.name) ?? 0) >= s.config!.maxPodsPerNode) return 'node(s) had too many pods';
  return undefined;
}

/** Where controllers send their decisions: folded into the state at once, then logged. */
export type Emit = (e: ClusterEvent) => void;

/**
 * Schedule every Pending pod that has no node: PodScheduled with the node and IP
 * chosen, or PodUnschedulable with kube-scheduler's style of message.
 */
export function schedulePending(s: ClusterState, emit: Emit): void {
  let load: NodeLoad | undefined;
  for (const p of s.pods.values()) {
    if (p.node || p.phase !== 'Pending') continue;
    load ??= new NodeLoad(s);
    const reasons = new Map<string, number>();
    let best: Node | undefined;
    let bestScore: [number, number] = [Infinity, Infinity];
    for (const n of s.nodes.values()) {
      const why = unfit(s, p, n, load);
      if (why) { reasons.set(why, (reasons.get(why) ?? 0) + 1); continue; }
      const score: [number, number] = [load.ofOwner(p, n.name), load.total.get(n.name) ?? 0];
      if (score[0] < bestScore[0] || (score[0] === bestScore[0] && score[1] < bestScore[1])) { best = n; bestScore = score; }
    }
    const stream = `pod/${p.namespace}/${p.name}`;
    const ip = best && (p.hostNetwork ? best.ip : allocatePodIp(s, best));
    if (best && !ip) reasons.set(`node(s) had no free pod IP in ${best.podCidr}`, 1);
    if (!best || !ip) {
      const msg = `0/${s.nodes.size} nodes are available: ${[...reasons].map(([r, c]) => `${c} ${r}`).join(', ')}.`;
      if (p.reason !== 'Unschedulable' || p.message !== msg) {
        emit(event('PodUnschedulable', stream, { namespace: p.namespace, name: p.name, reason: 'Unschedulable', message: msg }));
      }
      continue;
    }
    load.add(p, best.name);
    emit(event('PodScheduled', stream, { namespace: p.namespace, name: p.name, node: best.name, ip }));
  }
}
