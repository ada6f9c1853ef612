// Event log benchmarks: append, full replay into the cluster projection, and stateAt
// at random points of a 150,000-pod log, as a CLI query pays it (open, snapshot, tail,
// close).
//
// The log is the shape a scale scenario writes: ClusterCreated, one NodeJoined per
// 110 pods, then per pod a PodCreated (one container, labels, owner) and a
// PodScheduled (namespace, name, node, IP: the "scheduling-sized" event). Appends go
// in batches of 1,000 events, as a controller burst would, encoding included.
// Standalone: `npm run build:ts && node dist/bench/log.js [--quick]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult } from './BenchResult.js';
import type { EncodedEvent, EventCodec } from '../engine/codec/index.js';
import { EventLog } from '../engine/log/index.js';
import { Replayer, type Projection } from '../engine/replay/index.js';
import { clusterCodec, clusterProjection, type ClusterState } from '../src/cluster/index.js';
import { DEFAULT_CLUSTER_CONFIG } from '../src/control/index.js';

/** Sizes of the suite. */
export interface LogSizes {
  /** Pods in the generated log (full: 150,000). */
  pods: number;
  /** PodScheduled events per append measurement. */
  appendEvents: number;
  /** Timed repetitions of each measurement. */
  rounds: number;
  /** stateAt queries at random points. */
  queries: number;
}

const FULL: LogSizes = { pods: 150_000, appendEvents: 300_000, rounds: 5, queries: 40 };
const QUICK: LogSizes = { pods: 30_000, appendEvents: 100_000, rounds: 3, queries: 10 };
const BATCH = 1000;
const PODS_PER_NODE = 110;

/** xorshift32: a fast deterministic stream. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

const podIp = (i: number) => `10.${244 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}`;

/** The events of a scale log, in order, encoded (time advances 1 ms per 1,000 events). */
function* scaleEvents(codec: EventCodec, pods: number): Generator<EncodedEvent> {
  const nodes = Math.ceil(pods / PODS_PER_NODE);
  let n = 0;
  const t = () => Math.floor(n++ / 1000);
  yield codec.encode(t(), 'ClusterCreated', 'cluster/podnet', { ...DEFAULT_CLUSTER_CONFIG });
  for (let i = 0; i < nodes; i++) {
    yield codec.encode(t(), 'NodeJoined', `node/node-${i}`, {
      name: `node-${i}`, role: 'worker', labels: { 'kubernetes.io/hostname': `node-${i}` }, taints: [],
      podCidr: `10.${128 + (i >>> 8)}.${i & 255}.0/24`, ip: `172.18.${i >>> 8}.${i & 255}`, publicIp: '198.51.100.1',
    });
  }
  for (let i = 0; i < pods; i++) {
    const name = `web-${i >>> 10}-${(i & 1023).toString(36)}`;
    yield codec.encode(t(), 'PodCreated', `pod/default/${name}`, {
      namespace: 'default', name, labels: { app: `web-${i >>> 10}` },
      containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }],
      owner: { kind: 'ReplicaSet', name: `web-${i >>> 10}` },
    });
    yield codec.encode(t(), 'PodScheduled', `pod/default/${name}`, { namespace: 'default', name, node: `node-${i % nodes}`, ip: podIp(i) });
  }
}

/** Append a generator's events in batches; returns the head. */
function appendAll(log: EventLog, events: Iterable<EncodedEvent>): number {
  let batch: EncodedEvent[] = [];
  for (const e of events) {
    batch.push(e);
    if (batch.length === BATCH) { log.append(batch); batch = []; }
  }
  if (batch.length) log.append(batch);
  return log.lastSeq();
}

function result(name: string, ops: number, timesMs: number[], note: string): BenchResult {
  const perOp = timesMs.map((ms) => (ms * 1e6) / ops).sort((a, b) => a - b);
  const meanNs = perOp.reduce((a, b) => a + b, 0) / perOp.length;
  return { suite: 'log', name, backend: '-', opsPerSec: 1e9 / meanNs, meanNs, p99Ns: perOp[Math.min(perOp.length - 1, Math.floor(perOp.length * 0.99))]!, samples: perOp.length, note };
}

function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

/** log-append: PodScheduled events, encoded and appended in batches of 1,000. */
function benchAppend(dir: string, s: LogSizes): BenchResult {
  const codec = clusterCodec();
  const times: number[] = [];
  for (let r = 0; r < s.rounds + 1; r++) {
    const log = EventLog.open(join(dir, `append-${r}.db`));
    const ms = time(() => {
      let batch: EncodedEvent[] = [];
      for (let i = 0; i < s.appendEvents; i++) {
        const name = `web-${i >>> 10}-${(i & 1023).toString(36)}`;
        batch.push(codec.encode(i >>> 10, 'PodScheduled', `pod/default/${name}`, { namespace: 'default', name, node: `node-${i % 1000}`, ip: podIp(i) }));
        if (batch.length === BATCH) { log.append(batch); batch = []; }
      }
      if (batch.length) log.append(batch);
    });
    log.close();
    if (r > 0) times.push(ms); // round 0 warms the JIT
  }
  return result('log-append', s.appendEvents, times, `${s.appendEvents} PodScheduled, batches of ${BATCH}, encode included`);
}

