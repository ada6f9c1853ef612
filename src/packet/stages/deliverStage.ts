// Stage: a routed packet leaves the node's IP stack through cni0 to a local pod. The
// node resolves the pod's MAC (0a:58 + its IP, as the bridge plugin sets it) and the
// bridge looks the MAC up: a known port forwards, an unknown one floods (the pod has
// not sent anything yet), and the pod holding the address receives it. A hairpin (the
// pod reaching itself through its Service) goes back out the port it came in, which
// the bridge plugin allows by setting hairpin mode on every veth.
// Trade-off: one fdbLookup for the vector; the source MAC is cni0's own, never learned.
// A conntrack hit's bridge decision was already made by the fast-path kernel (same
// FDB, same pass): the forward stage hands it straight to bridgeOut, skipping this
// stage's call.
import { PORT_FLOOD, type PacketVector } from '../../../engine/datapath/index.js';
import { ARP_FAILED } from '../../../assembly/shared/drop.js';
import { formatMac, macFromIp } from '../../../engine/net/index.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { formatPacket } from '../formatPacket.js';
import { Phase, Verdict } from '../PacketMeta.js';
import { BRIDGE_AGEING_MS, type BridgeCounters } from './bridgeStage.js';

/** High word of a pod MAC (macFromIp: 0a:58 then the IPv4 address). */
export const POD_MAC_HI = macFromIp(0).hi;

function traceDeliver(ctx: ForwardingContext, i: number): void {
  const v = ctx.dp.vec, rec = ctx.rec!;
  const node = v.loc[i]!;
  const br = ctx.nodes[node]!.bridge!;
  const pod = ctx.podsByIp.get(v.dstIp[i]!)!;
  const dst = formatMac({ hi: v.dstMacHi[i]!, lo: v.dstMacLo[i]! });
  const out = v.outPort[i]!;
  rec.step({ point: 'bridge', dev: br.name, action: out === PORT_FLOOD ? 'flood' : 'forward', match: out === PORT_FLOOD ? `${dst} unknown: flood to every port of ${br.name}` : `forward ${dst} to ${ctx.portName(node, out)} (fdb)`, frame: `${formatMac(br.mac)} > ${dst}` });
  rec.step({ point: 'veth', dev: pod.hostIf, action: 'forward', detail: `to peer ${pod.key} eth0` });
  rec.enter(ctx.nodeName(node), `pod ${pod.key}`);
  rec.step({ point: 'pod-eth0', dev: 'eth0', action: 'deliver', packet: formatPacket(v, i) });
}

/** Write packet i's frame out of `node`'s cni0: the bridge's table and port, cni0's MAC to the pod's (macFromIp: 0a:58 + its IP). */
function frame(v: PacketVector, ctx: ForwardingContext, i: number, node: number): void {
  v.table[i] = ctx.bridgeId[node]!; v.inPort[i] = 0;
  v.srcMacHi[i] = ctx.bridgeMacHi[node]!; v.srcMacLo[i] = ctx.bridgeMacLo[node]!;
  v.dstMacHi[i] = POD_MAC_HI; v.dstMacLo[i] = v.dstIp[i]!;
}

/** The pod holding packet i's destination on its node receives it through bridge port outPort[i] (PORT_FLOOD: flooded). */
function receive(ctx: ForwardingContext, v: PacketVector, i: number, c: BridgeCounters): void {
  if (ctx.podNode.get(v.dstIp[i]!) !== v.loc[i]) { ctx.rec?.step({ point: 'arp', dev: 'cni0', action: 'fail', detail: 'no pod answers for the address' }); ctx.drop(i, ARP_FAILED); return; }
  if (v.outPort[i] === PORT_FLOOD) c.flooded++; else c.forwarded++;
  if (ctx.rec) traceDeliver(ctx, i);
  ctx.deliver(i, Verdict.DELIVERED_POD);
}

/**
 * Deliver conntrack hit i, routed out cni0, whose bridge decision (outPort) the
 * fast-path kernel made: the same frame, checks, counters and trace as the deliver
 * stage gives a packet it looked up itself.
 */
export function bridgeOut(ctx: ForwardingContext, i: number, c: BridgeCounters): void {
  const v = ctx.dp.vec;
  frame(v, ctx, i, v.loc[i]!);
  receive(ctx, v, i, c);
}

/** Deliver packets routed out cni0 (Phase.TO_BRIDGE) to their pods. */
export function deliverStage(ctx: ForwardingContext, n: number, c: BridgeCounters): void {
  const v = ctx.dp.vec;
  const drop = v.drop, table = v.table, phase = v.phase, loc = v.loc;
  let any = 0;
  for (let i = 0; i < n; i++) {
    if (drop[i] !== 0 || phase[i] !== Phase.TO_BRIDGE) { table[i] = 0; continue; }
    frame(v, ctx, i, loc[i]!);
    any++;
  }
  if (any === 0) return;
  ctx.dp.fdbLookup(n, ctx.now, BRIDGE_AGEING_MS);
  const vv = ctx.dp.vec;
  const vtable = vv.table;
  for (let i = 0; i < n; i++) if (vtable[i] !== 0) receive(ctx, vv, i, c);
}
