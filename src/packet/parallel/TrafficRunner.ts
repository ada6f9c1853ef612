// The scenario's traffic, forwarded at each TrafficSent's point in the log: the
// runner is fed events in log order (by a replay in progress, or by a worker reading
// the log) and forwards the flows its partition owns through the bulk forwarder on
// one datapath, so conntrack and the FDBs carry over from step to step as on real
// nodes. The static tables are rebuilt only when a non-traffic event changed the
// cluster since the last build (a rebuild costs seconds at the envelope).
//
// Node failures: the runner remembers which flows of the scenario's traffic were last
// delivered. Just before a NodeFailed, and again once the cluster has settled after it
// (before the first later event, or at the end), it probes each of them with one
// packet of the connection (a TCP ACK, through conntrack) at that state. A flow is
// broken when it was delivered just before and, just after, is dropped, lands on
// another endpoint, or its source is gone. Probing just before (not reusing the last
// traffic's outcome) keeps changes made between the traffic and the failure (scale-ups
// re-hashing iptables' endpoint choice, conntrack entries timing out) out of the
// failure's count. Probe packets are counted apart from the scenario's traffic.
import { createDatapath, type Backend, type Datapath } from '../../../engine/datapath/index.js';
import type { EventEnvelope } from '../../../engine/codec/index.js';
import type { ClusterState } from '../../cluster/index.js';
import type { TrafficSpec } from '../BulkForwarder.js';
import { ForwardingContext } from '../ForwardingContext.js';
import { flowsOf, specKey } from './flowPartition.js';
import { forwardFlows, type Dispositions, type NumberedFlow } from './forwardFlows.js';

/** Where a flow went, as the report shows it. */
export interface FlowOutcome {
  seq: number;
  time: number;
  verdict: 'DELIVERED' | 'DROPPED' | 'NOT_SENT';
  reason?: string;
  /** `pod ns/name`, `node NAME`, `internet IP`. */
  deliveredTo?: string;
  /** Node of the endpoint that received it. */
  node?: string;
  src?: string;
  translated?: string;
  path: string[];
}

/** A flow delivered before a node failure and dropped or moved after it. */
export interface BrokenFlow {
  failedNode: string;
  failedSeq: number;
  from: string;
  to: string;
  flow: number;
  service?: string;
  src: string;
  dst: string;
  before: FlowOutcome;
  after: FlowOutcome;
}

/** One TrafficSent as this partition forwarded it. */
export interface TrafficStepStat {
  seq: number;
  time: number;
  spec: TrafficSpec;
  packets: number;
  /** Packets not sent: the source or destination was not there. */
  unsent: number;
  /** Table rebuild before this step (0 when the cluster had not changed). */
  loadMs: number;
  forwardMs: number;
}

/** A NodeFailed and what the probe after it found. */
export interface FailureStat { node: string; seq: number; time: number; probedFlows: number; broken: number }

/** Everything one partition saw. Sums over partitions give the whole. */
export interface TrafficPart {
  packets: number;
  unsent: number;
  unsentReasons: Record<string, number>;
  dispositions: Dispositions;
  steps: TrafficStepStat[];
  failures: FailureStat[];
  broken: BrokenFlow[];
  probePackets: number;
  /** Time in failure probes, table builds excluded. */
  probeMs: number;
  loads: number;
  loadMs: number;
  forwardMs: number;
}

/** The flows of one spec a probe sends, and what it found. */
interface ProbeSet { spec: TrafficSpec; flows: number[]; out: FlowOutcome[]; recs: (NumberedFlow | undefined)[] }

export interface TrafficRunnerOptions { backend: Backend; part?: number; parts?: number }

/** Forwards the traffic of a log's events, one partition of the flows. */
export class TrafficRunner {
  readonly dp: Datapath;
  private readonly part: number;
  private readonly parts: number;
  private ctx?: ForwardingContext;
  private dirty = true;
  private lastLoadMs = 0;
  private pending: { node: string; seq: number; time: number }[] = [];
  /** The probe just before the pending failures. */
  private before?: ProbeSet[];
  /** specKey -> the spec and its flows last delivered. */
  private readonly seen = new Map<string, { spec: TrafficSpec; flows: Set<number> }>();
  readonly result: TrafficPart = {
    packets: 0, unsent: 0, unsentReasons: {}, dispositions: {}, steps: [], failures: [], broken: [],
    probePackets: 0, probeMs: 0, loads: 0, loadMs: 0, forwardMs: 0,
  };

  constructor(o: TrafficRunnerOptions) {
    this.dp = createDatapath(o.backend);
    this.part = o.part ?? 0;
    this.parts = o.parts ?? 1;
  }

  /** Is the probe after a failure due before an event at `time` (undefined: no more events)? */
  probeDue(time: number | undefined): boolean {
    return this.pending.length > 0 && (time === undefined || time > this.pending[0]!.time);
  }

  /** A NodeFailed is about to be folded into `state`: probe the delivered flows now. */
  beforeFailure(state: ClusterState): void {
    if (this.before) return; // an earlier failure of the same instant already probed
    this.before = this.probe(state, state.seq);
  }

  /** Feed an event already folded into `state`. */
  event(e: EventEnvelope, state: ClusterState): void {
    if (e.type === 'TrafficSent') { this.traffic(e, state); return; }
    this.dirty = true;
    if (e.type === 'NodeFailed') this.pending.push({ node: String(e.data.name), seq: e.seq, time: e.time });
  }

