// Bulk forwarding on N worker threads, flows partitioned by hash (flowPartition.ts).
//
// How a worker gets the cluster state: it re-reads the log itself rather than being
// sent the state. Measured at the envelope (150,000 pods; shared 2-core machine):
// sending the state costs the sender 2.5 s to encode it as snapshot data (or ~1 s to
// structured-clone it) and each worker 2 s to decode and restore it (4-5 s from a
// structured clone), and that again at every traffic point where the cluster changed,
// so it grows with state size times traffic points. Re-reading folds each event once
// per worker (O(events), ~6-8 s for 335k events), costs the main thread nothing, and
// the workers fold side by side. Both ways, each worker then derives its own
// forwarding tables (ForwardingContext.load), which is the largest cost either way.
import { Worker } from 'node:worker_threads';
import type { Backend } from '../../../engine/datapath/index.js';
import { mergeTrafficParts } from './mergeTrafficParts.js';
import type { TrafficPart } from './TrafficRunner.js';
import type { TrafficWorkerData } from './trafficWorker.js';

/** The result of one run on N workers. */
export interface WorkersRun {
  workers: number;
  /** The partitions merged. */
  traffic: TrafficPart;
  /** Each worker's own result, by partition. */
  parts: TrafficPart[];
  /** Each worker's fold wall time (reading, folding, table builds, forwarding). */
  workerWallMs: number[];
  /** From starting the workers to the last result. */
  wallMs: number;
}

/**
 * Forward the traffic of the log at `db` on `workers` threads. `onProgress(done)`
 * counts TrafficSent events finished by every worker (done / workers per event).
 */
export async function runTrafficWorkers(db: string, backend: Backend, workers: number, onProgress?: (done: number) => void): Promise<WorkersRun> {
  const started = performance.now();
  let progress = 0;
  const one = (part: number) => new Promise<{ part: TrafficPart; wallMs: number }>((resolve, reject) => {
    const data: TrafficWorkerData = { db, backend, part, parts: workers };
    const w = new Worker(new URL('./trafficWorker.js', import.meta.url), { workerData: data });
    let done: { part: TrafficPart; wallMs: number } | undefined;
    w.on('message', (m: { type: 'progress' } | { type: 'done'; part: TrafficPart; wallMs: number }) => {
      if (m.type === 'progress') onProgress?.(++progress);
      else done = { part: m.part, wallMs: m.wallMs };
    });
    w.on('error', reject);
    w.on('exit', (code) => (done ? resolve(done) : reject(new Error(`forwarding worker ${part} exited with code ${code} before its result`))));
  });
  const results = await Promise.all(Array.from({ length: workers }, (_, i) => one(i)));
  const parts = results.map((r) => r.part);
  return { workers, traffic: mergeTrafficParts(parts), parts, workerWallMs: results.map((r) => r.wallMs), wallMs: performance.now() - started };
}
