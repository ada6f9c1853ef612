// Stage: kube-proxy's NAT rules for a new connection (the nat table's PREROUTING and
// OUTPUT jump to KUBE-SERVICES; established packets never get here, conntrack NATs
// them). A ClusterIP, a NodePort on one of the node's addresses (`-m addrtype
// --dst-type LOCAL`) or a LoadBalancer IP selects a Service port; its endpoint is
//  - iptables mode: the KUBE-SVC chain's rules in order, rule i matching with
//    `-m statistic --mode random --probability 1/(n-i)` (uniform overall);
//  - ipvs mode: round robin over the real servers;
//  - sessionAffinity ClientIP: the endpoint remembered for the client (`-m recent
//    --rcheck --seconds 10800`, IPVS persistence) wins.
// The mark for masquerade (KUBE-MARK-MASQ) is set for hairpin (`-s EP -j
// KUBE-MARK-MASQ` in the SEP chain), for external traffic with externalTrafficPolicy
// Cluster (KUBE-EXT), and for ClusterIP traffic from outside the pod network (`!
// -s clusterCIDR`). ETP Local keeps the client address and only uses node-local
// endpoints; none there drops. A Service with no endpoints is rejected.
// Trade-off: the random draw is a hash of the 5-tuple and the rule index, not a
// global RNG, so a trace and the bulk forwarder choose the same endpoint for a flow.
import { NO_ENDPOINTS, NO_ROUTE } from '../../../assembly/shared/drop.js';
import { cidrContains, formatIp } from '../../../engine/net/index.js';
import { iptablesProbability, type FrontendKind, type ServiceEndpoint, type ServicePortEntry } from '../../network/index.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { formatPacket } from '../formatPacket.js';

/** kube-proxy's default ClientIP affinity timeout (service.spec.sessionAffinityConfig, 10800 s). */
export const AFFINITY_TIMEOUT_MS = 10_800_000;

/** Counters of the kube-proxy stage. */
export interface KubeProxyCounters { dnat: number; rejected: number; masqMarked: number }

/** Fresh counters. */
export function newKubeProxyCounters(): KubeProxyCounters {
  return { dnat: 0, rejected: 0, masqMarked: 0 };
}

/**
 * The `statistic` match's coins for packet i: the flow's hash (srcIp, srcPort, dstIp,
 * dstPort, proto), hashed once per packet; draw() adds the rule index. The cascade tries
 * about half a Service's endpoints, and hashing the flow again for each rule was most
 * of choose()'s time.
 */
function flowHash(v: ForwardingContext['dp']['vec'], i: number): number {
  let h = 0x811c9dc5;
  h = mix(h, v.srcIp[i]!); h = mix(h, v.srcPort[i]!); h = mix(h, v.dstIp[i]!);
  h = mix(h, v.dstPort[i]!);
  return mix(h, v.proto[i]!);
}

/** Uniform draw in [0, 1) from the flow's hash and the rule index (the `statistic` match's coin). */
function draw(flow: number, rule: number): number {
  return (mix(flow, rule) >>> 0) / 4294967296;
}

/** One FNV-1a step with an extra shift-xor, over a 32-bit word. */
function mix(h: number, x: number): number {
  h ^= x; h = Math.imul(h, 0x01000193);
  return h ^ (h >>> 15);
}

/** The rule text of the last choose() (only when tracing): a module slot rather than a tuple allocated per packet. */
let chosenRule = '';

/** Pick an endpoint index: affinity, then iptables' cascade or IPVS round robin. Returns the index; the rule text goes to chosenRule (text only when tracing). */
function choose(ctx: ForwardingContext, i: number, e: ServicePortEntry, eps: ServiceEndpoint[]): number {
  const v = ctx.dp.vec;
  const all = ctx.services.ports[e.id]!.endpoints;
  if (e.affinity) {
    const k = ctx.affinityOf(e.id, v.srcIp[i]!, AFFINITY_TIMEOUT_MS);
    const ep = k === undefined ? undefined : all[k];
    if (ep && eps.includes(ep)) { ctx.remember(e.id, v.srcIp[i]!, k!); chosenRule = `-m recent --name ${ep.chain} --rcheck --seconds 10800 --reap (ClientIP affinity)`; return eps.indexOf(ep); }
  }
  let pick: number;
  let rule: string;
  if (ctx.net.state.config!.kubeProxy === 'ipvs') {
    const pos = ctx.rr.get(e.id) ?? 0;
    pick = pos % eps.length;
    ctx.rr.set(e.id, pos + 1);
    rule = ctx.rec ? `ipvs ${formatIp(e.clusterIp)}:${e.port} rr: real server ${pick + 1}/${eps.length}` : '';
  } else {
    pick = eps.length - 1;
    const flow = flowHash(v, i);
    for (let r = 0; r < eps.length - 1; r++) if (draw(flow, r) < 1 / (eps.length - r)) { pick = r; break; }
    const p = !ctx.rec ? '' : pick < eps.length - 1 ? `-m statistic --mode random --probability ${iptablesProbability(1 / (eps.length - pick))} ` : '';
    rule = ctx.rec ? `${e.chain} rule ${pick + 1}/${eps.length}: ${p}-j ${eps[pick]!.chain}` : '';
  }
  if (e.affinity) ctx.remember(e.id, v.srcIp[i]!, all.indexOf(eps[pick]!));
  chosenRule = rule;
  return pick;
}

