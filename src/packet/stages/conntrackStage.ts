// Stage: conntrack at a node (nf_conntrack in PREROUTING/OUTPUT, one zone per node).
// A packet of a known connection is rewritten here by the connection's NAT, in either
// direction: that is how a Service reply is un-DNATed and an egress reply un-SNATed,
// with one lookup (the entry is indexed under its original and its reply tuple). A
// packet with no entry is new: kube-proxy's rules and the masquerade rules apply to
// it, and the NAT stage commits its connection.
// Trade-off: every live packet at a node takes part (zone = node), in one kernel call;
// packets already finished carry a non-zero F_DROP and the kernel skips them.
import {
  CT_ESTABLISHED, CT_REPLIED, CT_SYN_SENT, CT_UNREPLIED, FLAG_CT_REPLY, FLAG_NAT_DST, FLAG_NAT_SRC, FP_FORWARD, FP_ZONE_FROM_LOC,
  R_DELIVERED, R_FLOODED, R_LEFT, R_MISSES, R_MOVED, R_NO_ROUTE, R_NO_ZONE, R_REPLIES,
} from '../../../engine/datapath/index.js';
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
    match: `entry #${v.result[i]} ${ctStateName(v.result2[i]!)} (${dir}, zone ${v.loc[i]})`,
    packet: nat ? `${before} => ${formatPacket(v, i)}` : before,
  });
}

/**
 * What the conntrack stage tells the route and forward stages (see conntrackStage):
 * the hits, how many of them have no route, how many live packets sit at the cloud
 * edge; and when the fast path finished hits itself (`forwarded`), how many it moved
 * to another node, delivered (and of those flooded), and how many live packets it
 * left to the forward stage.
 */
export interface ConntrackReport { hits: number; noRoute: number; cloud: number; forwarded: boolean; moved: number; delivered: number; flooded: number; left: number }

/** A report to fill (one per pipeline: a pass at a time). */
export function newConntrackReport(): ConntrackReport {
  return { hits: 0, noRoute: 0, cloud: 0, forwarded: false, moved: 0, delivered: 0, flooded: 0, left: 0 };
}

/**
 * Look every live packet's connection up in its node's zone; mark misses as new and
 * return how many (kube-proxy and the NAT stage only act on those). With
 * ctx.fastPath the lookup is Datapath.fastPath, which also routes the hits and decides
 * their next stage (route = the hit's route, the forward stage reads the rest): same
 * conntrack outputs, so this stage and its trace are unchanged. Without a trace the
 * kernel also takes the zone from loc and finishes the hits the forward stage would
 * finish on its own (FP_FORWARD), and its report replaces this stage's loop: isNew is
 * only written when some packet is new or at the cloud edge, the only passes in which
 * a later stage reads it. `out` gets the counts the route and forward stages use.
 */
export function conntrackStage(ctx: ForwardingContext, n: number, c: ConntrackCounters, out: ConntrackReport): number {
  const fast = ctx.fastPath;
  if (fast && !ctx.rec) return fastConntrack(ctx, n, c, out);
  const v = ctx.dp.vec;
  const drop = v.drop, table = v.table, loc = v.loc;
  // Zone = node. F_FLAGS holds only conntrack bits, which the lookup sets or clears for every live packet.
  for (let i = 0; i < n; i++) if (drop[i] === 0) table[i] = loc[i]!;
  if (ctx.rec && drop[0] === 0) ctx.rec.enter(ctx.nodeName(loc[0]!), 'root');
  const before = ctx.rec && drop[0] === 0 ? formatPacket(v, 0) : '';
  if (fast) ctx.dp.fastPath(n, ctx.now, nodeTable(0), BRIDGE_AGEING_MS);
  else ctx.dp.ctLookup(n, ctx.now);
  const vv = ctx.dp.vec;
  const vdrop = vv.drop, vloc = vv.loc, result = vv.result, vflags = vv.flags, route = vv.route, isNew = ctx.meta.isNew;
  let hits = 0, misses = 0, replies = 0, noRoute = 0, cloud = 0;
  for (let i = 0; i < n; i++) {
    if (vdrop[i] !== 0) continue;
    if (vloc[i] === CLOUD) { cloud++; continue; }
    if (result[i] === 0) { isNew[i] = 1; misses++; continue; }
    isNew[i] = 0; hits++;
    if (fast && route[i] === 0) noRoute++;
    if (vflags[i]! & FLAG_CT_REPLY) replies++;
    if (ctx.rec) traceHit(ctx, i, before);
  }
  c.hits += hits; c.misses += misses; c.replies += replies;
  out.hits = hits; out.noRoute = noRoute; out.cloud = cloud; out.forwarded = false;
  return misses;
}

/** conntrackStage without a trace on the fast path: one kernel call, and its report. */
function fastConntrack(ctx: ForwardingContext, n: number, c: ConntrackCounters, out: ConntrackReport): number {
  const hits = ctx.dp.fastPath(n, ctx.now, nodeTable(0), BRIDGE_AGEING_MS, FP_ZONE_FROM_LOC | FP_FORWARD);
  const v = ctx.dp.vec, r = v.report;
  const misses = r[R_MISSES]!, cloud = r[R_NO_ZONE]!;
  c.hits += hits; c.misses += misses; c.replies += r[R_REPLIES]!;
  out.hits = hits; out.noRoute = r[R_NO_ROUTE]!; out.cloud = cloud;
  out.forwarded = true; out.moved = r[R_MOVED]!; out.delivered = r[R_DELIVERED]!; out.flooded = r[R_FLOODED]!; out.left = r[R_LEFT]!;
  if (misses !== 0 || cloud !== 0) {
    const drop = v.drop, loc = v.loc, result = v.result, isNew = ctx.meta.isNew;
    for (let i = 0; i < n; i++) if (drop[i] === 0 && loc[i] !== CLOUD) isNew[i] = result[i] === 0 ? 1 : 0;
  }
  return misses;
}
