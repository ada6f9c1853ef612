// The one pipeline. A vector of up to VEC_MAX packets runs the stages in a fixed
// order, each stage acting on the packets its phase selects, with at most one kernel
// call per stage per pass; a packet that moves to another node (or to the cloud)
// runs the stages again in the next pass at its new place, so a pass is "what every
// node does with the packets it holds now". A trace is this pipeline on one packet
// with a recorder; the bulk forwarder runs it on full vectors with none.
import { TTL_EXCEEDED } from '../../assembly/shared/drop.js';
import type { ForwardingContext } from './ForwardingContext.js';
import { bridgeStage, newBridgeCounters, type BridgeCounters } from './stages/bridgeStage.js';
import { cloudStage } from './stages/cloudStage.js';
import { conntrackStage, newConntrackCounters, type ConntrackCounters } from './stages/conntrackStage.js';
import { deliverStage } from './stages/deliverStage.js';
import { forwardStage, newForwardCounters, type ForwardCounters } from './stages/forwardStage.js';
import { kubeProxyStage, newKubeProxyCounters, type KubeProxyCounters } from './stages/kubeProxyStage.js';
import { natStage, newNatCounters, type NatCounters } from './stages/natStage.js';
import { podTxStage } from './stages/podTxStage.js';
import { newRouteCounters, routeStage, type RouteCounters } from './stages/routeStage.js';

/** A packet crosses at most this many places (source node, LB node, endpoint node, cloud...). */
export const MAX_PASSES = 8;

/** Every stage's counters. */
export interface StageCounters {
  bridge: BridgeCounters;
  conntrack: ConntrackCounters;
  kubeProxy: KubeProxyCounters;
  route: RouteCounters;
  nat: NatCounters;
  forward: ForwardCounters;
}

/** Fresh counters for every stage. */
export function newStageCounters(): StageCounters {
  return {
    bridge: newBridgeCounters(), conntrack: newConntrackCounters(), kubeProxy: newKubeProxyCounters(),
    route: newRouteCounters(), nat: newNatCounters(), forward: newForwardCounters(),
  };
}

/** One pass: every stage once over the vector. */
function pass(ctx: ForwardingContext, n: number, c: StageCounters): void {
  cloudStage(ctx, n);
  podTxStage(ctx, n);
  bridgeStage(ctx, n, c.bridge);
  conntrackStage(ctx, n, c.conntrack);
  kubeProxyStage(ctx, n, c.kubeProxy);
  routeStage(ctx, n, c.route);
  natStage(ctx, n, c.nat);
  forwardStage(ctx, n, c.forward);
  deliverStage(ctx, n, c.bridge);
}

/** Run packets 0..n-1 (placed by the caller: vector columns + meta.reset) until each is delivered or dropped. */
export function runPipeline(ctx: ForwardingContext, n: number, c: StageCounters): void {
  for (let p = 0; p < MAX_PASSES; p++) {
    pass(ctx, n, c);
    let live = 0;
    const d = ctx.dp.vec.drop;
    for (let i = 0; i < n; i++) if (d[i] === 0) live++;
    if (live === 0) return;
  }
  const d = ctx.dp.vec.drop;
  for (let i = 0; i < n; i++) if (d[i] === 0) ctx.drop(i, TTL_EXCEEDED);
}
