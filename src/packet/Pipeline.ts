// The one pipeline. A vector of up to VEC_MAX packets runs the stages in a fixed
// order, each stage acting on the packets its phase selects, with at most one kernel
// call per stage per pass; a packet that moves to another node (or to the cloud)
// runs the stages again in the next pass at its new place, so a pass is "what every
// node does with the packets it holds now". A trace is this pipeline on one packet
// with a recorder; the bulk forwarder runs it on full vectors with none.
import { TTL_EXCEEDED } from '../../assembly/shared/drop.js';
import type { ForwardingContext } from './ForwardingContext.js';
import { CLOUD, Phase } from './PacketMeta.js';
import { bridgeStage, newBridgeCounters, type BridgeCounters } from './stages/bridgeStage.js';
import { cloudStage } from './stages/cloudStage.js';
import { conntrackStage, newConntrackCounters, newConntrackReport, type ConntrackCounters } from './stages/conntrackStage.js';
import { deliverStage } from './stages/deliverStage.js';
import { forwardStage, newForwardCounters, type ForwardCounters, type ForwardOut } from './stages/forwardStage.js';
import { kubeProxyStage, newKubeProxyCounters, type KubeProxyCounters } from './stages/kubeProxyStage.js';
import { natStage, newNatCounters, type NatCounters } from './stages/natStage.js';
import { podTxStage, type BridgeIngress } from './stages/podTxStage.js';
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

/** podTxStage's marks for the bridge stage (one pass at a time, so one object serves every pass). */
const ingress: BridgeIngress = { frames: 0, bridged: 0, learned: -1, moved: 0 };
/** The forward stage's report to the pass. */
const forwarded: ForwardOut = { left: 0, phases: 0 };
/** The conntrack stage's report to the route and forward stages. */
const routed = newConntrackReport();

/**
 * One pass: every stage once over the vector, in order. A stage none of whose
 * packets is present is skipped (`phases`: bit 1 << Phase of every live packet, bit 0
 * for a packet at the cloud edge; the conntrack stage says how many are new, the
 * forward stage how many it sent to the bridge): a skipped stage would have done
 * nothing and recorded nothing, so traces and results are those of the full pass.
 * Returns the phases of the packets still in flight, as the forward stage saw them.
 */
function pass(ctx: ForwardingContext, n: number, c: StageCounters, phases: number): number {
  if (phases & 1) cloudStage(ctx, n);
  if (phases & (1 << Phase.FROM_POD)) { podTxStage(ctx, n, ingress); bridgeStage(ctx, n, c.bridge, ingress); }
  const fresh = conntrackStage(ctx, n, c.conntrack, routed);
  if (fresh !== 0) kubeProxyStage(ctx, n, c.kubeProxy);
  routeStage(ctx, n, c.route, fresh, routed);
  if (fresh !== 0) natStage(ctx, n, c.nat);
  forwardStage(ctx, n, c.forward, c.bridge, routed, forwarded);
  if (forwarded.left !== 0) deliverStage(ctx, n, c.bridge);
  return forwarded.phases;
}

/** Run packets 0..n-1 (placed by the caller: placePacket) until each is delivered or dropped. */
export function runPipeline(ctx: ForwardingContext, n: number, c: StageCounters): void {
  const v = ctx.dp.vec, d0 = v.drop, loc = v.loc, phase = v.phase;
  let phases = 0;
  for (let i = 0; i < n; i++) if (d0[i] === 0) phases |= loc[i] === CLOUD ? 1 : 1 << phase[i]!;
  for (let p = 0; p < MAX_PASSES; p++) {
    if (phases === 0) return;
    phases = pass(ctx, n, c, phases);
  }
  const d = ctx.dp.vec.drop;
  for (let i = 0; i < n; i++) if (d[i] === 0) ctx.drop(i, TTL_EXCEEDED);
}
