// The controller loop: after a command's events, every controller looks at the
// cluster and emits what it decides, until none has anything left to do.
import { event, type ClusterState } from '../cluster/index.js';
import { reconcileEndpoints } from './endpoints.js';
import { schedulePending, type Emit } from './scheduler.js';
import { collectOrphans, reconcileDaemonSets, reconcileReplicas } from './workloads.js';

/**
 * Node lifecycle: pods on a NotReady node are evicted (the taint manager's
 * NoExecute eviction; podnet does it at once rather than after the default 300 s
 * toleration, so a failure's effect is visible at the failure's time). DaemonSet pods
 * tolerate the taint and stay, as in Kubernetes.
 */
export function evictFromFailedNodes(s: ClusterState, emit: Emit): void {
  // The scheduler never binds to a NotReady node, so only nodes lost since the last pass matter.
  if (s.index.lostNodes.size === 0) return;
  const lost = [...s.index.lostNodes];
  s.index.lostNodes.clear();
  for (const node of lost) {
    const n = s.nodes.get(node);
    if (n?.ready) continue;
    for (const key of [...s.index.podsByNode.get(node) ?? []]) {
      const p = s.pods.get(key);
      if (!p || p.owner?.kind === 'DaemonSet') continue;
      emit(event('PodDeleted', `pod/${p.namespace}/${p.name}`, { namespace: p.namespace, name: p.name, reason: n ? 'NodeLost' : 'NodeRemoved' }));
    }
  }
}

/** The controllers in the order a pass runs them. */
const CONTROLLERS: ((s: ClusterState, emit: Emit) => void)[] = [
  evictFromFailedNodes,
  collectOrphans,
  reconcileReplicas,
  reconcileDaemonSets,
  schedulePending,
  reconcileEndpoints,
];

const MAX_PASSES = 20;

/** Run controllers until a pass emits nothing. */
export function reconcile(s: ClusterState, emit: Emit): void {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let emitted = 0;
    const counted: Emit = (e) => { emitted++; emit(e); };
    for (const c of CONTROLLERS) c(s, counted);
    if (emitted === 0) return;
  }
  throw new Error(`controllers did not settle after ${MAX_PASSES} passes (a podnet bug: please report the scenario)`);
}
