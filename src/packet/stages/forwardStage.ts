// Stage: act on the route. The node's own addresses are delivered to its IP stack
// (hostNetwork pods, NodePort listeners); a cali* /32 hands the packet to the pod; the
// cni0 route sends it to the bridge stage; a remote pod network leaves by the CNI's
// path (flannel.1 VXLAN encapsulation: VNI 1 in UDP 8472 between node IPs, inner MTU
// 1450; host-gw: plain routing to the node IP; Calico: BGP-learned routes on eth0);
// the default route leaves for the cloud. The next node is checked: a NotReady node
// drops the packet (NODE_DOWN), as its datapath no longer answers.
// Trade-off: the next-stage choice is a per-packet switch in JS; the kernels already
// did the lookups, this loop only reads the route kind of a small route array.
import { NO_ROUTE, NODE_DOWN, TTL_EXCEEDED, ARP_FAILED } from '../../../assembly/shared/drop.js';
import { formatIp } from '../../../engine/net/index.js';
import type { NodeRoute } from '../../network/index.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { formatPacket } from '../formatPacket.js';
import { CLOUD, Phase, Verdict } from '../PacketMeta.js';
import { bridgeDeliver } from './bridgeStage.js';

/** flannel's VXLAN network: VNI 1, the Linux VXLAN port 8472, 50 bytes of outer headers. */
export const VXLAN = { vni: 1, port: 8472, overhead: 50 } as const;

/** Counters of the forward stage. */
export interface ForwardCounters { local: number; toBridge: number; toPod: number; toNode: number; toCloud: number }

/** Fresh counters. */
export function newForwardCounters(): ForwardCounters {
  return { local: 0, toBridge: 0, toPod: 0, toNode: 0, toCloud: 0 };
}

function traceLeave(ctx: ForwardingContext, i: number, r: NodeRoute, to: number): void {
  const v = ctx.dp.vec, rec = ctx.rec!;
  const from = ctx.meta.loc[i]!;
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
function toNode(ctx: ForwardingContext, i: number, r: NodeRoute, to: number, c: ForwardCounters): void {
  const m = ctx.meta;
  if (m.ttl[i]! <= 1) { ctx.drop(i, TTL_EXCEEDED); return; }
  if (!ctx.nodeReady[to]) {
    ctx.rec?.step({ point: 'node-eth0', dev: r.dev, action: 'drop', detail: `${ctx.nodeName(to)} is NotReady: its datapath does not answer` });
    ctx.drop(i, NODE_DOWN); return;
  }
  if (ctx.rec) traceLeave(ctx, i, r, to);
  m.ttl[i] = m.ttl[i]! - 1;
  m.loc[i] = to; m.phase[i] = Phase.FROM_NODE; m.visit(i, to);
  m.masq[i] = 0; // the skb mark (0x4000) does not cross the wire
  c.toNode++;
}

function toPod(ctx: ForwardingContext, i: number, r: NodeRoute, c: ForwardCounters): void {
  const pod = ctx.podsByIp.get(ctx.dp.vec.dstIp[i]!);
  if (!pod) { ctx.drop(i, ARP_FAILED); return; }
  if (ctx.rec) {
    ctx.rec.step({ point: 'veth', dev: r.dev, action: 'forward', detail: `host end of ${pod.key}'s veth (Calico: routed, no bridge)` });
    ctx.rec.enter(ctx.nodeName(ctx.meta.loc[i]!), `pod ${pod.key}`);
    ctx.rec.step({ point: 'pod-eth0', dev: 'eth0', action: 'deliver', packet: formatPacket(ctx.dp.vec, i) });
  }
  c.toPod++;
  ctx.deliver(i, Verdict.DELIVERED_POD);
}

function forwardOne(ctx: ForwardingContext, i: number, c: ForwardCounters): void {
  const v = ctx.dp.vec, m = ctx.meta;
  const node = m.loc[i]!;
  if (m.phase[i] === Phase.BRIDGED) { bridgeDeliver(ctx, i); return; }
  const dst = v.dstIp[i]!;
  const owner = ctx.localIps.get(dst);
  if (owner === node) {
    ctx.rec?.step({ point: 'local', action: 'deliver', detail: `${formatIp(dst)} is ${ctx.nodeName(node)}'s own address: its root namespace (hostNetwork pods) receives it`, packet: formatPacket(v, i) });
    c.local++; ctx.deliver(i, Verdict.DELIVERED_HOST); return;
  }
  const r = ctx.routes.route(m.route[i]!);
  if (!r || r.kind === 'blackhole') { ctx.rec?.step({ point: 'route', action: 'drop', detail: r ? 'blackhole route: Calico block owned here, but no such pod' : 'no route' }); ctx.drop(i, NO_ROUTE); return; }
  switch (r.kind) {
    case 'bridge': m.phase[i] = Phase.TO_BRIDGE; c.toBridge++; return;
    case 'cali': toPod(ctx, i, r, c); return;
    case 'vxlan': case 'host-gw': case 'bgp': toNode(ctx, i, r, r.node!, c); return;
    case 'node-subnet':
      if (owner === undefined || ctx.nodeIp[owner] !== dst) { ctx.drop(i, ARP_FAILED); return; }
      toNode(ctx, i, r, owner, c); return;
    case 'default':
      ctx.rec?.step({ point: 'node-eth0', dev: 'eth0', action: 'transmit', match: `default via ${formatIp(r.via!)} (VPC gateway)`, packet: formatPacket(v, i) });
      m.loc[i] = CLOUD; m.phase[i] = Phase.CLOUD_OUT; c.toCloud++;
  }
}

/** Route every live packet on: deliver locally, hand to the bridge stage, to the next node or to the cloud. */
export function forwardStage(ctx: ForwardingContext, n: number, c: ForwardCounters): void {
  const drop = ctx.dp.vec.drop;
  for (let i = 0; i < n; i++) if (drop[i] === 0) forwardOne(ctx, i, c);
}
