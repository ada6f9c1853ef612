// Stage: the cloud edge, outside every node. Inbound, the load balancer picks a
// healthy node by a hash of the 5-tuple (Maglev-style consistent choice, so every
// packet of a flow lands on the same node) and forwards to NodePort on that node,
// keeping the client address (NLB-style); a node's public IP is mapped 1:1 to its
// private IP by the internet gateway. Outbound, a reply to a load-balanced flow leaves
// from the LB address (the LB's flow table), anything else is mapped private -> public
// by the gateway; a source with no public mapping is dropped, as the VPC would.
// Trade-off: the LB flow table is a JS Map (numeric keys) touched only by flows that
// cross the cloud edge; pod-to-pod traffic never reaches this stage.
import { NO_ENDPOINTS, NO_ROUTE, NODE_DOWN } from '../../../assembly/shared/drop.js';
import { formatIp } from '../../../engine/net/index.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { formatPacket } from '../formatPacket.js';
import { CLOUD, Phase, Verdict, visit } from '../PacketMeta.js';

/** Counters of the cloud stage. */
export const cloudCounters = { lbForwarded: 0, gatewayIn: 0, gatewayOut: 0 };

/** FNV-1a over the 5-tuple: the load balancer's flow hash. */
function flowHash(a: number, b: number, c: number, d: number, e: number): number {
  let h = 0x811c9dc5;
  h = Math.imul(h ^ a, 0x01000193) >>> 0; h = Math.imul(h ^ b, 0x01000193) >>> 0; h = Math.imul(h ^ c, 0x01000193) >>> 0;
  h = Math.imul(h ^ d, 0x01000193) >>> 0; h = Math.imul(h ^ e, 0x01000193) >>> 0;
  return h;
}


/** Packet i arrives at node `node` from the cloud; NODE_DOWN when that node is failed. */
function enterNode(ctx: ForwardingContext, i: number, node: number): void {
  const v = ctx.dp.vec;
  if (!ctx.nodeReady[node]) { ctx.rec?.step({ point: 'node-eth0', action: 'drop', detail: `${ctx.nodeName(node)} is NotReady: nothing answers on its eth0` }); ctx.drop(i, NODE_DOWN); return; }
  v.loc[i] = node; v.phase[i] = Phase.FROM_CLOUD; visit(v, i, node);
  ctx.rec?.enter(ctx.nodeName(node), 'root');
  ctx.rec?.step({ point: 'node-eth0', dev: 'eth0', action: 'receive', packet: formatPacket(ctx.dp.vec, i) });
}

function inbound(ctx: ForwardingContext, i: number): void {
  const v = ctx.dp.vec;
  const dst = v.dstIp[i]!;
  const rec = ctx.rec;
  rec?.enter('cloud', 'internet');
  if (ctx.cloud.isLoadBalancerIp(dst)) {
    const e = ctx.services.loadBalancer(dst, v.dstPort[i]!, v.proto[i]!);
    if (!e || e.nodePort === undefined) { rec?.step({ point: 'load-balancer', action: 'drop', detail: `no listener on ${formatIp(dst)}:${v.dstPort[i]}` }); ctx.drop(i, NO_ROUTE); return; }
    const targets = ctx.lbTargets(e);
    if (targets.length === 0) { rec?.step({ point: 'load-balancer', action: 'drop', detail: `no healthy target node for ${e.key}${e.localOnly ? ' (externalTrafficPolicy Local: no node has a local endpoint)' : ''}` }); ctx.drop(i, NO_ENDPOINTS); return; }
    const node = targets[flowHash(v.srcIp[i]!, v.srcPort[i]!, dst, v.dstPort[i]!, v.proto[i]!) % targets.length]!;
    const before = rec ? formatPacket(v, i) : '';
    const flow = { ip: dst, port: v.dstPort[i]! };
    const outer = ctx.nodeIp[node]! * 65536 + e.nodePort;
    let byClient = ctx.lbFlows.get(outer);
    if (!byClient) { byClient = new Map(); ctx.lbFlows.set(outer, byClient); }
    byClient.set(v.srcIp[i]! * 65536 + v.srcPort[i]!, flow);
    v.dstIp[i] = ctx.nodeIp[node]!; v.dstPort[i] = e.nodePort;
    cloudCounters.lbForwarded++;
    rec?.step({ point: 'load-balancer', action: 'forward', match: `${e.key} listener ${formatIp(dst)}:${e.port} -> ${ctx.nodeName(node)} NodePort ${e.nodePort} (flow hash over ${targets.length} healthy node${targets.length > 1 ? 's' : ''}; client address kept)`, packet: `${before} => ${formatPacket(v, i)}` });
    enterNode(ctx, i, node);
    return;
  }
  const node = ctx.cloud.nodeOfPublic(dst);
  if (node === undefined) { rec?.step({ point: 'gateway', action: 'drop', detail: `${formatIp(dst)} is not an address of this VPC` }); ctx.drop(i, NO_ROUTE); return; }
  const before = rec ? formatPacket(v, i) : '';
  v.dstIp[i] = ctx.nodeIp[node]!;
  cloudCounters.gatewayIn++;
  rec?.step({ point: 'gateway', dev: 'igw', action: 'dnat', match: `1:1 NAT public ${formatIp(dst)} -> ${ctx.nodeName(node)} ${formatIp(v.dstIp[i]!)}`, packet: `${before} => ${formatPacket(v, i)}` });
  enterNode(ctx, i, node);
}

