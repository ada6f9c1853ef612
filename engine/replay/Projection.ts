import type { EventEnvelope } from '../codec/EventCodec.js';

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
  /** Plain data (msgpack-encodable) that `fromSnapshot` turns back into an equal state. */
  toSnapshot(state: S): unknown;
  fromSnapshot(data: unknown): S;
}
