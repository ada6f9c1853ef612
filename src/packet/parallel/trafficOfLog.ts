// Feeding a TrafficRunner from a log: fold every event into a cluster state and hand
// it to the runner, probing just before a NodeFailed is folded and again before the
// first event that follows the failure in time. This is how a worker sees the
// scenario: it re-reads the log rather than being sent the state (runTrafficWorkers.ts
// says why).
import type { EventLog } from '../../../engine/log/index.js';
import { decodeEvent } from '../../../engine/replay/index.js';
import { clusterCodec, clusterProjection } from '../../cluster/index.js';
import type { TrafficRunner } from './TrafficRunner.js';

/** Fold `log` (to its head) through `runner`; `onTraffic` after each TrafficSent. Returns the fold's wall ms. */
export function runTrafficOfLog(log: EventLog, runner: TrafficRunner, onTraffic?: (seq: number) => void): number {
  const started = performance.now();
  const codec = clusterCodec();
  let state = clusterProjection.initialState();
  for (const row of log.read(1, log.lastSeq())) {
    const e = decodeEvent(codec, row);
    if (runner.probeDue(e.time)) runner.settle(state);
    if (e.type === 'NodeFailed') runner.beforeFailure(state);
    state = clusterProjection.evolve(state, e);
    runner.event(e, state);
    if (e.type === 'TrafficSent') onTraffic?.(e.seq);
  }
  runner.settle(state);
  return performance.now() - started;
}
