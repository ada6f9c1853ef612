// Stage: a Linux bridge (cni0) receiving frames from pod veths.
//
// Trade-off: learning and lookup are two kernel calls over the whole vector (learn
// every source first, then look every destination up), as br_handle_frame does per
// frame: learning before lookup means a frame's own source is known when a later
// frame in the same vector is addressed to it. Per packet the result is the same as
// Linux's per-frame order because a vector never holds two frames of one exchange.
// A frame addressed to the bridge's own MAC goes up to the node's IP stack (the
// `local` permanent fdb entry); any other is bridged to a port, or flooded on a miss.
import { PORT_FLOOD, LEARN_NEW, LEARN_MOVED, R_LEARN_MOVED, type PacketVector } from '../../../engine/datapath/index.js';
import { POD_NOT_RUNNING } from '../../../assembly/shared/drop.js';
import { formatMac } from '../../../engine/net/index.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { Phase, Verdict } from '../PacketMeta.js';
import type { BridgeIngress } from './podTxStage.js';

/** Default bridge ageing time (`bridge ... ageing_time`, 300 s). */
export const BRIDGE_AGEING_MS = 300_000;

/** Counters of the bridge stage. */
export interface BridgeCounters {
  forwarded: number;
  flooded: number;
  learned: number;
  moved: number;
  toHost: number;
}

/** Fresh counters. */
export function newBridgeCounters(): BridgeCounters {
  return { forwarded: 0, flooded: 0, learned: 0, moved: 0, toHost: 0 };
}

/** Trace text of one frame's learning. */
export function learnText(ctx: ForwardingContext, v: PacketVector, i: number): string {
  const src = formatMac({ hi: v.srcMacHi[i]!, lo: v.srcMacLo[i]! });
  const port = ctx.portName(v.loc[i]!, v.inPort[i]!);
  const r = v.result[i]!;
  return r === LEARN_NEW ? `learned ${src} on ${port}` : r === LEARN_MOVED ? `moved ${src} to ${port}` : `${src} already known on ${port}`;
}

function traceFrame(ctx: ForwardingContext, i: number, learn: string): void {
  const v = ctx.dp.vec;
  const node = v.loc[i]!;
  const br = ctx.nodes[node]!.bridge!;
  const dst = formatMac({ hi: v.dstMacHi[i]!, lo: v.dstMacLo[i]! });
  ctx.rec!.enter(ctx.nodeName(node), 'root');
  ctx.rec!.step({ point: 'veth', dev: ctx.portName(node, v.inPort[i]!), action: 'forward', detail: `host end of the pod's veth pair, port ${v.inPort[i]} of ${br.name}` });
  const out = v.outPort[i]!;
  const toHost = v.dstMacHi[i] === br.mac.hi && v.dstMacLo[i] === br.mac.lo;
  const match = toHost ? `${dst} is ${br.name}'s own address: up to the node's IP stack` : out === PORT_FLOOD ? `${dst} unknown: flood to every port of ${br.name} but ${ctx.portName(node, v.inPort[i]!)}` : `forward ${dst} to ${ctx.portName(node, out)} (fdb)`;
  ctx.rec!.step({ point: 'bridge', dev: br.name, action: toHost ? 'local' : out === PORT_FLOOD ? 'flood' : 'forward', match, detail: learn });
}

/** A bridged frame reaches the pod holding its destination IP (the flooded copy too). */
export function bridgeDeliver(ctx: ForwardingContext, i: number): void {
  const v = ctx.dp.vec;
  const node = v.loc[i]!;
  if (ctx.podNode.get(v.dstIp[i]!) !== node) { ctx.drop(i, POD_NOT_RUNNING); return; }
  if (ctx.rec) {
    const pod = ctx.podsByIp.get(v.dstIp[i]!)!;
    ctx.rec.step({ point: 'veth', dev: pod.hostIf, action: 'forward', detail: `to peer ${pod.key} eth0` });
    ctx.rec.enter(ctx.nodeName(node), `pod ${pod.key}`);
    ctx.rec.step({ point: 'pod-eth0', dev: 'eth0', action: 'deliver', detail: 'bridged on the same node: no routing, no NAT' });
  }
  ctx.deliver(i, Verdict.DELIVERED_POD);
}

/**
 * Run the bridge on the frames podTxStage marked (`ingress`: F_TABLE = bridge, F_IN_PORT
 * = the pod's port, every other packet F_TABLE 0 and a group source MAC): learn
 * sources, decide F_OUT_PORT; frames for the bridge's own MAC go up to the IP stages,
 * the others are marked bridged (conntrack sees them, the forward stage delivers).
 */
export function bridgeStage(ctx: ForwardingContext, n: number, c: BridgeCounters, ingress: BridgeIngress): void {
  if (ingress.frames === 0) return;
  if (ingress.learned >= 0) { c.learned += ingress.learned; c.moved += ingress.moved; } // fastPathPodTx learned them
  else {
    c.learned += ctx.dp.fdbLearn(n, ctx.now);
    c.moved += ctx.dp.vec.report[R_LEARN_MOVED]!; // every packet but the marked frames has a group source: ignored
  }
  const learn = ctx.rec ? learnText(ctx, ctx.dp.vec, 0) : '';
  // Frames to the bridge's own MAC go up to the IP stack whatever the FDB says: with
  // only those (a pod talking to a Service or another node), no lookup is needed.
  if (ingress.bridged !== 0) ctx.dp.fdbLookup(n, ctx.now, BRIDGE_AGEING_MS);
  if (ingress.bridged === 0 && !ctx.rec) { c.toHost += ingress.frames; return; } // every frame goes up to the host
  const vv = ctx.dp.vec;
  const vtable = vv.table, outPort = vv.outPort, phase = vv.phase;
  const loc = vv.loc, macLo = vv.dstMacLo, macHi = vv.dstMacHi, brHi = ctx.bridgeMacHi, brLo = ctx.bridgeMacLo;
  for (let i = 0; i < n; i++) {
    if (vtable[i] === 0) continue;
    const node = loc[i]!;
    if (ctx.rec) traceFrame(ctx, i, learn);
    if (macLo[i] === brLo[node] && macHi[i] === brHi[node]) { c.toHost++; continue; }
    if (outPort[i] === PORT_FLOOD) c.flooded++; else c.forwarded++;
    phase[i] = Phase.BRIDGED; // conntrack (br_netfilter) still sees it; the forward stage delivers it
  }
}
