import type { EventCodec } from '../../engine/codec/index.js';
import type { EventLog } from '../../engine/log/index.js';
import { decodeEvent } from '../../engine/replay/index.js';

/** One event in an object's history. */
export interface HistoryEntry {
  seq: number;
  /** Scenario time, ms. */
  time: number;
  type: string;
  data: Record<string, unknown>;
}

/**
 * Every event about one stream (object), in order, up to `toSeq`. Only chunks whose
 * name dictionary holds the stream have any payload decoded.
 */
export function history(log: EventLog, codec: EventCodec, stream: string, toSeq = Number.MAX_SAFE_INTEGER): HistoryEntry[] {
  return log.readStream(stream, toSeq).map((row) => {
    const e = decodeEvent(codec, row);
    return { seq: e.seq, time: e.time, type: e.type, data: e.data };
  });
}
