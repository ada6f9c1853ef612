// Stage: act on the route. The node's own addresses are delivered to its IP stack
// (hostNetwork pods, NodePort listeners); a cali* /32 hands the packet to the pod; the
// cni0 route sends it to the bridge stage; a remote pod network leaves by the CNI's
// path (flannel.1 VXLAN encapsulation: VNI 1 in UDP 8472 between node IPs, inner MTU
// 1450; host-gw: plain routing to the node IP; Calico: BGP-learned routes on eth0);
// the default route leaves for the cloud. The next node is checked: a NotReady node
// drops the packet (NODE_DOWN), as its datapath no longer answers.
// Trade-off: the next-stage choice is a table (route value -> NEXT_* and node) built
// once per ForwardingContext; for conntrack hits the fast-path kernel already read it,
// and without a trace it already finished the common hits (on to a ready node, out the
// bridge to a local pod: FP_FORWARD), so this loop runs only when packets are left to
// it, as a switch over an integer column. Rare routes (node subnet, blackhole, none)
// stay NEXT_SLOW and are handled from the route objects.
import { NO_ROUTE, NODE_DOWN, TTL_EXCEEDED, ARP_FAILED } from '../../../assembly/shared/drop.js';
import { formatIp } from '../../../engine/net/index.js';
import type { NodeRoute } from '../../network/index.js';
import { NEXT_BRIDGE, NEXT_CLOUD, NEXT_LOCAL, NEXT_MOVED, NEXT_NODE, NEXT_POD, NEXT_SLOW } from '../../../engine/datapath/index.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { formatPacket } from '../formatPacket.js';
import { CLOUD, Phase, Verdict, visit } from '../PacketMeta.js';
import { bridgeDeliver, type BridgeCounters } from './bridgeStage.js';
import { bridgeOut } from './deliverStage.js';
import type { ConntrackReport } from './conntrackStage.js';

/** flannel's VXLAN network: VNI 1, the Linux VXLAN port 8472, 50 bytes of outer headers. */
export const VXLAN = { vni: 1, port: 8472, overhead: 50 } as const;

/** Counters of the forward stage. */
export interface ForwardCounters { local: number; toBridge: number; toPod: number; toNode: number; toCloud: number }

/** What the forward stage tells the pass (see forwardStage). */
export interface ForwardOut { left: number; phases: number }

/** Fresh counters. */
export function newForwardCounters(): ForwardCounters {
  return { local: 0, toBridge: 0, toPod: 0, toNode: 0, toCloud: 0 };
}

function traceLeave(ctx: ForwardingContext, i: number, r: NodeRoute, to: number): void {
  const v = ctx.dp.vec, rec = ctx.rec!;
  const from = v.loc[i]!;
  const outer = `${formatIp(ctx.nodeIp[from]!)} > ${formatIp(ctx.nodeIp[to]!)}`;
  if (r.kind === 'vxlan') {
    rec.step({ point: 'vxlan-encap', dev: 'flannel.1', action: 'encap', match: `fdb: VTEP ${formatIp(r.via!)} is at ${ctx.nodeName(to)} ${formatIp(ctx.nodeIp[to]!)}`, detail: `VNI ${VXLAN.vni}, outer ${outer} udp/${VXLAN.port}, inner MTU ${1500 - VXLAN.overhead}`, packet: formatPacket(v, i) });
    rec.step({ point: 'node-eth0', dev: 'eth0', action: 'transmit', packet: `${outer} udp/${VXLAN.port} [vxlan vni ${VXLAN.vni}]` });
  } else {
    rec.step({ point: 'node-eth0', dev: 'eth0', action: 'transmit', match: `next hop ${formatIp(r.via ?? v.dstIp[i]!)} (${ctx.nodeName(to)})${r.kind === 'bgp' ? ', route learned by BIRD (BGP)' : ''}`, packet: formatPacket(v, i) });
  }
  rec.enter(ctx.nodeName(to), 'root');
  if (r.kind === 'vxlan') {
    rec.step({ point: 'node-eth0', dev: 'eth0', action: 'receive', packet: `${outer} udp/${VXLAN.port}` });
    rec.step({ point: 'vxlan-decap', dev: 'flannel.1', action: 'decap', detail: `VNI ${VXLAN.vni}`, packet: formatPacket(v, i) });
  } else rec.step({ point: 'node-eth0', dev: 'eth0', action: 'receive', packet: formatPacket(v, i) });
}

