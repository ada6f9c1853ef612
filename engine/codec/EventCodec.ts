import { MsgpackError, MsgpackReader } from './MsgpackReader.js';
import { MsgpackWriter } from './MsgpackWriter.js';
import type { EventSchema } from './EventSchema.js';
import { FieldCursor } from './FieldCursor.js';

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

/** The last array or map read at one field of one event type, and its bytes. */
interface LastPart {
  bytes: Uint8Array;
  /** Over `bytes`: compared four at a time. */
  view: DataView;
  len: number;
  value: unknown;
}

/** Per field of one field list: the last array or map read there (see sharedPart). */
export type SharedParts = (LastPart | undefined)[];

/** Larger parts are decoded each time (comparing them would cost about as much). */
const MAX_SHARED_BYTES = 512;

/** Whether a msgpack type byte starts an array or a map. */
function isContainer(t: number | undefined): boolean {
  return t !== undefined && ((t >= 0x80 && t < 0xa0) || t === 0xdc || t === 0xdd || t === 0xde || t === 0xdf);
}

/** Writes one type's fields of `data` as a positional array. */
type FieldWriter = (w: MsgpackWriter, data: Record<string, unknown>) => void;

/**
 * A FieldWriter for one field list, generated so that each field is a load of a named
 * property (`d["ip"]`), which V8 caches per site: a loop of `data[fields[i]]` is one
 * site that sees every field name of every type and falls back to a global lookup.
 */
function fieldWriter(fields: readonly string[]): FieldWriter {
  const body = fields.map((f) => `w.value(d[${JSON.stringify(f)}]);`).join(' ');
  return new Function('w', 'd', `w.arrayHeader(${fields.length}); ${body}`) as FieldWriter;
}

/** Reads one field list's values (the array header already read) into a data object. */
type FieldReader = (codec: EventCodec, r: MsgpackReader, last: SharedParts | undefined) => Record<string, unknown>;

/**
 * A FieldReader for one field list. Absent optional fields are stored as nil and left
 * absent, as they were written. Generated so that each field is a store of a named
 * property, which V8 caches per site: one loop storing `data[fields[i]]` was a
 * megamorphic keyed store per field, a tenth of a replay's instructions. The common
 * field values, a short string (fixstr) or nil, are read inline; anything else goes
 * through `c.field`: two calls and a type switch per field were a third of decoding.
 * A `__proto__` field must stay data, which only defineProperty does.
 */
function fieldReader(fields: readonly string[]): FieldReader {
  const read = (i: number) => `t = r.pos < r.end ? b[r.pos] : -1;
  if (t >= 0xa0 && t < 0xc0) { r.pos++; v = r.strBody(t & 0x1f); }
  else if (t === 0xc0) { r.pos++; v = null; }
  else v = c.field(last, ${i});`;
  const store = (f: string, i: number) => f === '__proto__'
    ? `${read(i)} if (v !== null) Object.defineProperty(d, '__proto__', { value: v, enumerable: true, writable: true, configurable: true });`
    : `${read(i)} if (v !== null) d[${JSON.stringify(f)}] = v;`;
  return new Function('c', 'r', 'last', `const d = {}, b = r.buf; let v, t; ${fields.map(store).join('\n')} return d;`) as FieldReader;
}

/** Why a stored payload could not be read; the log adds the sequence number. */
export class DecodeFailure extends Error {}

/**
 * Encodes event data to msgpack positional arrays and back, with schema versions and
 * upcasting. `undefined` and `null` are not distinguished: both mean "absent". One
 * writer and one reader are reused for every event: payloads are views into the
 * writer's arena, and decoding reads straight out of a stored chunk (see
 * MsgpackWriter and MsgpackReader for why not @msgpack/msgpack).
 */
export class EventCodec {
  private readonly schemas = new Map<string, EventSchema>();
  /** Per type: its schema and a writer of its fields (see fieldWriter). */
  private readonly encoders = new Map<string, { schema: EventSchema; write: FieldWriter }>();
  private readonly writer = new MsgpackWriter();
  private readonly reader = new MsgpackReader();
  /** Per field list (one per schema version): its reader and the last array or map read at each field. */
  private readonly readers = new Map<readonly string[], { read: FieldReader; last: SharedParts }>();

  /** Register event schemas; registering a type twice is a programming error. */
  register(...schemas: EventSchema[]): this {
    for (const s of schemas) {
      if (this.schemas.has(s.type)) throw new Error(`event type ${s.type} registered twice`);
      this.schemas.set(s.type, s);
      this.encoders.set(s.type, { schema: s, write: fieldWriter(s.fields) });
    }
    return this;
  }

  /** The schema of a type, or undefined when this release does not know it. */
  schema(type: string): EventSchema | undefined {
    return this.schemas.get(type);
  }

  /** Encode one event's data to an EncodedEvent (current schema version). */
  encode(time: number, type: string, stream: string, data: Record<string, unknown>): EncodedEvent {
    const enc = this.encoders.get(type);
    if (!enc) throw new Error(`event type ${type} is not registered`);
    const w = this.writer;
    w.begin();
    enc.write(w, data);
    // A view into the writer's arena: later encodes never overwrite it.
    return { time, type, version: enc.schema.version, stream, payload: w.end() };
  }

