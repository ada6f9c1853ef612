import { Encoder, decode } from '@msgpack/msgpack';
import type { EventSchema } from './EventSchema.js';

/** A decoded event as the rest of podnet sees it. */
export interface EventEnvelope<T extends string = string, D = Record<string, unknown>> {
  /** Global sequence number, 1-based, gap-free. */
  readonly seq: number;
  /** Scenario time in milliseconds. */
  readonly time: number;
  readonly type: T;
  /** The object the event is about, e.g. `pod/default/web-0`. */
  readonly stream: string;
  readonly data: D;
}

/** An event ready to append: encoded payload plus the row's columns. */
export interface EncodedEvent {
  time: number;
  type: string;
  version: number;
  stream: string;
  payload: Uint8Array;
}

/** Why a stored payload could not be read; the log adds the sequence number. */
export class DecodeFailure extends Error {}

/**
 * Encodes event data to msgpack positional arrays and back, with schema versions and
 * upcasting. `undefined` and `null` are not distinguished: both mean "absent". One Encoder is reused for every event (no per-event allocation of one).
 */
export class EventCodec {
  private readonly schemas = new Map<string, EventSchema>();
  private readonly encoder = new Encoder({ ignoreUndefined: true });

  /** Register event schemas; registering a type twice is a programming error. */
  register(...schemas: EventSchema[]): this {
    for (const s of schemas) {
      if (this.schemas.has(s.type)) throw new Error(`event type ${s.type} registered twice`);
      this.schemas.set(s.type, s);
    }
    return this;
  }

  /** The schema of a type, or undefined when this release does not know it. */
  schema(type: string): EventSchema | undefined {
    return this.schemas.get(type);
  }

  /** Encode one event's data to an EncodedEvent (current schema version). */
  encode(time: number, type: string, stream: string, data: Record<string, unknown>): EncodedEvent {
    const s = this.schemas.get(type);
    if (!s) throw new Error(`event type ${type} is not registered`);
    const row = new Array<unknown>(s.fields.length);
    for (let i = 0; i < s.fields.length; i++) row[i] = data[s.fields[i]!];
    // Encoder.encode copies out of its reused buffer, so the payload is ours to keep.
    return { time, type, version: s.version, stream, payload: this.encoder.encode(row) };
  }

  /** Decode a stored payload, upcasting older versions. Throws DecodeFailure. */
  decode(type: string, version: number, payload: Uint8Array): Record<string, unknown> {
    const s = this.schemas.get(type);
    if (!s) throw new DecodeFailure(`unknown event type '${type}' (written by a newer podnet?)`);
    if (version > s.version) throw new DecodeFailure(`${type} has schema version ${version}, newer than this podnet's ${s.version}; upgrade podnet`);
    let raw: unknown;
    try {
      raw = decode(payload);
    } catch (e) {
      throw new DecodeFailure(`${type} payload does not decode as msgpack (${(e as Error).message})`);
    }
    const fields = version === s.version ? s.fields : s.oldFields?.[version] ?? s.fields;
    if (!Array.isArray(raw) || raw.length !== fields.length) {
      throw new DecodeFailure(`${type} v${version} payload should be an array of ${fields.length} fields`);
    }
    let data: Record<string, unknown> = {};
    // Absent optional fields are stored as nil; leave them absent, as they were written.
    for (let i = 0; i < fields.length; i++) if (raw[i] !== null) data[fields[i]!] = raw[i];
    for (let v = version; v < s.version; v++) {
      const up = s.upcasters?.[v];
      if (!up) throw new DecodeFailure(`${type}: no upcaster from schema version ${v}`);
      data = up(data);
    }
    return data;
  }
}
