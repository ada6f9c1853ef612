import { createHash } from 'node:crypto';
import { DecodeFailure, type EventCodec, type EventEnvelope } from '../codec/EventCodec.js';
import type { FieldCursor } from '../codec/FieldCursor.js';
import { MsgpackError } from '../codec/MsgpackReader.js';
import type { EventLog, StoredEvent } from '../log/EventLog.js';
import type { Chunk } from '../log/Chunk.js';
import { CorruptLogError } from '../errors.js';
import type { DirectFold, Projection } from './Projection.js';
import { decodeSnapshot, encodeSnapshot } from './SnapshotCodec.js';

/** A point in the log: a sequence number, or a scenario time in ms. */
export type LogPoint = { seq: number } | { time: number };

/** A projection's state at a point, with where that point is. */
export interface StateAt<S> {
  state: S;
  /** Last event folded in (0: none). */
  seq: number;
  /** Scenario time of that event (0: none). */
  time: number;
  /** Sequence of the snapshot it started from (0: replayed from the start). */
  fromSnapshot: number;
}

/** How a Replayer keeps snapshots. */
export interface ReplayerOptions {
  /**
   * Take a snapshot at every multiple of this many events that a fold passes (when the
   * log is writable and none is there yet). 0 turns automatic snapshots off.
   */
  snapshotEvery?: number;
}

/**
 * Default snapshot interval. At ~1 M events/s of replay, the tail after a snapshot
 * costs at most ~25 ms; a snapshot of a 150,000-pod cluster costs a few MB.
 */
export const DEFAULT_SNAPSHOT_EVERY = 25_000;

/** Decode one stored row; a bad payload becomes a CorruptLogError naming its sequence. */
export function decodeEvent(codec: EventCodec, row: StoredEvent): EventEnvelope {
  try {
    return { seq: row.seq, time: row.time, type: row.type, stream: row.stream, data: codec.decode(row.type, row.version, row.payload) };
  } catch (e) {
    if (e instanceof DecodeFailure) throw corrupt(row.seq, e);
    throw e;
  }
}

/** Event i of a chunk through a direct fold; false: not folded (state unchanged), decode it. */
function foldDirect<S>(d: Direct<S>, state: S, c: Chunk, i: number): boolean {
  try {
    return d.cursor.open(c.body, c.payloadStart[i]!, c.payloadEnd[i]!) && d.fold.fold(state, d.cursor, c.firstSeq + i, c.times[i]!);
  } catch (e) {
    if (e instanceof MsgpackError) return false; // the generic decode reports it, naming the seq
    throw e;
  }
}

function corrupt(seq: number, e: DecodeFailure): CorruptLogError {
  return new CorruptLogError(seq, `${e.message}; the log cannot be replayed past this point (see 'podnet verify')`);
}

/**
 * The events of a fold, read out of chunks: one object, refilled for each event (an
 * envelope per event was a fifth of a replay's garbage). Its stream name is decoded
 * only if someone asks.
 */
class ChunkEnvelope implements EventEnvelope {
  seq = 0;
  time = 0;
  type = '';
  data: Record<string, unknown> = {};
  private chunk: Chunk | undefined;
  private index = 0;

  fill(chunk: Chunk, index: number, type: string, data: Record<string, unknown>): this {
    this.seq = chunk.firstSeq + index;
    this.time = chunk.times[index]!;
    this.type = type;
    this.data = data;
    this.chunk = chunk;
    this.index = index;
    return this;
  }

  get stream(): string {
    return this.chunk!.streamName(this.index);
  }
}

/** A direct fold the codec's schema agrees with, and its cursor. */
interface Direct<S> {
  fold: DirectFold<S>;
  cursor: FieldCursor;
}

/**
 * Folds the log into a projection, from the nearest good snapshot. Snapshots carry a
 * SHA-1 of their body and the projection version; any that fails either check is
 * deleted (when writable) and the state is rebuilt from events. Folds take snapshots
 * every `snapshotEvery` events on the way, so the first long replay pays for the
 * ones after it.
 */
export class Replayer<S> {
  private readonly log: EventLog;
  private readonly codec: EventCodec;
  private readonly projection: Projection<S>;
  private readonly every: number;
  /** The projection's direct folds by type, for types whose current schema has the fields they read. */
  private readonly direct = new Map<string, Direct<S>>();

  constructor(log: EventLog, codec: EventCodec, projection: Projection<S>, opts: ReplayerOptions = {}) {
    this.log = log;
    this.codec = codec;
    this.projection = projection;
    this.every = log.readonly ? 0 : opts.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
    for (const [type, fold] of Object.entries(projection.direct ?? {})) {
      const fields = codec.schema(type)?.fields;
      if (fields !== undefined && fields.length === fold.fields.length && fields.every((f, i) => f === fold.fields[i])) {
        this.direct.set(type, { fold, cursor: codec.cursor(type) });
      }
    }
  }

  /** Resolve a point to a sequence number (clamped to the log's head). */
  seqOf(at: LogPoint): number {
    const head = this.log.lastSeq();
    if ('seq' in at) return Math.max(0, Math.min(at.seq, head));
    return this.log.seqAtTime(at.time);
  }

