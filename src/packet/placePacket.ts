// Putting a packet into a vector slot: where it starts (a pod's eth0, a node's own
// stack, the internet) and its headers; and reading back where it ended.
import { dropName, type DropReason } from '../../engine/datapath/index.js';
import { formatIp } from '../../engine/net/index.js';
import type { ForwardingContext } from './ForwardingContext.js';
import { CLOUD, Phase, Verdict } from './PacketMeta.js';

/** Where a packet starts. */
export interface PacketSource {
  loc: number;
  phase: number;
  ip: number;
  /** Bridge port of the sending pod (flannel). */
  inPort: number;
  /** The namespace a pod sender resolves short DNS names in. */
  namespace: string;
  /** The sender as traces name it. */
  label: string;
}

/** TCP flags the pipeline sends: a SYN opens, SYN+ACK answers, ACK continues. */
export const TCP = { SYN: 0x02, ACK: 0x10, SYN_ACK: 0x12 } as const;

/** Write packet i's headers and start it at `src`. */
export function placePacket(ctx: ForwardingContext, i: number, src: PacketSource, dstIp: number, dport: number, proto: number, sport: number, l4Flags: number): void {
  const v = ctx.dp.vec;
  v.srcIp[i] = src.ip; v.dstIp[i] = dstIp; v.srcPort[i] = sport; v.dstPort[i] = proto === 1 ? sport : dport;
  v.proto[i] = proto; v.l4Flags[i] = l4Flags; v.drop[i] = 0; v.flags[i] = 0; v.result[i] = 0;
  v.dnatIp[i] = 0; v.dnatPort[i] = 0; v.snatIp[i] = 0;
  const m = ctx.meta;
  m.reset(v, i, src.loc, src.phase, src.inPort);
  m.origSrc[i] = src.ip; m.origDst[i] = dstIp; m.origSport[i] = sport; m.origDport[i] = v.dstPort[i]!;
}

/**
 * placePacket for packets 0..n-1 of one sender to one destination, written a column at
 * a time: the same slots and values as n placePacket calls, without a call and a view
 * lookup per packet. Packet i gets source port `sport(i)` and TCP flags `flags(i)` from
 * the caller's pattern: `(i) => sport0 + i` for a burst of new flows (the pipeline
 * bench), flow numbers wrapping over a traffic spec's flows (forwardTraffic). The
 * closures are monomorphic per call site and TurboFan inlines them.
 */
export function placeFlows(ctx: ForwardingContext, n: number, src: PacketSource, dstIp: number, dport: number, proto: number,
  sport: (i: number) => number, flags: (i: number) => number): void {
  const v = ctx.dp.vec, m = ctx.meta;
  const srcPort = v.srcPort, dstPort = v.dstPort, l4Flags = v.l4Flags, origSport = m.origSport, origDport = m.origDport;
  for (let i = 0; i < n; i++) {
    const sp = sport(i), d = proto === 1 ? sp : dport;
    srcPort[i] = sp; dstPort[i] = d; origSport[i] = sp; origDport[i] = d; l4Flags[i] = flags(i);
  }
  v.srcIp.fill(src.ip, 0, n); v.dstIp.fill(dstIp, 0, n); v.proto.fill(proto, 0, n);
  v.drop.fill(0, 0, n); v.flags.fill(0, 0, n); v.result.fill(0, 0, n); v.dnatIp.fill(0, 0, n); v.dnatPort.fill(0, 0, n); v.snatIp.fill(0, 0, n);
  m.resetFlows(v, n, src.loc, src.phase, src.inPort);
  m.origSrc.fill(src.ip, 0, n); m.origDst.fill(dstIp, 0, n);
}

/** Where packet i ended up. */
export interface Outcome {
  verdict: number;
  reason?: DropReason;
  /** The packet as delivered (after every NAT). */
  srcIp: number;
  srcPort: number;
  dstIp: number;
  dstPort: number;
  /** Node index where it ended (CLOUD for the internet). */
  loc: number;
  /** `pod ns/name`, `node NAME`, or `internet A.B.C.D`. */
  deliveredTo?: string;
}

/** Read packet i's outcome after the pipeline ran. */
export function outcomeOf(ctx: ForwardingContext, i: number): Outcome {
  const v = ctx.dp.vec;
  const o: Outcome = { verdict: v.verdict[i]!, srcIp: v.srcIp[i]!, srcPort: v.srcPort[i]!, dstIp: v.dstIp[i]!, dstPort: v.dstPort[i]!, loc: v.loc[i]! };
  if (o.verdict === Verdict.DROPPED) o.reason = dropName(v.drop[i]! & 0xff);
  else if (o.verdict === Verdict.DELIVERED_POD) o.deliveredTo = `pod ${ctx.podsByIp.get(o.dstIp)?.key ?? formatIp(o.dstIp)}`;
  else if (o.verdict === Verdict.DELIVERED_HOST) o.deliveredTo = `node ${ctx.nodeName(o.loc)}`;
  else if (o.verdict === Verdict.DELIVERED_INTERNET) o.deliveredTo = `internet ${formatIp(o.dstIp)}`;
  return o;
}

/** The place a delivered packet's answer starts from, sent by whoever received it. */
export function replySource(ctx: ForwardingContext, o: Outcome): PacketSource {
  if (o.verdict === Verdict.DELIVERED_POD) {
    const p = ctx.podsByIp.get(o.dstIp)!;
    return { loc: p.pod.node ? ctx.net.node(p.node)!.node.index : CLOUD, phase: Phase.FROM_POD, ip: o.dstIp, inPort: p.bridgePort, namespace: p.pod.namespace, label: `pod/${p.key}` };
  }
  if (o.verdict === Verdict.DELIVERED_HOST) return { loc: o.loc, phase: Phase.FROM_HOST, ip: o.dstIp, inPort: 0, namespace: 'default', label: `node/${ctx.nodeName(o.loc)}` };
  return { loc: CLOUD, phase: Phase.CLOUD_IN, ip: o.dstIp, inPort: 0, namespace: 'default', label: 'internet' };
}
