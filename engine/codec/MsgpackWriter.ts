// A msgpack encoder that writes many values into one arena buffer and hands each out
// as a view, instead of allocating and copying a fresh Uint8Array per value as
// @msgpack/msgpack's Encoder does: at a million events a second the per-event
// allocation and the generic dispatch were most of the cost. Output is standard
// msgpack (any msgpack library reads it), with two simplifications: integers outside
// the int32/uint32 range are written as float64 (exact up to 2^53), and `undefined`
// object members are left out (arrays write them as nil).

const ARENA_BYTES = 64 * 1024;

/** Writes msgpack values into a growing arena; `end()` returns the bytes written since `begin()`. */
export class MsgpackWriter {
  private buf: Buffer = Buffer.allocUnsafe(ARENA_BYTES);
  /**
   * The arena's ArrayBuffer and where `buf` starts in it, kept: reading `buf.buffer`
   * is a call into C++ (JSTypedArray::GetBuffer), a fifth of `end()` per event.
   */
  private arena: ArrayBufferLike = this.buf.buffer;
  private arenaOffset = this.buf.byteOffset;
  private pos = 0;
  private start = 0;

  /** Start a new value (or a run of values read back as one slice). */
  begin(): void {
    if (this.buf.length - this.pos < 256) this.fresh(0);
    this.start = this.pos;
  }

  /** The bytes since `begin()`: a view into the arena that later writes never overwrite. */
  end(): Uint8Array {
    // A plain Uint8Array over the arena: Buffer#subarray builds a Buffer through its
    // species constructor, several times the cost at one payload per event.
    return new Uint8Array(this.arena, this.arenaOffset + this.start, this.pos - this.start);
  }

  /** Encode one value at the end of the current slice. */
  value(v: unknown): void {
    switch (typeof v) {
      case 'string': this.string(v); return;
      case 'number': this.number(v); return;
      case 'boolean': this.ensure(1); this.buf[this.pos++] = v ? 0xc3 : 0xc2; return;
      case 'undefined': this.ensure(1); this.buf[this.pos++] = 0xc0; return;
      case 'object':
        if (v === null) { this.ensure(1); this.buf[this.pos++] = 0xc0; return; }
        if (Array.isArray(v)) { this.array(v); return; }
        if (v instanceof Uint8Array) { this.binary(v); return; }
        if (v instanceof Map || v instanceof Set) throw new TypeError('msgpack: Map and Set are not event data; use plain objects and arrays');
        this.map(v as Record<string, unknown>);
        return;
      default:
        throw new TypeError(`msgpack: cannot encode a ${typeof v}`);
    }
  }

  /** An array header; the caller then writes `n` values. */
  arrayHeader(n: number): void {
    this.ensure(5);
    if (n < 16) this.buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) { this.buf[this.pos++] = 0xdc; this.buf.writeUInt16BE(n, this.pos); this.pos += 2; }
    else { this.buf[this.pos++] = 0xdd; this.buf.writeUInt32BE(n, this.pos); this.pos += 4; }
  }

  private array(a: readonly unknown[]): void {
    this.arrayHeader(a.length);
    for (let i = 0; i < a.length; i++) this.value(a[i]);
  }

  private map(o: Record<string, unknown>): void {
    const keys = Object.keys(o);
    let n = 0;
    for (const k of keys) if (o[k] !== undefined) n++;
    this.ensure(5);
    if (n < 16) this.buf[this.pos++] = 0x80 | n;
    else if (n < 0x10000) { this.buf[this.pos++] = 0xde; this.buf.writeUInt16BE(n, this.pos); this.pos += 2; }
    else { this.buf[this.pos++] = 0xdf; this.buf.writeUInt32BE(n, this.pos); this.pos += 4; }
    for (const k of keys) {
      const v = o[k];
      if (v === undefined) continue;
      this.string(k);
      this.value(v);
    }
  }

  private number(v: number): void {
    this.ensure(9);
    const b = this.buf;
    if (Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff) {
      if (v >= 0) {
        if (v < 0x80) b[this.pos++] = v;
        else if (v < 0x100) { b[this.pos++] = 0xcc; b[this.pos++] = v; }
        else if (v < 0x10000) { b[this.pos++] = 0xcd; b.writeUInt16BE(v, this.pos); this.pos += 2; }
        else { b[this.pos++] = 0xce; b.writeUInt32BE(v, this.pos); this.pos += 4; }
      } else if (v >= -32) b[this.pos++] = v & 0xff;
      else if (v >= -0x80) { b[this.pos++] = 0xd0; b.writeInt8(v, this.pos); this.pos += 1; }
      else if (v >= -0x8000) { b[this.pos++] = 0xd1; b.writeInt16BE(v, this.pos); this.pos += 2; }
      else { b[this.pos++] = 0xd2; b.writeInt32BE(v, this.pos); this.pos += 4; }
      return;
    }
    b[this.pos++] = 0xcb;
    b.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  private string(s: string): void {
    const len = s.length;
    // Short ASCII strings (names, IPs, keys) are most of event data: copy char codes
    // straight in and fall back to UTF-8 encoding only if one is not ASCII.
    if (len < 32) {
      this.ensure(1 + len);
      const b = this.buf;
      const at = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + i] = c;
      }
      if (i === len) { b[this.pos] = 0xa0 | len; this.pos = at + len; return; }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.ensure(5 + bytes);
    const b = this.buf;
    if (bytes < 32) b[this.pos++] = 0xa0 | bytes;
    else if (bytes < 0x100) { b[this.pos++] = 0xd9; b[this.pos++] = bytes; }
    else if (bytes < 0x10000) { b[this.pos++] = 0xda; b.writeUInt16BE(bytes, this.pos); this.pos += 2; }
    else { b[this.pos++] = 0xdb; b.writeUInt32BE(bytes, this.pos); this.pos += 4; }
    this.pos += b.write(s, this.pos, bytes, 'utf8');
  }

  private binary(v: Uint8Array): void {
    this.ensure(5 + v.length);
    const b = this.buf;
    if (v.length < 0x100) { b[this.pos++] = 0xc4; b[this.pos++] = v.length; }
    else if (v.length < 0x10000) { b[this.pos++] = 0xc5; b.writeUInt16BE(v.length, this.pos); this.pos += 2; }
    else { b[this.pos++] = 0xc6; b.writeUInt32BE(v.length, this.pos); this.pos += 4; }
    b.set(v, this.pos);
    this.pos += v.length;
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.fresh(n);
  }

  /** Move the current slice into a new arena with room for `n` more bytes; earlier slices keep the old one. */
  private fresh(n: number): void {
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(ARENA_BYTES, (used + n) * 2));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.arena = next.buffer;
    this.arenaOffset = next.byteOffset;
    this.start = 0;
    this.pos = used;
  }
}
