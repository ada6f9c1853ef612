import { createHash } from 'node:crypto';
import { Encoder, decode } from '@msgpack/msgpack';
import { DecodeFailure, type EventCodec, type EventEnvelope } from '../codec/EventCodec.js';
import type { EventLog, StoredEvent } from '../log/EventLog.js';
import { CorruptLogError } from '../errors.js';
import type { Projection } from './Projection.js';

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

/** Decode one stored row; a bad payload becomes a CorruptLogError naming its sequence. */
export function decodeEvent(codec: EventCodec, row: StoredEvent): EventEnvelope {
  try {
    return { seq: row.seq, time: row.time, type: row.type, stream: row.stream, data: codec.decode(row.type, row.version, row.payload) };
  } catch (e) {
    if (e instanceof DecodeFailure) throw new CorruptLogError(row.seq, `${e.message}; the log cannot be replayed past this point (see 'podnet verify')`);
    throw e;
  }
}

const snapshotEncoder = new Encoder();

/**
 * Folds the log into a projection, from the nearest good snapshot. Snapshots carry a
 * SHA-1 of their body and the projection version; any that fails either check is
 * deleted (when writable) and the state is rebuilt from events.
 */
export class Replayer<S> {
  private readonly log: EventLog;
  private readonly codec: EventCodec;
  private readonly projection: Projection<S>;

  constructor(log: EventLog, codec: EventCodec, projection: Projection<S>) {
    this.log = log;
    this.codec = codec;
    this.projection = projection;
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

  /** Fold events after `from.seq` up to `toSeq`, checking continuity. */
  fold(from: StateAt<S>, toSeq: number, onEvent?: (e: EventEnvelope, state: S) => void): StateAt<S> {
    let { state, seq, time } = from;
    for (const row of this.log.read(seq + 1, toSeq)) {
      if (row.seq !== seq + 1) throw new CorruptLogError(seq + 1, `missing: sequence gap (the log jumps from ${seq} to ${row.seq})`);
      const e = decodeEvent(this.codec, row);
      state = this.projection.evolve(state, e);
      seq = row.seq;
      time = row.time;
      onEvent?.(e, state);
    }
    if (seq < toSeq) throw new CorruptLogError(seq + 1, `missing: the log ends at ${seq}, expected events up to ${toSeq}`);
    return { state, seq, time, fromSnapshot: from.fromSnapshot };
  }

  /** Save the state as a snapshot at its sequence. */
  saveSnapshot(at: StateAt<S>): void {
    const body = snapshotEncoder.encode(this.projection.toSnapshot(at.state));
    const sum = createHash('sha1').update(body).digest();
    this.log.saveSnapshot({ name: this.projection.name, seq: at.seq, time: at.time, version: this.projection.version, payload: snapshotEncoder.encode([sum, body]) });
  }

  private loadSnapshot(target: number): StateAt<S> {
    for (const snap of this.log.snapshotsBefore(this.projection.name, target)) {
      const state = this.trySnapshot(snap.version, snap.payload);
      if (state !== undefined) return { state, seq: snap.seq, time: snap.time, fromSnapshot: snap.seq };
      try { this.log.deleteSnapshot(snap.name, snap.seq); } catch { /* read-only: just ignore it */ }
    }
    return { state: this.projection.initialState(), seq: 0, time: 0, fromSnapshot: 0 };
  }

  private trySnapshot(version: number, payload: Uint8Array): S | undefined {
    if (version !== this.projection.version) return undefined;
    try {
      const [sum, body] = decode(payload) as [Uint8Array, Uint8Array];
      const actual = createHash('sha1').update(body).digest();
      if (!Buffer.from(sum).equals(actual)) return undefined;
      return this.projection.fromSnapshot(decode(body));
    } catch {
      return undefined;
    }
  }
}
