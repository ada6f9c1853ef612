// `podnet replay` with its report: run the scenario's cluster events into a new log,
// forward its traffic through the bulk forwarder at each TrafficSent's point, and say
// what it cost and what broke. Without workers the traffic is forwarded in-process
// during the replay, on the live cluster state (no second fold); with workers it is
// forwarded after the replay by worker threads that each re-read the new log. Several
// worker counts (`--workers 1,2`) run the traffic once per count: the first gives the
// report, all of them give the scaling rows, and their counts must agree.
import type { Backend } from '../../engine/datapath/index.js';
import { mergeTrafficParts, runTrafficWorkers, TrafficRunner, type TrafficPart } from '../packet/parallel/index.js';
import type { Scenario } from './parseScenario.js';
import { runScenario } from './runScenario.js';

export interface ReplayReportOptions {
  overwrite?: boolean;
  backend?: Backend;
  /** Worker counts to run the traffic on; empty: in-process during the replay. */
  workers?: number[];
  onStep?: (done: number, total: number) => void;
  /** TrafficSent events finished (with workers: summed over workers). */
  onTraffic?: (done: number, total: number, workers: number) => void;
}

/** Forwarding on N workers, for the scaling rows. */
export interface ScalingRow {
  workers: number;
  /** Forwarding time: per traffic step the slowest worker's, summed. */
  forwardMs: number;
  packetsPerSec: number;
  /** Table builds (per step the slowest worker's, summed). */
  loadMs: number;
  /** Whole traffic phase: starting workers, folding the log, builds, forwarding. */
  wallMs: number;
  /** packetsPerSec over the first row's. */
  speedup: number;
  /** Packets, dispositions and broken flows equal the first row's. */
  sameCounts: boolean;
}

/** What `podnet replay` reports (`-o json` prints it as is). */
export interface ReplayReport {
  file: string;
  db: string;
  steps: number;
  /** Events in the new log (its head sequence number). */
  events: number;
  /** Whole command, traffic included. */
  wallMs: number;
  /** The cluster events alone (controllers deciding, appends, folding). */
  eventsWallMs: number;
  eventsPerSec: number;
  /** process.resourceUsage().maxRSS, workers included (one process). */
  peakRssBytes: number;
  cluster: { name: string; nodes: number; pods: number; services: number; workloads: number };
  traffic: TrafficPart & {
    backend: Backend;
    /** 0: in-process during the replay. */
    workers: number;
    /** Scenario packets per second of forwarding time. */
    packetsPerSec: number;
    /** Traffic phase wall time (in-process: time inside the replay spent on traffic). */
    wallMs: number;
  };
  scaling: ScalingRow[];
}

const sameCounts = (a: TrafficPart, b: TrafficPart): boolean =>
  JSON.stringify([a.packets, a.unsent, a.dispositions, a.probePackets, a.broken.map((f) => [f.failedSeq, f.from, f.to, f.flow, f.after])])
  === JSON.stringify([b.packets, b.unsent, b.dispositions, b.probePackets, b.broken.map((f) => [f.failedSeq, f.from, f.to, f.flow, f.after])]);

const rate = (n: number, ms: number) => (ms > 0 ? n / (ms / 1000) : 0);

/** Replay `sc` into a new log at `db`, forward its traffic, and report. */
export async function replayWithReport(sc: Scenario, db: string, o: ReplayReportOptions = {}): Promise<ReplayReport> {
  const started = performance.now();
  const backend = o.backend ?? 'wasm';
  const workers = o.workers ?? [];
  const trafficSteps = sc.steps.filter((s) => s.command.type === 'SendTraffic').length;
  const runner = workers.length ? undefined : new TrafficRunner({ backend });
  let inProcessMs = 0, trafficDone = 0;
  const summary = runScenario(sc, db, {
    ...(o.overwrite ? { overwrite: true } : {}),
    ...(o.onStep ? { onStep: o.onStep } : {}),
    ...(runner ? {
      onBeforeStep: (step, state) => {
        const t = performance.now();
        if (runner.probeDue(step.at)) runner.settle(state);
        if (step.command.type === 'FailNode') runner.beforeFailure(state);
        inProcessMs += performance.now() - t;
      },
      onStepEvents: (events, state) => {
        const t = performance.now();
        for (const e of events) {
          runner.event(e, state);
          if (e.type === 'TrafficSent') o.onTraffic?.(++trafficDone, trafficSteps, 1);
        }
        inProcessMs += performance.now() - t;
      },
    } : {}),
  });
  if (runner) {
    const t = performance.now();
    runner.settle(summary.state);
    inProcessMs += performance.now() - t;
  }
  let traffic: TrafficPart;
  let trafficWallMs = inProcessMs;
  const scaling: ScalingRow[] = [];
  if (runner) {
    traffic = mergeTrafficParts([runner.result]);
  } else {
    const runs = [];
    for (const n of workers) runs.push(await runTrafficWorkers(db, backend, n, (done) => o.onTraffic?.(done, trafficSteps * n, n)));
    const base = runs[0]!;
    traffic = base.traffic;
    trafficWallMs = base.wallMs;
    const baseRate = rate(base.traffic.packets, base.traffic.forwardMs);
    for (const r of runs) {
      const pps = rate(r.traffic.packets, r.traffic.forwardMs);
      scaling.push({
        workers: r.workers, forwardMs: r.traffic.forwardMs, packetsPerSec: pps, loadMs: r.traffic.loadMs, wallMs: r.wallMs,
        speedup: baseRate > 0 ? pps / baseRate : 0, sameCounts: sameCounts(r.traffic, base.traffic),
      });
    }
  }
  const s = summary.state;
  const eventsWallMs = summary.wallMs - inProcessMs;
  return {
    file: sc.file, db, steps: summary.steps, events: summary.events,
    wallMs: performance.now() - started, eventsWallMs, eventsPerSec: rate(summary.events, eventsWallMs),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    cluster: { name: s.config?.name ?? '', nodes: s.nodes.size, pods: s.pods.size, services: s.services.size, workloads: s.workloads.size },
    traffic: { ...traffic, backend, workers: workers[0] ?? 0, packetsPerSec: rate(traffic.packets, traffic.forwardMs), wallMs: trafficWallMs },
    scaling,
  };
}