  /** Probe again after pending failures, at `state` (the cluster settled), and list the broken flows. */
  settle(state: ClusterState): void {
    if (!this.pending.length) return;
    const failed = this.pending, before = this.before ?? [];
    this.pending = [];
    this.before = undefined;
    const stats = failed.map((f) => ({ ...f, probedFlows: 0, broken: 0 }));
    const after = this.probe(state, failed[0]!.seq, before);
    before.forEach((b, j) => {
      const a = after[j]!;
      b.flows.forEach((flow, i) => {
        const was = b.out[i]!, now = a.out[i]!;
        if (was.verdict !== 'DELIVERED') return;
        const f = failed.find((x) => was.node === x.node || was.path.includes(x.node)) ?? failed[0]!;
        const st = stats[failed.indexOf(f)]!;
        st.probedFlows++;
        if (now.verdict === 'DELIVERED' && now.deliveredTo === was.deliveredTo && now.src === was.src) return;
        st.broken++;
        const rec = b.recs[i]!;
        this.result.broken.push({
          failedNode: f.node, failedSeq: f.seq, from: b.spec.from, to: b.spec.to, flow,
          ...(rec.service ? { service: rec.service } : {}), src: rec.src, dst: rec.dst, before: was, after: now,
        });
        if (now.verdict !== 'DELIVERED') this.seen.get(specKey(b.spec))?.flows.delete(flow);
      });
    });
    this.result.failures.push(...stats.map(({ node, seq, time, probedFlows, broken }) => ({ node, seq, time, probedFlows, broken })));
  }

  /** One packet of each remembered flow (or of `sets`' flows) at `state`. */
  private probe(state: ClusterState, seq: number, sets?: ProbeSet[]): ProbeSet[] {
    const ctx = this.context(state);
    const t = performance.now();
    ctx.now = state.time;
    ctx.dp.ctExpire(state.time);
    const todo = sets ?? [...this.seen.values()].filter((s) => s.flows.size).map((s) => ({ spec: s.spec, flows: [...s.flows].sort((a, b) => a - b) }));
    const found = todo.map(({ spec, flows }): ProbeSet => {
      const at = { seq, time: state.time };
      try {
        const r = forwardFlows(ctx, spec, flows, { packets: 1, established: true, seq });
        this.result.probePackets += r.packets;
        if (!r.packets) return { spec, flows, out: flows.map(() => notSent(at, 'destination has no address')), recs: flows.map(() => undefined) };
        return { spec, flows, out: r.flows.map((f) => outcome(f, state)), recs: r.flows };
      } catch (e) {
        return { spec, flows, out: flows.map(() => notSent(at, (e as Error).message)), recs: flows.map(() => undefined) };
      }
    });
    this.result.probeMs += performance.now() - t;
    return found;
  }

  private context(state: ClusterState): ForwardingContext {
    if (this.ctx && !this.dirty) return this.ctx;
    const t = performance.now();
    if (!this.ctx) this.ctx = ForwardingContext.of(this.dp, state);
    else this.ctx.load(state);
    const ms = performance.now() - t;
    this.dirty = false;
    this.result.loads++;
    this.result.loadMs += ms;
    this.lastLoadMs += ms;
    return this.ctx;
  }

  private traffic(e: EventEnvelope, state: ClusterState): void {
    const spec = e.data as unknown as TrafficSpec;
    const mine = flowsOf(spec, this.part, this.parts);
    this.lastLoadMs = 0;
    const ctx = this.context(state);
    ctx.now = e.time;
    ctx.dp.ctExpire(e.time);
    const stat: TrafficStepStat = { seq: e.seq, time: e.time, spec, packets: 0, unsent: 0, loadMs: this.lastLoadMs, forwardMs: 0 };
    this.result.steps.push(stat);
    const t = performance.now();
    let unsent: string | undefined;
    try {
      const r = forwardFlows(ctx, spec, mine, { seq: e.seq });
      stat.packets = r.packets;
      if (r.packets === 0 && mine.length) unsent = 'destination has no address';
      for (const [k, n] of Object.entries(r.dispositions)) this.result.dispositions[k] = (this.result.dispositions[k] ?? 0) + n;
      this.remember(spec, r.flows);
    } catch (err) {
      unsent = (err as Error).message;
    }
    stat.forwardMs = performance.now() - t;
    if (unsent !== undefined) {
      stat.unsent = mine.length * spec.packets;
      this.result.unsent += stat.unsent;
      this.result.unsentReasons[unsent] = (this.result.unsentReasons[unsent] ?? 0) + stat.unsent;
    }
    this.result.packets += stat.packets;
    this.result.forwardMs += stat.forwardMs;
  }

  private remember(spec: TrafficSpec, flows: NumberedFlow[]): void {
    const key = specKey(spec);
    let m = this.seen.get(key);
    if (!m) { m = { spec, flows: new Set() }; this.seen.set(key, m); }
    for (const rec of flows) {
      if (rec.verdict === 'DELIVERED') m.flows.add(rec.flow); else m.flows.delete(rec.flow);
    }
  }
}

function notSent(f: { seq: number; time: number }, reason: string): FlowOutcome {
  return { seq: f.seq, time: f.time, verdict: 'NOT_SENT', reason, path: [] };
}

/** A flow record as an outcome, with the node of the endpoint that received it. */
function outcome(r: NumberedFlow, state: ClusterState): FlowOutcome {
  let node: string | undefined;
  const to = r.deliveredTo;
  if (to?.startsWith('pod ')) node = state.pods.get(to.slice(4))?.node;
  else if (to?.startsWith('node ')) node = to.slice(5);
  return {
    seq: r.seq, time: r.time, verdict: r.verdict, ...(r.reason ? { reason: r.reason } : {}), ...(to ? { deliveredTo: to } : {}),
    ...(node ? { node } : {}), src: r.src, translated: r.translated, path: r.nodes,
  };
}
