// A forwarding worker (worker_threads): its own datapath (its own WASM instance), its
// own cluster state folded from the log, the flows of its partition. Posts a
// `progress` message per TrafficSent and one `done` message with its TrafficPart.
import { parentPort, workerData } from 'node:worker_threads';
import type { Backend } from '../../../engine/datapath/index.js';
import { EventLog } from '../../../engine/log/index.js';
import { TrafficRunner } from './TrafficRunner.js';
import { runTrafficOfLog } from './trafficOfLog.js';

/** What the main thread gives a worker. */
export interface TrafficWorkerData { db: string; backend: Backend; part: number; parts: number }

const d = workerData as TrafficWorkerData;
const log = EventLog.open(d.db, { readonly: true });
try {
  const runner = new TrafficRunner({ backend: d.backend, part: d.part, parts: d.parts });
  const wallMs = runTrafficOfLog(log, runner, (seq) => parentPort!.postMessage({ type: 'progress', seq }));
  parentPort!.postMessage({ type: 'done', part: runner.result, wallMs });
} finally {
  log.close();
}