  /** The projection's state at a point. */
  stateAt(at: LogPoint = { seq: Number.MAX_SAFE_INTEGER }): StateAt<S> {
    const target = this.seqOf(at);
    const start = this.loadSnapshot(target);
    return this.fold(start, target);
  }

  /**
   * Fold events after `from.seq` up to `toSeq`, checking continuity. The envelope given
   * to evolve and to `onEvent` is refilled for the next event (see Projection). Events
   * of a type the projection folds directly skip decoding, unless `onEvent` wants them.
   */
  fold(from: StateAt<S>, toSeq: number, onEvent?: (e: EventEnvelope, state: S) => void): StateAt<S> {
    let { state, seq, time } = from;
    const due = this.snapshotsDue(seq, toSeq);
    let next = 0; // due[next]: the next snapshot to take (a Set lookup per event was ~2% of a replay)
    const evolve = this.projection.evolve;
    const env = new ChunkEnvelope();
    const direct = onEvent === undefined && this.direct.size > 0 ? this.direct : undefined;
    for (const c of this.log.chunks(seq + 1, toSeq)) {
      if (c.firstSeq > seq + 1) throw new CorruptLogError(seq + 1, `missing: sequence gap (the log jumps from ${seq} to ${c.firstSeq})`);
      const hi = Math.min(c.count, toSeq - c.firstSeq + 1);
      const byType = direct === undefined ? undefined : c.types.map((t) => direct.get(t));
      for (let i = seq + 1 - c.firstSeq; i < hi; i++) {
        const d = byType?.[c.typeIdx[i]!];
        if (d !== undefined && c.versions[i] === d.cursor.version && foldDirect(d, state, c, i)) {
          seq = c.firstSeq + i;
          time = c.times[i]!;
        } else {
          const e = this.decodeAt(env, c, i);
          state = evolve(state, e);
          seq = e.seq;
          time = e.time;
          onEvent?.(e, state);
        }
        if (seq === due[next]) { this.saveSnapshot({ state, seq, time, fromSnapshot: from.fromSnapshot }); next++; }
      }
    }
    if (seq < toSeq) throw new CorruptLogError(seq + 1, `missing: the log ends at ${seq}, expected events up to ${toSeq}`);
    return { state, seq, time, fromSnapshot: from.fromSnapshot };
  }

  private decodeAt(env: ChunkEnvelope, c: Chunk, i: number): EventEnvelope {
    const type = c.types[c.typeIdx[i]!]!;
    try {
      return env.fill(c, i, type, this.codec.decodeRange(type, c.versions[i]!, c.body, c.payloadStart[i]!, c.payloadEnd[i]!, true));
    } catch (e) {
      if (e instanceof DecodeFailure) throw corrupt(c.firstSeq + i, e);
      throw e;
    }
  }

  /**
   * Multiples of the snapshot interval in (fromSeq, toSeq] that have no snapshot yet, in
   * order. A snapshot a writer took a little past a multiple (at the end of its batch)
   * counts for that multiple; one of another projection version (stale) does not.
   */
  private snapshotsDue(fromSeq: number, toSeq: number): number[] {
    if (this.every <= 0 || toSeq - fromSeq < this.every) return [];
    const due = new Set<number>();
    for (let s = (Math.floor(fromSeq / this.every) + 1) * this.every; s <= toSeq; s += this.every) due.add(s);
    for (const s of this.log.snapshotSeqs(this.projection.name, this.projection.version)) due.delete(Math.floor(s / this.every) * this.every);
    return [...due];
  }

  /** Save the state as a snapshot at its sequence. */
  saveSnapshot(at: StateAt<S>): void {
    const body = encodeSnapshot(this.projection.toSnapshot(at.state));
    const sum = createHash('sha1').update(body).digest();
    this.log.saveSnapshot({ name: this.projection.name, seq: at.seq, time: at.time, version: this.projection.version, payload: Buffer.concat([sum, body]) });
  }

  private loadSnapshot(target: number): StateAt<S> {
    for (const snap of this.log.snapshotsBefore(this.projection.name, target)) {
      const state = this.trySnapshot(snap.version, snap.payload);
      if (state !== undefined) return { state, seq: snap.seq, time: snap.time, fromSnapshot: snap.seq };
      if (!this.log.readonly) this.log.deleteSnapshot(snap.name, snap.seq);
    }
    return { state: this.projection.initialState(), seq: 0, time: 0, fromSnapshot: 0 };
  }

  /** The state a stored snapshot holds, or undefined when it is stale or corrupt. */
  trySnapshot(version: number, payload: Uint8Array): S | undefined {
    if (version !== this.projection.version || payload.length < 20) return undefined;
    const sum = payload.subarray(0, 20);
    const body = payload.subarray(20);
    if (!createHash('sha1').update(body).digest().equals(sum)) return undefined;
    try {
      return this.projection.fromSnapshot(decodeSnapshot(body));
    } catch {
      return undefined;
    }
  }
}
