import type { EventCodec } from '../../engine/codec/index.js';
import type { EventLog } from '../../engine/log/index.js';
import { decodeEvent, type LogPoint } from '../../engine/replay/index.js';

/** A raw event as `podnet log` shows it. */
export interface LogEntry {
  seq: number;
  time: number;
  type: string;
  stream: string;
  data: Record<string, unknown>;
}

/** Which events `readEvents` returns. Bounds are inclusive. */
export interface EventFilter {
  /** Event types to keep (all when empty or absent). */
  types?: readonly string[];
  since?: LogPoint;
  until?: LogPoint;
}

/** First sequence number at or after a point. */
function firstSeqFrom(log: EventLog, p: LogPoint): number {
  return 'seq' in p ? Math.max(1, p.seq) : log.seqAtTime(p.time - 1) + 1;
}

/** Last sequence number at or before a point. */
function lastSeqTo(log: EventLog, p: LogPoint): number {
  return 'seq' in p ? Math.min(p.seq, log.lastSeq()) : log.seqAtTime(p.time);
}

/** The raw events matching a filter, in order. Payloads of other types are not decoded. */
export function readEvents(log: EventLog, codec: EventCodec, f: EventFilter = {}): LogEntry[] {
  const from = f.since ? firstSeqFrom(log, f.since) : 1;
  const to = f.until ? lastSeqTo(log, f.until) : log.lastSeq();
  const keep = f.types?.length ? new Set(f.types) : undefined;
  const out: LogEntry[] = [];
  if (to < from) return out;
  for (const row of log.read(from, to)) {
    if (keep && !keep.has(row.type)) continue;
    const e = decodeEvent(codec, row);
    out.push({ seq: e.seq, time: e.time, type: e.type, stream: e.stream, data: e.data });
  }
  return out;
}
