import type { EventEnvelope } from '../codec/EventCodec.js';
import type { FieldCursor } from '../codec/FieldCursor.js';

/**
 * Folds one event type straight from its stored fields (current schema version), with
 * no data object: the same change `evolve` makes from the decoded event, including the
 * state's seq and time. It reads every field it needs first and returns false, having
 * changed nothing, unless `fields.done()` is true; the event is then decoded and given
 * to `evolve` as usual (and any error is reported from there).
 */
export interface DirectFold<S> {
  /** The field list it reads, in order: used only while the type's current schema has exactly these. */
  readonly fields: readonly string[];
  fold(state: S, fields: FieldCursor, seq: number, time: number): boolean;
}

/**
 * A read model folded from events (emmett's evolve). `evolve` never throws and never
 * decides anything: an unknown event leaves the state as it was. It may update the
 * state in place and return it (states at scale are large; copying per event is not
 * affordable); callers that need an old state keep a snapshot instead. The envelope
 * itself may be refilled with the next event once evolve returns (Replayer.fold reuses
 * one): keep its data or fields, never the envelope.
 */
export interface Projection<S> {
  /** Snapshot table key. */
  readonly name: string;
  /** Bump when the state's shape changes: snapshots of another version are ignored. */
  readonly version: number;
  initialState(): S;
  evolve(state: S, event: EventEnvelope): S;
  /**
   * Optional: event types a fold may read without decoding them (see DirectFold). They
   * bypass `evolve`: a projection made from another with an evolve of its own (a spread
   * plus a wrapper) must leave this out.
   */
  readonly direct?: Readonly<Record<string, DirectFold<S>>>;
  /** Plain data (msgpack-encodable) that `fromSnapshot` turns back into an equal state. */
  toSnapshot(state: S): unknown;
  fromSnapshot(data: unknown): S;
}
