// Stage: a Linux bridge (cni0) forwarding frames between its ports.
//
// Trade-off: learning and lookup are two kernel calls over the whole vector (learn
// every source first, then look every destination up), as br_handle_frame does per
// frame: learning before lookup means a frame's own source is known when a later
// frame in the same vector is addressed to it. Per packet the result is the same as
// Linux's per-frame order because a vector never holds two frames of one exchange.
import { PORT_FLOOD, LEARN_NEW, LEARN_MOVED, type Datapath } from '../../../engine/datapath/index.js';
import { formatMac } from '../../../engine/net/index.js';
import type { TraceRecorder } from '../Trace.js';

/** Default bridge ageing time (`bridge ... ageing_time`, 300 s). */
export const BRIDGE_AGEING_MS = 300_000;

/** Counters of the bridge stage. */
export interface BridgeCounters {
  forwarded: number;
  flooded: number;
  learned: number;
  moved: number;
}

export function newBridgeCounters(): BridgeCounters {
  return { forwarded: 0, flooded: 0, learned: 0, moved: 0 };
}

/** Trace text of one frame's bridge decision. */
function traceRecord(v: Datapath['vec'], i: number, bridgeName: string, portName: (p: number) => string): { learn: string; forward: string } {
  const src = formatMac({ hi: v.srcMacHi[i]!, lo: v.srcMacLo[i]! });
  const dst = formatMac({ hi: v.dstMacHi[i]!, lo: v.dstMacLo[i]! });
  const r = v.result[i]!;
  const learn = r === LEARN_NEW ? `learned ${src} on ${portName(v.inPort[i]!)}` : r === LEARN_MOVED ? `moved ${src} to ${portName(v.inPort[i]!)}` : `${src} already known on ${portName(v.inPort[i]!)}`;
  const out = v.outPort[i]!;
  const forward = out === PORT_FLOOD ? `flood ${dst} to every port of ${bridgeName} but ${portName(v.inPort[i]!)}` : `forward ${dst} to ${portName(out)} (fdb)`;
  return { learn, forward };
}

/**
 * Run the bridge on packets 0..n-1 (F_TABLE = bridge id, F_IN_PORT, MACs filled in):
 * learn sources, then decide F_OUT_PORT. With a recorder (n = 1), adds the step.
 */
export function bridgeStage(dp: Datapath, n: number, now: number, counters: BridgeCounters, trace?: { rec: TraceRecorder; bridge: string; portName: (p: number) => string }): void {
  counters.learned += dp.fdbLearn(n, now);
  dp.fdbLookup(n, now, BRIDGE_AGEING_MS);
  const v = dp.vec;
  for (let i = 0; i < n; i++) {
    if (v.outPort[i] === PORT_FLOOD) counters.flooded++;
    else counters.forwarded++;
    if (v.result[i] === LEARN_MOVED) counters.moved++;
  }
  if (trace) {
    const t = traceRecord(v, 0, trace.bridge, trace.portName);
    trace.rec.step({ point: 'bridge', dev: trace.bridge, action: v.outPort[0] === PORT_FLOOD ? 'flood' : 'forward', match: t.forward, detail: t.learn });
  }
}
