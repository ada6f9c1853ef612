// Stage: the node's routing decision (ip_route_input / fib_lookup), after kube-proxy's
// DNAT so a Service packet is routed to its endpoint, as netfilter's PREROUTING runs
// before routing. One LPM call for the vector: each packet looks up its own node's
// table (an overlay on the shared base, see network/NodeRouteTables.ts).
// Trade-off: the kernel's `local` table (the node's own addresses) is checked by the
// forward stage from a JS map rather than as /32 routes in every node's table: that
// keeps 5,000 overlays at one or two routes each.
import type { ForwardingContext } from '../ForwardingContext.js';
import { formatRoute, nodeTable } from '../../network/index.js';
import { formatPacket } from '../formatPacket.js';
import { Phase } from '../PacketMeta.js';
import type { ConntrackReport } from './conntrackStage.js';

/** Counters of the route stage. */
export interface RouteCounters { lookups: number; misses: number }

/** Fresh counters. */
export function newRouteCounters(): RouteCounters {
  return { lookups: 0, misses: 0 };
}

/**
 * Look every live packet's destination up in its node's route table; the route id
 * lands in the vector's route column. Conntrack hits were already routed by the fast
 * path (same table, same destination after NAT, same column): only new packets take
 * the LPM call here, and with none (`fresh`, the conntrack stage's count) there is no
 * call to prepare; then, with no packet at the cloud edge either, every live packet is
 * a hit whose route is in place (`routed`), so only the counters are left.
 */
export function routeStage(ctx: ForwardingContext, n: number, c: RouteCounters, fresh: number, routed: ConntrackReport): void {
  const v = ctx.dp.vec, m = ctx.meta;
  const drop = v.drop, table = v.table, loc = v.loc, isNew = m.isNew, fast = ctx.fastPath;
  if (!fast || fresh !== 0) {
    let slow = 0;
    for (let i = 0; i < n; i++) {
      if (drop[i] !== 0 || (fast && !isNew[i])) table[i] = 0;
      else { table[i] = nodeTable(loc[i]!); slow++; }
    }
    if (slow !== 0) ctx.dp.lpmLookup(n);
  }
  const vv = ctx.dp.vec;
  if (fast && fresh === 0 && routed.cloud === 0) { c.lookups += routed.hits; c.misses += routed.noRoute; }
  else {
    const vdrop = vv.drop, result = vv.result, route = vv.route;
    let lookups = 0, misses = 0;
    for (let i = 0; i < n; i++) {
      if (vdrop[i] !== 0) continue;
      const r = fast && !isNew[i] ? route[i]! : result[i]!; // a hit's route is the fast path's
      route[i] = r;
      lookups++;
      if (r === 0) misses++;
    }
    c.lookups += lookups; c.misses += misses;
  }
  if (ctx.rec && vv.drop[0] === 0 && vv.phase[0] !== Phase.BRIDGED) {
    const node = vv.loc[0]!;
    const local = ctx.localIps.get(vv.dstIp[0]!) === node;
    const r = ctx.routes.route(vv.route[0]!);
    const len = fast && !isNew[0] ? vv.routeLen[0] : vv.result2[0];
    ctx.rec.enter(ctx.nodeName(node), 'root');
    const match = local ? 'local table: the address is the node\'s own' : r ? `${formatRoute(ctx.net, ctx.nodes[node]!, r)}  (/${len} longest match)` : 'no route';
    ctx.rec.step({ point: 'route', action: 'lookup', match, packet: formatPacket(vv, 0) });
  }
}
