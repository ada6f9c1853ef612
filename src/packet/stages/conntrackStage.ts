// Stage: conntrack at a node (nf_conntrack in PREROUTING/OUTPUT, one zone per node).
// A packet of a known connection is rewritten here by the connection's NAT, in either
// direction: that is how a Service reply is un-DNATed and an egress reply un-SNATed,
// with one lookup (the entry is indexed under its original and its reply tuple). A
// packet with no entry is new: kube-proxy's rules and the masquerade rules apply to
// it, and the NAT stage commits its connection.
// Trade-off: every live packet at a node takes part (zone = node), in one kernel call;
// packets already finished carry a non-zero F_DROP and the kernel skips them.
import { CT_ESTABLISHED, CT_REPLIED, CT_SYN_SENT, CT_UNREPLIED, FLAG_CT_REPLY, FLAG_NAT_DST, FLAG_NAT_SRC } from '../../../engine/datapath/index.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { formatPacket } from '../formatPacket.js';
import { CLOUD } from '../PacketMeta.js';
import { nodeTable } from '../../network/index.js';
import { BRIDGE_AGEING_MS } from './bridgeStage.js';

/** Counters of the conntrack stage. */
export interface ConntrackCounters { hits: number; misses: number; replies: number }

/** Fresh counters. */
export function newConntrackCounters(): ConntrackCounters {
  return { hits: 0, misses: 0, replies: 0 };
}

const STATE: Record<number, string> = { [CT_SYN_SENT]: 'SYN_SENT', [CT_ESTABLISHED]: 'ESTABLISHED', [CT_UNREPLIED]: 'UNREPLIED', [CT_REPLIED]: 'ASSURED' };

/** Conntrack state name as `conntrack -L` prints it. */
export function ctStateName(s: number): string {
  return STATE[s] ?? ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'UNREPLIED', 'ASSURED'][s] ?? `state-${s}`;
}

function traceHit(ctx: ForwardingContext, i: number, before: string): void {
  const v = ctx.dp.vec;
  const f = v.flags[i]!;
  const nat = f & (FLAG_NAT_DST | FLAG_NAT_SRC);
  const dir = f & FLAG_CT_REPLY ? 'reply direction' : 'original direction';
  ctx.rec!.step({
    point: 'conntrack', action: nat ? (f & FLAG_CT_REPLY ? 'un-nat' : 'nat') : 'established',
    match: `entry #${v.result[i]} ${ctStateName(v.result2[i]!)} (${dir}, zone ${ctx.meta.loc[i]})`,
    packet: nat ? `${before} => ${formatPacket(v, i)}` : before,
  });
}

/** What the conntrack stage tells the route stage (see conntrackStage). */
export interface HitRoutes { hits: number; noRoute: number; cloud: number }

/**
 * Look every live packet's connection up in its node's zone; mark misses as new and
 * return how many (kube-proxy and the NAT stage only act on those). With
 * ctx.fastPath the lookup is Datapath.fastPath, which also routes the hits and decides
 * their next stage (the route and forward stages read its columns): same conntrack
 * outputs, so this stage and its trace are unchanged. With the fast path, each hit's
 * route is copied to meta.route here, and `routed` gets the hits, how many of them
 * have no route, and how many live packets sit at the cloud edge, so that the route
 * stage needs no loop of its own when there is no new packet.
 */
export function conntrackStage(ctx: ForwardingContext, n: number, c: ConntrackCounters, routed: HitRoutes): number {
  const v = ctx.dp.vec, m = ctx.meta;
  const drop = v.drop, table = v.table, loc = m.loc;
  // Zone = node. F_FLAGS holds only conntrack bits, which the lookup sets or clears for every live packet.
  for (let i = 0; i < n; i++) if (drop[i] === 0) table[i] = loc[i]!;
  if (ctx.rec && drop[0] === 0) ctx.rec.enter(ctx.nodeName(loc[0]!), 'root');
  const before = ctx.rec && drop[0] === 0 ? formatPacket(v, 0) : '';
  const fast = ctx.fastPath;
  if (fast) ctx.dp.fastPath(n, ctx.now, nodeTable(0), BRIDGE_AGEING_MS);
  else ctx.dp.ctLookup(n, ctx.now);
  const vv = ctx.dp.vec;
  const vdrop = vv.drop, result = vv.result, vflags = vv.flags, fastRoute = vv.route, isNew = m.isNew, route = m.route;
  let hits = 0, misses = 0, replies = 0, noRoute = 0, cloud = 0;
  for (let i = 0; i < n; i++) {
    if (vdrop[i] !== 0) continue;
    if (loc[i] === CLOUD) { cloud++; continue; }
    if (result[i] === 0) { isNew[i] = 1; misses++; continue; }
    isNew[i] = 0; hits++;
    if (fast) { const r = fastRoute[i]!; route[i] = r; if (r === 0) noRoute++; }
    if (vflags[i]! & FLAG_CT_REPLY) replies++;
    if (ctx.rec) traceHit(ctx, i, before);
  }
  c.hits += hits; c.misses += misses; c.replies += replies;
  routed.hits = hits; routed.noRoute = noRoute; routed.cloud = cloud;
  return misses;
}