/** Send packet i to node `to` over the VPC (directly, or inside VXLAN). */
function toNode(ctx: ForwardingContext, i: number, to: number, c: ForwardCounters): void {
  const v = ctx.dp.vec;
  if (v.ttl[i]! <= 1) { ctx.drop(i, TTL_EXCEEDED); return; }
  if (!ctx.nodeReady[to]) {
    if (ctx.rec) ctx.rec.step({ point: 'node-eth0', dev: ctx.routes.route(v.route[i]!)!.dev, action: 'drop', detail: `${ctx.nodeName(to)} is NotReady: its datapath does not answer` });
    ctx.drop(i, NODE_DOWN); return;
  }
  if (ctx.rec) traceLeave(ctx, i, ctx.routes.route(v.route[i]!)!, to);
  v.ttl[i] = v.ttl[i]! - 1;
  v.loc[i] = to; v.phase[i] = Phase.FROM_NODE; visit(v, i, to);
  v.masq[i] = 0; // the skb mark (0x4000) does not cross the wire
  c.toNode++;
}

function toPod(ctx: ForwardingContext, i: number, c: ForwardCounters): void {
  if (ctx.podNode.get(ctx.dp.vec.dstIp[i]!) < 0) { ctx.drop(i, ARP_FAILED); return; }
  if (ctx.rec) {
    const pod = ctx.podsByIp.get(ctx.dp.vec.dstIp[i]!)!;
    const r = ctx.routes.route(ctx.dp.vec.route[i]!)!;
    ctx.rec.step({ point: 'veth', dev: r.dev, action: 'forward', detail: `host end of ${pod.key}'s veth (Calico: routed, no bridge)` });
    ctx.rec.enter(ctx.nodeName(ctx.dp.vec.loc[i]!), `pod ${pod.key}`);
    ctx.rec.step({ point: 'pod-eth0', dev: 'eth0', action: 'deliver', packet: formatPacket(ctx.dp.vec, i) });
  }
  c.toPod++;
  ctx.deliver(i, Verdict.DELIVERED_POD);
}

/** The routes the next-hop table leaves to JS (NEXT_SLOW): none, blackhole, the node subnet. */
function forwardSlow(ctx: ForwardingContext, i: number, c: ForwardCounters): void {
  const v = ctx.dp.vec;
  const dst = v.dstIp[i]!;
  const r = ctx.routes.route(v.route[i]!);
  if (!r || r.kind !== 'node-subnet') { ctx.rec?.step({ point: 'route', action: 'drop', detail: r ? 'blackhole route: Calico block owned here, but no such pod' : 'no route' }); ctx.drop(i, NO_ROUTE); return; }
  const owner = ctx.localIps.get(dst);
  if (owner === undefined || ctx.nodeIp[owner] !== dst) { ctx.drop(i, ARP_FAILED); return; }
  toNode(ctx, i, owner, c);
}

