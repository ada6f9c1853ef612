// The bulk forwarder: the same pipeline as a trace, on full vectors with tracing off.
// A traffic spec (from, to, port, flows, packets) becomes flows x packets packets,
// packet-major so one vector holds many flows (the first packet of a TCP flow is its
// SYN, the rest are ACKs), forwarded VEC_MAX at a time. Each flow's first packet gives
// its flow record: addresses before and after NAT, Service, verdict, reason, node path.
import { VEC_MAX } from '../../engine/datapath/index.js';
import { formatIp, parseIp } from '../../engine/net/index.js';
import { DnsRecords } from '../network/index.js';
import type { ForwardingContext } from './ForwardingContext.js';
import { MAX_PATH, Verdict } from './PacketMeta.js';
import { newStageCounters, runPipeline, type StageCounters } from './Pipeline.js';
import { outcomeOf, placeFlows, TCP, type PacketSource } from './placePacket.js';
import { resolveTarget, type Target } from './resolveTarget.js';
import { sourceOf } from './tracePacket.js';

/** Traffic as scenarios describe it (the TrafficSent event's data). */
export interface TrafficSpec { from: string; to: string; port: number; proto: string; flows: number; packets: number }

/** One flow as the flow log keeps it (a hubble-like record). */
export interface FlowRecord {
  time: number;
  seq: number;
  from: string;
  to: string;
  src: string;
  dst: string;
  proto: string;
  /** `ns/name` of the Service kube-proxy matched, if any. */
  service?: string;
  /** Where the first packet ended, after every translation. */
  translated: string;
  verdict: 'DELIVERED' | 'DROPPED';
  reason?: string;
  deliveredTo?: string;
  nodes: string[];
  packets: number;
  delivered: number;
}

/** Result of forwarding one traffic spec. */
export interface ForwardResult { flows: FlowRecord[]; packets: number; delivered: number; dropped: number; counters: StageCounters }

const PROTO: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };

/** The address and port a bulk sender uses for `t` (no DNS/ingress legs: names resolve directly). */
export function bulkDestination(ctx: ForwardingContext, src: PacketSource, t: Target, port: number): { ip: number; port: number } | undefined {
  switch (t.kind) {
    case 'pod': return { ip: t.pod.ip, port };
    case 'node': return { ip: t.node.ip, port };
    case 'ip': case 'internet': return { ip: t.ip, port };
    case 'service': {
      const s = t.service;
      if (s.clusterIP === 'None') return undefined;
      return { ip: parseIp(s.loadBalancerIP && src.loc < 0 ? s.loadBalancerIP : s.clusterIP), port };
    }
    case 'dns': {
      const a = new DnsRecords(ctx.net.state).resolve(t.name, src.namespace);
      return a?.ips[0] === undefined ? undefined : { ip: a.ips[0], port };
    }
    case 'http': return undefined;
  }
}

/** Forward a traffic spec through the pipeline at ctx's cluster state and time. */
export function forwardTraffic(ctx: ForwardingContext, spec: TrafficSpec, seq = 0): ForwardResult {
  ctx.rec = undefined;
  const counters = newStageCounters();
  const src = sourceOf(ctx, resolveTarget(ctx.net, spec.from, 'source'));
  const dst = bulkDestination(ctx, src, resolveTarget(ctx.net, spec.to, 'destination'), spec.port);
  const proto = PROTO[spec.proto] ?? 6;
  const total = spec.flows * spec.packets;
  const flows: FlowRecord[] = [];
  const res: ForwardResult = { flows, packets: total, delivered: 0, dropped: 0, counters };
  if (!dst) return res;
  for (let base = 0; base < total; base += VEC_MAX) {
    const n = Math.min(VEC_MAX, total - base);
    // packet k is flow k % flows (its source port names it); each flow's first packet opens it
    placeFlows(ctx, n, src, dst.ip, dst.port, proto, (i) => 10000 + (((base + i) % spec.flows) % 50000),
      (i) => (proto === 6 ? (base + i < spec.flows ? TCP.SYN : TCP.ACK) : 0));
    runPipeline(ctx, n, counters);
    collect(ctx, n, base, spec, seq, res);
  }
  return res;
}

function collect(ctx: ForwardingContext, n: number, base: number, spec: TrafficSpec, seq: number, res: ForwardResult): void {
  const verdict = ctx.dp.vec.verdict;
  for (let i = 0; i < n; i++) {
    const ok = verdict[i] !== Verdict.DROPPED;
    if (ok) res.delivered++; else res.dropped++;
    const k = base + i, flow = k % spec.flows;
    if (k < spec.flows) res.flows.push(flowRecord(ctx, i, spec, seq));
    const f = res.flows[flow];
    if (f) { f.packets++; if (ok) f.delivered++; }
  }
}

/** The flow record of packet i after the pipeline (packets/delivered start at 0: the caller counts). */
export function flowRecord(ctx: ForwardingContext, i: number, spec: TrafficSpec, seq: number): FlowRecord {
  const o = outcomeOf(ctx, i);
  const m = ctx.meta, v = ctx.dp.vec;
  const nodes: string[] = [];
  for (let k = 0; k < v.pathLen[i]!; k++) nodes.push(ctx.nodeName(v.path[i * MAX_PATH + k]!));
  const svc = m.svc[i]! >= 0 ? ctx.services.ports[m.svc[i]!]?.key : undefined;
  return {
    time: ctx.now, seq, from: spec.from, to: spec.to, proto: spec.proto,
    src: `${formatIp(m.origSrc[i]!)}:${m.origSport[i]}`, dst: `${formatIp(m.origDst[i]!)}:${m.origDport[i]}`,
    ...(svc ? { service: svc } : {}),
    translated: `${formatIp(o.srcIp)}:${o.srcPort} > ${formatIp(o.dstIp)}:${o.dstPort}`,
    verdict: o.verdict === Verdict.DROPPED ? 'DROPPED' : 'DELIVERED', ...(o.reason ? { reason: o.reason } : {}),
    ...(o.deliveredTo ? { deliveredTo: o.deliveredTo } : {}), nodes, packets: 0, delivered: 0,
  };
}