/** log-replay: the whole scale log folded into the cluster projection, no snapshots. */
function benchReplay(path: string, s: LogSizes, head: number): BenchResult {
  const codec = clusterCodec();
  const times: number[] = [];
  const indexTimes: number[] = [];
  const noSnapshots = { ...clusterProjection, name: 'bench-no-snapshots' };
  for (let r = 0; r < s.rounds + 1; r++) {
    const log = EventLog.open(path, { readonly: true });
    let state: ClusterState | undefined;
    const ms = time(() => { state = new Replayer(log, codec, noSnapshots).stateAt().state; });
    log.close();
    // Controllers' lookups are built on first use, not by the replay: time that apart.
    const indexMs = time(() => { void state!.index; void state!.podIps; });
    if (r > 0) { times.push(ms); indexTimes.push(indexMs); }
  }
  const indexMs = indexTimes.reduce((a, b) => a + b, 0) / indexTimes.length;
  return result('log-replay', head, times, `${s.pods} pods: ${head} events into the cluster projection; controllers' index built on first use: ${indexMs.toFixed(0)} ms`);
}

/** log-replay-engine: the same replay into a projection that only counts, to separate the log's cost from the cluster's. */
function benchReplayEngine(path: string, s: LogSizes, head: number): BenchResult {
  const codec = clusterCodec();
  const times: number[] = [];
  const counter: Projection<{ n: number }> = {
    name: 'bench-counter', version: 1, initialState: () => ({ n: 0 }),
    evolve: (st, e) => { st.n += e.seq; return st; }, toSnapshot: (st) => st, fromSnapshot: (d) => d as { n: number },
  };
  for (let r = 0; r < s.rounds + 1; r++) {
    const log = EventLog.open(path, { readonly: true });
    const ms = time(() => { new Replayer(log, codec, counter).stateAt(); });
    log.close();
    if (r > 0) times.push(ms);
  }
  return result('log-replay-engine', head, times, `${head} events read, decoded (payload included) and folded into a counter`);
}

/** log-state-at: open the log read-only, stateAt a random seq, close; ops are queries. */
function benchStateAt(path: string, s: LogSizes, head: number): BenchResult {
  const codec = clusterCodec();
  const next = rng(7);
  const times: number[] = [];
  let fromSnap = 0;
  for (let q = 0; q < s.queries; q++) {
    const target = 1 + (next() % head);
    times.push(time(() => {
      const log = EventLog.open(path, { readonly: true });
      const at = new Replayer(log, codec, clusterProjection).stateAt({ seq: target });
      if (at.fromSnapshot > 0) fromSnap++;
      log.close();
    }));
  }
  const sorted = [...times].sort((a, b) => a - b);
  const r = result('log-state-at', 1, times, `${s.pods}-pod log, random seq, open+stateAt+close; max ${sorted[sorted.length - 1]!.toFixed(1)} ms; ${fromSnap}/${s.queries} from a snapshot`);
  return r;
}

/** Snapshots for stateAt: the first full replay of a writable log takes them on its way. */
function takeSnapshots(path: string): number {
  const log = EventLog.open(path);
  const ms = time(() => { new Replayer(log, clusterCodec(), clusterProjection).stateAt(); });
  log.close();
  return ms;
}

/**
 * The log suite: log-append (events/s), log-replay (events/s into the cluster
 * projection; its note gives the rate into a counting projection: the log and codec alone), log-state-at (queries/s; meanNs is the latency of one stateAt).
 */
export async function logSuite(opts: { quick: boolean; sizes?: Partial<LogSizes> }): Promise<BenchResult[]> {
  const s: LogSizes = { ...(opts.quick ? QUICK : FULL), ...opts.sizes };
  const dir = mkdtempSync(join(tmpdir(), 'podnet-bench-log-'));
  try {
    const out = [benchAppend(dir, s)];
    const path = join(dir, 'scale.db');
    const log = EventLog.open(path);
    const head = appendAll(log, scaleEvents(clusterCodec(), s.pods));
    log.close();
    const replay = benchReplay(path, s, head);
    const engine = benchReplayEngine(path, s, head);
    out.push({ ...replay, note: `${replay.note}; log + codec alone (counting projection): ${(engine.opsPerSec / 1e6).toFixed(2)} M events/s` });
    const snapMs = takeSnapshots(path);
    const q = benchStateAt(path, s, head);
    out.push({ ...q, note: `${q.note}; first replay taking snapshots: ${snapMs.toFixed(0)} ms` });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await logSuite({ quick: process.argv.includes('--quick') });
  for (const r of rows) {
    const rate = r.name === 'log-state-at' ? `${(r.meanNs / 1e6).toFixed(1)} ms/query` : `${(r.opsPerSec / 1e6).toFixed(2)} M events/s`;
    console.log(`${r.name.padEnd(14)} ${rate.padStart(18)}   ${r.note ?? ''}`);
  }
}
