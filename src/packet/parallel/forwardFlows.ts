// The bulk forwarder on a chosen subset of a traffic spec's flows, with a disposition
// per packet. forwardTraffic (BulkForwarder.ts) always sends every flow of a spec and
// counts drops without their reasons; a worker that owns only some flows (partitioned
// by flow hash), a replay report that counts drops per reason, and a probe that
// re-sends one packet of flows seen before a node failure need both. The packets are
// the ones forwardTraffic makes for the same flow numbers (same source port
// 10000 + flow, packet-major order, SYN first for TCP), through the same pipeline, so
// the union of all partitions gives forwardTraffic's per-flow records; a test proves it.
import { VEC_MAX, dropName } from '../../../engine/datapath/index.js';
import { bulkDestination, flowRecord, type FlowRecord, type TrafficSpec } from '../BulkForwarder.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { Verdict } from '../PacketMeta.js';
import { newStageCounters, runPipeline } from '../Pipeline.js';
import { placePacket, TCP } from '../placePacket.js';
import { resolveTarget } from '../resolveTarget.js';
import { sourceOf } from '../tracePacket.js';

const PROTO: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };

/** Disposition names: DELIVERED_POD, DELIVERED_HOST, DELIVERED_INTERNET, or DROPPED:REASON. */
export type Dispositions = Record<string, number>;

/** A flow's record plus its number in the spec. */
export interface NumberedFlow extends FlowRecord { flow: number }

/** What forwarding a subset of flows gave. */
export interface FlowsResult {
  /** Packets that went through the pipeline (0 when the destination has no address). */
  packets: number;
  dispositions: Dispositions;
  /** One per selected flow, in selection order. */
  flows: NumberedFlow[];
}

export interface ForwardFlowsOptions {
  /** Packets per flow (default spec.packets). */
  packets?: number;
  /** Every packet is a TCP ACK (a packet of an established connection), no SYN. */
  established?: boolean;
  seq?: number;
}

const DELIVERED_NAME: Record<number, string> = {
  [Verdict.DELIVERED_POD]: 'DELIVERED_POD', [Verdict.DELIVERED_HOST]: 'DELIVERED_HOST', [Verdict.DELIVERED_INTERNET]: 'DELIVERED_INTERNET',
};

/**
 * Forward the flows numbered in `flows` (each < spec.flows) of `spec` at ctx's state and
 * time. Throws what resolveTarget throws when the source or destination is not there.
 */
export function forwardFlows(ctx: ForwardingContext, spec: TrafficSpec, flows: ArrayLike<number>, o: ForwardFlowsOptions = {}): FlowsResult {
  ctx.rec = undefined;
  const src = sourceOf(ctx, resolveTarget(ctx.net, spec.from, 'source'));
  const dst = bulkDestination(ctx, src, resolveTarget(ctx.net, spec.to, 'destination'), spec.port);
  const res: FlowsResult = { packets: 0, dispositions: {}, flows: [] };
  const nf = flows.length;
  if (!dst || nf === 0) return res;
  const proto = PROTO[spec.proto] ?? 6;
  const per = o.packets ?? spec.packets;
  const total = nf * per;
  const counters = newStageCounters();
  for (let base = 0; base < total; base += VEC_MAX) {
    const n = Math.min(VEC_MAX, total - base);
    for (let i = 0; i < n; i++) {
      const k = base + i, flow = flows[k % nf]!;
      const flags = proto !== 6 ? 0 : k < nf && !o.established ? TCP.SYN : TCP.ACK;
      placePacket(ctx, i, src, dst.ip, dst.port, proto, 10000 + (flow % 50000), flags);
    }
    runPipeline(ctx, n, counters);
    const v = ctx.dp.vec; // after the kernels: memory may have grown
    for (let i = 0; i < n; i++) {
      const k = base + i;
      const verdict = v.verdict[i]!;
      const name = verdict === Verdict.DROPPED ? `DROPPED:${dropName(v.drop[i]! & 0xff)}` : DELIVERED_NAME[verdict] ?? 'DELIVERED';
      res.dispositions[name] = (res.dispositions[name] ?? 0) + 1;
      if (k < nf) res.flows.push({ flow: flows[k]!, ...flowRecord(ctx, i, spec, o.seq ?? 0) });
      const f = res.flows[k % nf]!;
      f.packets++;
      if (verdict !== Verdict.DROPPED) f.delivered++;
    }
  }
  res.packets = total;
  return res;
}