  /** Decode a stored payload, upcasting older versions. Throws DecodeFailure. */
  decode(type: string, version: number, payload: Uint8Array): Record<string, unknown> {
    return this.decodeRange(type, version, payload, 0, payload.length);
  }

  /**
   * Decode the payload at `buf[start..end)` (inside a stored chunk). Throws DecodeFailure.
   * With `share`, an array or map field whose bytes equal that field's in the last event
   * of the same type decoded with `share` comes back as the very same object, not
   * decoded again: a workload's pods are created one after another with one spec, and a
   * replay keeps a single copy of it anyway (see PodTable.create). Only for callers
   * that never mutate event data in place (a projection's fold).
   */
  decodeRange(type: string, version: number, buf: Uint8Array, start: number, end: number, share = false): Record<string, unknown> {
    const s = this.schemas.get(type);
    if (!s) throw new DecodeFailure(`unknown event type '${type}' (written by a newer podnet?)`);
    if (version > s.version) throw new DecodeFailure(`${type} has schema version ${version}, newer than this podnet's ${s.version}; upgrade podnet`);
    const fields = version === s.version ? s.fields : s.oldFields?.[version] ?? s.fields;
    // Never for an older version: its upcasters may rewrite the data they are given.
    let data = this.readFields(type, version, fields, buf, start, end, share && version === s.version);
    for (let v = version; v < s.version; v++) {
      const up = s.upcasters?.[v];
      if (!up) throw new DecodeFailure(`${type}: no upcaster from schema version ${v}`);
      data = up(data);
    }
    return data;
  }

  private readFields(type: string, version: number, fields: readonly string[], buf: Uint8Array, start: number, end: number, share: boolean): Record<string, unknown> {
    const r = this.reader;
    r.reset(buf, start, end);
    let data: Record<string, unknown>;
    try {
      const n = r.arrayLength();
      if (n !== fields.length) throw new DecodeFailure(`${type} v${version} payload should be an array of ${fields.length} fields, found ${n}`);
      const f = this.readerOf(fields);
      data = f.read(this, r, share ? f.last : undefined);
    } catch (e) {
      if (e instanceof MsgpackError) throw new DecodeFailure(`${type} payload does not decode as msgpack (${e.message})`);
      throw e;
    }
    if (r.pos !== end) throw new DecodeFailure(`${type} payload has ${end - r.pos} bytes after its last field`);
    return data;
  }

  private readerOf(fields: readonly string[]): { read: FieldReader; last: SharedParts } {
    let f = this.readers.get(fields);
    if (f === undefined) this.readers.set(fields, (f = { read: fieldReader(fields), last: new Array<LastPart | undefined>(fields.length).fill(undefined) }));
    return f;
  }

  /**
   * A cursor over stored events of a type at its current schema version, for a direct
   * fold (see FieldCursor). It shares parts with `decodeRange(..., share)` of that type:
   * either path gives the same object for a part equal to the last one read.
   */
  cursor(type: string): FieldCursor {
    const s = this.schemas.get(type);
    if (!s) throw new Error(`event type ${type} is not registered`);
    return new FieldCursor(this, this.reader, s.fields, s.version, this.readerOf(s.fields).last);
  }

  /**
   * Field `i` at the reader: with `last` (sharing), an array or map equal to the last
   * one read there is that same object (sharedPart). Called by FieldReaders.
   */
  field(last: SharedParts | undefined, i: number): unknown {
    return last !== undefined && isContainer(this.reader.buf[this.reader.pos]) ? this.sharedPart(last, i) : this.reader.value();
  }

  /**
   * The array or map at the reader: the last one read at field `i` if the bytes match.
   * Matching bytes need no parse: that value was well-formed with exactly that many
   * bytes, and msgpack is prefix-free, so these bytes are the same value.
   */

  private sharedPart(last: SharedParts, i: number): unknown {
    const r = this.reader;
    const b = r.buf;
    const from = r.pos;
    const prev = last[i];
    if (prev !== undefined && from + prev.len <= r.end) {
      const pb = prev.bytes;
      const pv = prev.view;
      const bv = r.view;
      const len = prev.len;
      let k = 0;
      // Four bytes a step, then the odd ones: parts are tens of bytes, compared per event.
      while (k + 4 <= len && pv.getUint32(k) === bv.getUint32(from + k)) k += 4;
      while (k < len && pb[k] === b[from + k]) k++;
      if (k === len) { r.pos = from + len; return prev.value; }
    }
    const v = r.value();
    const len = r.pos - from;
    if (len <= MAX_SHARED_BYTES) {
      let part = prev;
      if (part === undefined) {
        const bytes = new Uint8Array(MAX_SHARED_BYTES);
        part = last[i] = { bytes, view: new DataView(bytes.buffer), len: 0, value: undefined };
      }
      part.bytes.set(b.subarray(from, from + len));
      part.len = len;
      part.value = v;
    }
    return v;
  }
}
