// `podnet trace`: the pipeline run on one packet with tracing on. A trace may have
// legs: a DNS name is first resolved by a query to the cluster DNS Service (its own
// packet through the same pipeline), an http:// URL goes to the ingress controller,
// which opens a second connection to the matching Service. `--reply` walks the answer
// of the last leg back, through the same conntrack state, and shows the un-NAT.
import { PodnetError, ValidationError } from '../../engine/errors.js';
import type { Datapath } from '../../engine/datapath/index.js';
import { formatIp } from '../../engine/net/index.js';
import type { ClusterState } from '../cluster/index.js';
import { ForwardingContext } from './ForwardingContext.js';
import { newStageCounters, runPipeline } from './Pipeline.js';
import { CLOUD, Phase, Verdict } from './PacketMeta.js';
import { outcomeOf, placePacket, replySource, TCP, type Outcome, type PacketSource } from './placePacket.js';
import { resolveTarget, type Target } from './resolveTarget.js';
import { TraceRecorder, type Trace, type TraceLegResult } from './Trace.js';
import { resolveDestination } from './traceDestination.js';

export type Proto = 'tcp' | 'udp' | 'icmp';
/** IP protocol numbers. */
export const PROTO_NUMBER: Record<Proto, number> = { tcp: 6, udp: 17, icmp: 1 };
/** The source port traces use (an ephemeral port, as a client's connect() picks). */
export const TRACE_SPORT = 40000;

export interface TraceRequest {
  src: string;
  dst: string;
  port: number;
  proto: Proto;
  /** Also walk the reply of the last leg. */
  reply?: boolean;
  /** Source port (default 40000): another port is another connection to conntrack. */
  sport?: number;
}

/** Where a resolved source target starts its packets. */
export function sourceOf(ctx: ForwardingContext, t: Target): PacketSource {
  if (t.kind === 'pod') {
    const p = t.pod;
    const idx = ctx.net.node(p.node)!.node.index;
    if (p.pod.hostNetwork) return { loc: idx, phase: Phase.FROM_HOST, ip: ctx.nodeIp[idx]!, inPort: 0, namespace: p.pod.namespace, label: `pod/${p.key}` };
    return { loc: idx, phase: Phase.FROM_POD, ip: p.ip, inPort: p.bridgePort, namespace: p.pod.namespace, label: `pod/${p.key}` };
  }
  if (t.kind === 'node') return { loc: t.node.node.index, phase: Phase.FROM_HOST, ip: t.node.ip, inPort: 0, namespace: 'default', label: `node/${t.node.node.name}` };
  if (t.kind === 'internet' || t.kind === 'ip') return { loc: CLOUD, phase: Phase.CLOUD_IN, ip: t.ip, inPort: 0, namespace: 'default', label: 'internet' };
  throw new ValidationError(`source: a ${t.kind} cannot send packets; use a pod, a node, an IP or internet`);
}

/** Run one packet from `src` to dst:port and record its hops; returns its outcome. */
export function runLeg(ctx: ForwardingContext, src: PacketSource, dstIp: number, dport: number, proto: number, flags: number, sport = TRACE_SPORT): Outcome {
  placePacket(ctx, 0, src, dstIp, dport, proto, sport, flags);
  if (src.loc === CLOUD) { ctx.rec!.enter('internet', formatIp(src.ip)); ctx.rec!.step({ point: 'internet', action: 'send', packet: `${formatIp(src.ip)}:${sport} > ${formatIp(dstIp)}:${dport}` }); }
  else if (src.phase === Phase.FROM_HOST) { ctx.rec!.enter(ctx.nodeName(src.loc), 'root'); ctx.rec!.step({ point: 'host', action: 'send', detail: `${src.label} sends from the node's network namespace` }); }
  runPipeline(ctx, 1, newStageCounters());
  return outcomeOf(ctx, 0);
}

function finish(trace: Trace | TraceLegResult, o: Outcome): void {
  trace.disposition = o.verdict === Verdict.DROPPED ? 'DROPPED' : 'DELIVERED';
  if (o.reason) trace.reason = o.reason;
  if (o.deliveredTo) trace.deliveredTo = o.deliveredTo;
}

/**
 * Trace one packet from src to dst at the cluster state given. Throws a PodnetError
 * naming the argument when src or dst names nothing; drops are values in the trace.
 */
export function tracePacket(state: ClusterState, dp: Datapath, req: TraceRequest): Trace {
  if (!Number.isInteger(req.port) || req.port < 0 || req.port > 65535) throw new PodnetError('VALIDATION', `--port ${req.port} is out of range (0-65535)`);
  const ctx = ForwardingContext.of(dp, state);
  const rec = new TraceRecorder();
  ctx.rec = rec;
  const srcT = resolveTarget(ctx.net, req.src, 'source');
  const dstT = resolveTarget(ctx.net, req.dst, 'destination');
  const src = sourceOf(ctx, srcT);
  const trace: Trace = {
    disposition: 'DELIVERED', src: req.src, dst: req.dst, proto: req.proto, port: req.port, backend: dp.backend,
    at: { seq: state.seq, time: state.time }, hops: rec.hops,
  };
  if (srcT.kind === 'pod' && dstT.kind === 'pod' && srcT.pod.key === dstT.pod.key && !srcT.pod.pod.hostNetwork) {
    // Containers of one pod share its network namespace: localhost, no veth.
    rec.enter(srcT.pod.node, `pod ${srcT.pod.key}`);
    rec.step({ point: 'lo', dev: 'lo', action: 'deliver', packet: `127.0.0.1:${TRACE_SPORT} > 127.0.0.1:${req.port} ${req.proto}`, detail: `same network namespace; ${listener(srcT.pod.pod, req)}` });
    trace.deliveredTo = `pod ${srcT.pod.key}`;
    return trace;
  }
  const proto = PROTO_NUMBER[req.proto];
  const flags = req.proto === 'tcp' ? TCP.SYN : 0;
  const dest = resolveDestination(ctx, src, dstT, req.port, proto);
  if ('dropped' in dest) { trace.disposition = 'DROPPED'; trace.reason = dest.dropped; return trace; }
  const o = runLeg(ctx, dest.src, dest.ip, dest.port, proto, flags, req.sport ?? TRACE_SPORT);
  finish(trace, o);
  if (req.reply && o.verdict !== Verdict.DROPPED) traceReply(ctx, trace, o, proto);
  return trace;
}

function traceReply(ctx: ForwardingContext, trace: Trace, o: Outcome, proto: number): void {
  const rec = new TraceRecorder();
  ctx.rec = rec;
  const from = replySource(ctx, o);
  const r = runLeg(ctx, from, o.srcIp, o.srcPort, proto, proto === 6 ? TCP.SYN_ACK : 0, o.dstPort);
  const leg: TraceLegResult = { disposition: 'DELIVERED', hops: rec.hops };
  finish(leg, r);
  trace.reply = leg;
}

/** Listener check at the destination pod: which container declares the port. */
export function listener(p: ClusterState['pods'] extends Map<string, infer P> ? P : never, req: { port: number; proto: Proto }): string {
  const proto = req.proto.toUpperCase();
  for (const c of p.containers) for (const cp of c.ports) if (cp.containerPort === req.port && cp.protocol === proto) return `container ${c.name} listens on ${req.port}/${proto}`;
  return req.proto === 'icmp' ? 'echo reply from the pod' : `no container declares ${req.port}/${proto} (containerPort is informational: delivered to the pod's namespace)`;
}
