// Reading a stored event's fields where they lie, one after another, for a projection
// that folds an event type straight from them (Projection.direct) instead of from a data
// object: at a million events a second, the object built per event and then copied
// field by field into the projection's own storage was a good part of a replay.
//
// A cursor never reports errors itself. Anything it does not expect (a field of another
// type, a wrong field count, bytes left over, malformed msgpack: MsgpackError) means the
// direct fold gives up before changing its state, and the event is decoded and folded
// the ordinary way, which accepts every well-formed payload and reports a bad one with
// the usual DecodeFailure. So a direct fold can only be faster, never different.
import type { EventCodec, SharedParts } from './EventCodec.js';
import type { MsgpackReader } from './MsgpackReader.js';

/** The fields of one stored event of one type at its current schema version, read in order. */
export class FieldCursor {
  /** The field list this cursor reads (the type's current schema). */
  readonly fields: readonly string[];
  /** The schema version whose payloads it reads. */
  readonly version: number;
  private readonly codec: EventCodec;
  private readonly r: MsgpackReader;
  private readonly last: SharedParts;
  private end = 0;
  /** Next field's index. */
  private i = 0;
  /** Whether a field held something its read method does not return (see done()). */
  private odd = false;
  /** Where the last strBytes() field's bytes start in `bytes`. */
  at = 0;

  constructor(codec: EventCodec, reader: MsgpackReader, fields: readonly string[], version: number, last: SharedParts) {
    this.codec = codec;
    this.r = reader;
    this.fields = fields;
    this.version = version;
    this.last = last;
  }

  /** Point at the payload `buf[start..end)`; false when it is not an array of this type's fields. May throw MsgpackError. */
  open(buf: Uint8Array, start: number, end: number): boolean {
    this.r.reset(buf, start, end);
    this.end = end;
    this.i = 0;
    this.odd = false;
    return this.r.arrayLength() === this.fields.length;
  }

  /** A string field; undefined when it is absent (nil). Another type makes done() false. May throw MsgpackError. */
  str(): string | undefined {
    const r = this.r;
    this.i++;
    const t = r.pos < this.end ? r.buf[r.pos]! : -1;
    if (t >= 0xa0 && t < 0xc0) { r.pos++; return r.strBody(t & 0x1f); }
    if (t === 0xc0) { r.pos++; return undefined; }
    const v = r.value();
    if (typeof v === 'string') return v;
    this.odd = true;
    return undefined;
  }

  /**
   * A string field left as bytes (no string made): returns its length in bytes, with
   * `at` where they start in `bytes`; -1 when it is absent (nil). Another type: -1, and
   * done() is false. May throw MsgpackError.
   */
  strBytes(): number {
    const r = this.r;
    this.i++;
    const t = r.pos < this.end ? r.buf[r.pos]! : -1;
    let len: number;
    if (t >= 0xa0 && t < 0xc0) { len = t & 0x1f; r.pos++; }
    else if (t === 0xc0) { r.pos++; return -1; }
    else if (t === 0xd9 && r.pos + 1 < this.end) { len = r.buf[r.pos + 1]!; r.pos += 2; }
    else { r.value(); this.odd = true; return -1; } // another type, or a string too long for what this is for
    if (r.pos + len > this.end) { this.odd = true; return -1; }
    this.at = r.pos;
    r.pos += len;
    return len;
  }

  /** The bytes strBytes() points into (the stored chunk). */
  get bytes(): Uint8Array {
    return this.r.buf;
  }

  /** The string a strBytes() field holds (`at` and length as it gave them), as str() would have read it. */
  text(at: number, len: number): string {
    const r = this.r;
    const pos = r.pos;
    r.pos = at;
    const s = r.strBody(len);
    r.pos = pos;
    return s;
  }

  /**
   * Any field, as a shared decode gives it (EventCodec.decodeRange with `share`: an array
   * or map equal to the last one read at this field is that same object); undefined when
   * absent. May throw MsgpackError.
   */
  value(): unknown {
    const r = this.r;
    const i = this.i++;
    if (r.pos < this.end && r.buf[r.pos] === 0xc0) { r.pos++; return undefined; }
    return this.codec.field(this.last, i);
  }

  /** Whether every field was read as asked and the payload ends there: only then may the fold go on. */
  done(): boolean {
    return !this.odd && this.i === this.fields.length && this.r.pos === this.end;
  }
}