function needsMasq(ctx: ForwardingContext, i: number, e: ServicePortEntry, kind: FrontendKind, ep: ServiceEndpoint): string | undefined {
  const src = ctx.dp.vec.srcIp[i]!;
  if (src === ep.ip) return 'hairpin: the client is the endpoint (-s EP -j KUBE-MARK-MASQ)';
  if (kind !== 'cluster-ip' && !e.localOnly) return 'external traffic, externalTrafficPolicy Cluster (KUBE-EXT -j KUBE-MARK-MASQ)';
  if (kind === 'cluster-ip' && !cidrContains(ctx.clusterCidr, src)) return `source outside the cluster CIDR (! -s ${ctx.net.state.config!.podCidr} -j KUBE-MARK-MASQ)`;
  return undefined;
}

function frontText(e: ServicePortEntry, kind: FrontendKind): string {
  if (kind === 'node-port') return `KUBE-NODEPORTS -p ${e.service.ports[0]!.protocol.toLowerCase()} --dport ${e.nodePort} -j ${e.extChain} (${e.key})`;
  const ip = kind === 'load-balancer' ? e.lbIp! : e.clusterIp;
  return `KUBE-SERVICES -d ${formatIp(ip)}/32 --dport ${e.port} -j ${kind === 'cluster-ip' ? e.chain : e.extChain} (${e.key}${e.portName === e.key ? '' : ` port ${e.portName.split(':')[1]}`})`;
}

function serve(ctx: ForwardingContext, i: number, e: ServicePortEntry, kind: FrontendKind, c: KubeProxyCounters): void {
  const v = ctx.dp.vec, m = ctx.meta;
  const node = ctx.nodeName(v.loc[i]!);
  const eps = kind !== 'cluster-ip' && e.localOnly ? e.endpoints.filter((x) => x.node === node) : e.endpoints;
  if (eps.length === 0) {
    c.rejected++;
    const why = e.endpoints.length === 0 ? `${e.key} has no endpoints: REJECT --reject-with icmp-port-unreachable` : `${e.key} has no local endpoints on ${node} (externalTrafficPolicy Local): KUBE-MARK-DROP`;
    ctx.rec?.step({ point: 'kube-proxy', action: 'reject', match: frontText(e, kind), detail: why });
    ctx.drop(i, NO_ENDPOINTS);
    return;
  }
  const k = choose(ctx, i, e, eps);
  const rule = chosenRule;
  const ep = eps[k]!;
  const masq = needsMasq(ctx, i, e, kind, ep);
  if (masq) { v.masq[i] = 1; c.masqMarked++; }
  m.svc[i] = e.id; c.dnat++;
  const before = ctx.rec ? formatPacket(v, i) : '';
  v.dnatIp[i] = ep.ip; v.dnatPort[i] = ep.port;
  v.dstIp[i] = ep.ip; v.dstPort[i] = ep.port;
  if (ctx.rec) {
    ctx.rec.step({ point: 'kube-proxy', action: 'dnat', match: `${frontText(e, kind)}; ${rule}`, detail: `endpoint ${ep.pod} on ${ep.node}${masq ? `; ${masq}` : ''}`, packet: `${before} => ${formatPacket(v, i)}` });
  }
}

/** Apply kube-proxy's rules to every new live packet; set the DNAT target and the masquerade mark. */
export function kubeProxyStage(ctx: ForwardingContext, n: number, c: KubeProxyCounters): void {
  const v = ctx.dp.vec, m = ctx.meta;
  for (let i = 0; i < n; i++) {
    if (v.drop[i] !== 0 || !m.isNew[i]) continue;
    const dst = v.dstIp[i]!, dport = v.dstPort[i]!;
    m.preDst[i] = dst; m.preDport[i] = dport;
    v.dnatIp[i] = 0; v.dnatPort[i] = 0; v.snatIp[i] = 0;
    const local = ctx.nodeIp[v.loc[i]!] === dst && ctx.localIps.get(dst) === v.loc[i]; // the typed-array test first: almost never true
    const hit = v.proto[i] === 1 ? undefined : ctx.services.match(dst, dport, v.proto[i]!, local);
    if (hit) { serve(ctx, i, hit.entry, hit.kind, c); continue; }
    if (cidrContains(ctx.serviceCidr, dst)) {
      ctx.rec?.step({ point: 'kube-proxy', action: 'drop', detail: `no Service has ${formatIp(dst)}:${dport}: no rule in KUBE-SERVICES, and nothing routes the service range` });
      ctx.drop(i, NO_ROUTE);
    }
  }
}
