// Stage: POSTROUTING and the conntrack commit for new connections. Masquerade picks
// the address of the outgoing device, as MASQUERADE does: cni0's 10.244.X.1 for a
// hairpin, flannel.1's 10.244.X.0 towards a remote pod, the node IP on eth0. Two
// rules ask for it: kube-proxy's KUBE-POSTROUTING (`-m mark --mark 0x4000/0x4000 -j
// MASQUERADE`) and the CNI's own for pod traffic leaving the pod network (flannel:
// `-s 10.244.0.0/16 ! -d 224.0.0.0/4 -j MASQUERADE --random-fully`; Calico
// natOutgoing). Then one ctInsert commits every new connection with its DNAT (chosen
// by kube-proxy) and SNAT, and rewrites the packet.
// Trade-off: kube-proxy rewrote the destination before routing; it is put back here
// so the kernel records the original tuple and applies both translations itself.
// Packets of known connections are parked (F_DROP) for the call and never touched.
import { cidrContains, formatIp } from '../../../engine/net/index.js';
import type { NodeRoute } from '../../network/index.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { formatPacket } from '../formatPacket.js';
import { PARKED } from '../PacketMeta.js';

/** Counters of the NAT stage. */
export interface NatCounters { committed: number; masqueraded: number }

/** Fresh counters. */
export function newNatCounters(): NatCounters {
  return { committed: 0, masqueraded: 0 };
}

/** Which masquerade rule applies to new packet i: none, kube-proxy's mark, or the CNI's pod-network rule. */
function masqueradeRule(ctx: ForwardingContext, i: number, r: NodeRoute | undefined): 0 | 1 | 2 {
  const v = ctx.dp.vec;
  if (!r || ctx.isLocal(v.loc[i]!, v.dstIp[i]!)) return 0;
  if (v.masq[i]) return 1;
  const leaving = r.kind === 'default' || r.kind === 'node-subnet';
  return leaving && cidrContains(ctx.clusterCidr, v.srcIp[i]!) && !cidrContains(ctx.clusterCidr, v.dstIp[i]!) ? 2 : 0;
}

/** The rule text of masqueradeRule's answer, for traces. */
function ruleText(ctx: ForwardingContext, rule: 0 | 1 | 2): string {
  if (rule === 1) return 'KUBE-POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE';
  if (rule === 2) return ctx.net.cni === 'calico' ? 'cali-nat-outgoing (natOutgoing: destination outside every IP pool) -j MASQUERADE' : `FLANNEL-POSTRTG -s ${ctx.net.state.config!.podCidr} ! -d 224.0.0.0/4 -j MASQUERADE --random-fully`;
  return '';
}

/** MASQUERADE's address: that of the device route r leaves by (routeSource, from the per-node arrays). */
function routeSourceOf(ctx: ForwardingContext, node: number, r: NodeRoute): number {
  if (r.kind === 'bridge') return ctx.bridgeIp[node]!;
  if (r.kind === 'vxlan') return ctx.cidrBase[node]!; // flannel.1 carries the node's /24 network address
  return ctx.nodeIp[node]!;
}

/** Decide SNAT, restore the pre-DNAT destination and commit new connections in one ctInsert. */
export function natStage(ctx: ForwardingContext, n: number, c: NatCounters): void {
  const v = ctx.dp.vec, m = ctx.meta;
  let fresh = 0;
  let why = '';
  for (let i = 0; i < n; i++) {
    if (v.drop[i] !== 0) continue;
    if (!m.isNew[i]) { v.drop[i] = PARKED; continue; }
    const r = ctx.routes.route(v.route[i]!);
    const rule = masqueradeRule(ctx, i, r);
    const snat = rule === 0 ? 0 : routeSourceOf(ctx, v.loc[i]!, r!);
    if (i === 0 && ctx.rec) why = ruleText(ctx, rule);
    if (snat) c.masqueraded++;
    v.snatIp[i] = snat;
    v.table[i] = v.loc[i]!; // the route stage used F_TABLE for the route table: back to the node's zone
    v.dstIp[i] = m.preDst[i]!; v.dstPort[i] = m.preDport[i]!;
    fresh++;
  }
  if (fresh > 0) {
    const before = ctx.rec && v.drop[0] === 0 ? formatPacket(v, 0) : '';
    c.committed += ctx.dp.ctInsert(n, ctx.now);
    if (ctx.rec && ctx.dp.vec.drop[0] === 0) traceCommit(ctx, before, why);
  }
  const vv = ctx.dp.vec;
  for (let i = 0; i < n; i++) if (vv.drop[i] === PARKED) vv.drop[i] = 0;
}

function traceCommit(ctx: ForwardingContext, before: string, rule: string): void {
  const v = ctx.dp.vec;
  const e = ctx.dp.ctEntries(v.loc[0]).find((x) => x.id === v.result[0]);
  const tuple = e ? `orig ${formatIp(e.origSrc)}:${e.origSport} > ${formatIp(e.origDst)}:${e.origDport}, reply ${formatIp(e.replySrc)}:${e.replySport} > ${formatIp(e.replyDst)}:${e.replyDport}` : '';
  if (v.snatIp[0]) ctx.rec!.step({ point: 'postrouting', action: 'masquerade', match: rule, detail: `source -> ${formatIp(v.snatIp[0])} (address of the outgoing device)` });
  ctx.rec!.step({ point: 'conntrack', action: 'new', match: `entry #${v.result[0]} in zone ${v.loc[0]}: ${tuple}`, packet: `${before} => ${formatPacket(v, 0)}` });
}