/** Act on packet i's next-hop word (NEXT_* | node << 8). */
function forwardOne(ctx: ForwardingContext, i: number, w: number, c: ForwardCounters): void {
  const v = ctx.dp.vec;
  switch (w & 255) {
    case NEXT_LOCAL: {
      if (ctx.rec) {
        const node = v.loc[i]!, dst = v.dstIp[i]!;
        ctx.rec.step({ point: 'local', action: 'deliver', detail: `${formatIp(dst)} is ${ctx.nodeName(node)}'s own address: its root namespace (hostNetwork pods) receives it`, packet: formatPacket(v, i) });
      }
      c.local++; ctx.deliver(i, Verdict.DELIVERED_HOST); return;
    }
    case NEXT_BRIDGE: v.phase[i] = Phase.TO_BRIDGE; c.toBridge++; return;
    case NEXT_POD: toPod(ctx, i, c); return;
    case NEXT_NODE: toNode(ctx, i, w >>> 8, c); return;
    case NEXT_CLOUD:
      if (ctx.rec) ctx.rec.step({ point: 'node-eth0', dev: 'eth0', action: 'transmit', match: `default via ${formatIp(ctx.routes.route(v.route[i]!)!.via!)} (VPC gateway)`, packet: formatPacket(v, i) });
      v.loc[i] = CLOUD; v.phase[i] = Phase.CLOUD_OUT; c.toCloud++; return;
    default: forwardSlow(ctx, i, c);
  }
}

/**
 * Route every live packet on: deliver locally, hand to the bridge stage, to the next
 * node or to the cloud. A conntrack hit's next hop was decided by the fast-path
 * kernel (F_NEXT); a new packet's is looked up here in the same table
 * (ctx.nextHop), so both give the same decision. A hit sent to the bridge came with
 * its bridge decision too, so it is delivered here (bridgeOut, counted in `b`).
 * Without a trace the kernel already finished the common hits (`ct.forwarded`: moved
 * on, NEXT_MOVED, or delivered): their counts come from its report, and with none
 * left to this stage (`ct.left`) there is no loop at all.
 * `out` gets how many packets it left to the deliver stage, and the phases of the
 * packets still in flight after that stage (bit 1 << Phase, bit 0 at the cloud edge,
 * as runPipeline collects them): the deliver stage finishes every packet left to it,
 * so these are the next pass's phases.
 */
export function forwardStage(ctx: ForwardingContext, n: number, c: ForwardCounters, b: BridgeCounters, ct: ConntrackReport, out: ForwardOut): void {
  let left = 0, phases = 0;
  if (ct.forwarded) {
    c.toNode += ct.moved; c.toBridge += ct.delivered;
    b.flooded += ct.flooded; b.forwarded += ct.delivered - ct.flooded; ctx.counters.delivered += ct.delivered;
    if (ct.moved !== 0) phases = 1 << Phase.FROM_NODE;
    if (ct.left === 0) { out.left = 0; out.phases = phases; return; }
  }
  const v = ctx.dp.vec;
  const drop = v.drop, next = v.next, nextNode = v.nextNode, dstIp = v.dstIp, phase = v.phase, loc = v.loc, route = v.route;
  const fast = ctx.fastPath;
  for (let i = 0; i < n; i++) {
    if (drop[i] !== 0) continue;
    if (phase[i] === Phase.BRIDGED) { bridgeDeliver(ctx, i); continue; } // delivered or dropped
    if (fast && next[i] === NEXT_MOVED) continue; // the kernel sent it on (counted above)
    // The fast path gave a miss (a new packet) NEXT_SLOW, and nothing writes the column after it.
    let w = fast ? (next[i]! | (nextNode[i]! << 8)) >>> 0 : NEXT_SLOW;
    if (w === NEXT_BRIDGE) { c.toBridge++; bridgeOut(ctx, i, b); continue; } // delivered or dropped
    if (w === NEXT_SLOW) w = ctx.nextHop(loc[i]!, dstIp[i]!, route[i]!);
    if (w === NEXT_BRIDGE) left++;
    forwardOne(ctx, i, w, c);
    if (drop[i] === 0 && phase[i] !== Phase.TO_BRIDGE) phases |= loc[i] === CLOUD ? 1 : 1 << phase[i]!;
  }
  out.left = left; out.phases = phases;
}