function outbound(ctx: ForwardingContext, i: number): void {
  const v = ctx.dp.vec;
  const rec = ctx.rec;
  rec?.enter('cloud', 'vpc');
  const before = rec ? formatPacket(v, i) : '';
  const lb = ctx.lbFlows.size === 0 ? undefined : ctx.lbFlows.get(v.srcIp[i]! * 65536 + v.srcPort[i]!)?.get(v.dstIp[i]! * 65536 + v.dstPort[i]!);
  if (lb) {
    v.srcIp[i] = lb.ip; v.srcPort[i] = lb.port;
    rec?.step({ point: 'load-balancer', action: 'reverse-nat', match: 'flow table entry of the forward direction', packet: `${before} => ${formatPacket(v, i)}` });
  } else {
    const node = ctx.localIps.get(v.srcIp[i]!); // a Map lookup: only traffic leaving the VPC gets here
    const pub = node === undefined || ctx.nodeIp[node] !== v.srcIp[i] ? 0 : ctx.cloud.publicIp[node]!;
    if (!pub) { rec?.step({ point: 'gateway', action: 'drop', detail: `source ${formatIp(v.srcIp[i]!)} has no public mapping (not masqueraded to a node IP)` }); ctx.drop(i, NO_ROUTE); return; }
    v.srcIp[i] = pub;
    cloudCounters.gatewayOut++;
    rec?.step({ point: 'gateway', dev: 'igw', action: 'snat', match: `1:1 NAT ${ctx.nodeName(node!)} ${formatIp(ctx.nodeIp[node!]!)} -> public ${formatIp(pub)}`, packet: `${before} => ${formatPacket(v, i)}` });
  }
  if (ctx.cloud.nodeOfPublic(v.dstIp[i]!) !== undefined || ctx.cloud.isLoadBalancerIp(v.dstIp[i]!)) { v.phase[i] = Phase.CLOUD_IN; inbound(ctx, i); return; }
  rec?.enter('internet', formatIp(v.dstIp[i]!));
  rec?.step({ point: 'internet', action: 'deliver', packet: formatPacket(v, i) });
  ctx.deliver(i, Verdict.DELIVERED_INTERNET);
}

/** Run the cloud edge on packets 0..n-1 that are outside the cluster (loc CLOUD). */
export function cloudStage(ctx: ForwardingContext, n: number): void {
  const v = ctx.dp.vec, drop = v.drop, loc = v.loc, phase = v.phase; // no kernel call in this stage: the views stay valid
  for (let i = 0; i < n; i++) {
    if (drop[i] !== 0 || loc[i] !== CLOUD) continue;
    if (phase[i] === Phase.CLOUD_IN) inbound(ctx, i);
    else if (phase[i] === Phase.CLOUD_OUT) outbound(ctx, i);
  }
}
