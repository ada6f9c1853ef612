// A msgpack decoder over a window of a larger buffer (a chunk of events), reused for
// every value: @msgpack/msgpack's `decode` sets up per call and needs a view per
// payload, which capped replay near 0.3 M events/s. Short ASCII strings (names, IPs)
// are decoded with a char-code loop and memoised by their bytes, because the same few
// node names and namespaces recur in every event. Ext types are not event data: they
// are reported as malformed, like any other bad byte.

/** A payload that is not well-formed msgpack; the caller names the event. */
export class MsgpackError extends Error {}

const MEMO_BITS = 12;
const MEMO_SIZE = 1 << MEMO_BITS;
const MEMO_MAX_LEN = 16;

/** Reads msgpack values from `buf[pos..end)`. */
export class MsgpackReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  /** Over `buf` (EventCodec compares shared parts through it). */
  view = new DataView(this.buf.buffer);
  private readonly memoKeys = new Array<number>(MEMO_SIZE).fill(-1);
  private readonly memoVals = new Array<string>(MEMO_SIZE).fill('');

  /** Point the reader at `buf[pos..end)`. */
  reset(buf: Uint8Array, pos = 0, end = buf.length): void {
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    this.pos = pos;
    this.end = end;
  }

  /** Read one value. Throws MsgpackError on malformed or truncated input. */
  value(): unknown {
    if (this.pos >= this.end) throw new MsgpackError('truncated: no more bytes');
    const t = this.buf[this.pos++]!;
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t >= 0xa0 && t < 0xc0) return this.strBody(t & 0x1f);
    if (t >= 0x90 && t < 0xa0) return this.array(t & 0x0f);
    if (t >= 0x80 && t < 0x90) return this.map(t & 0x0f);
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return this.bin(this.u(1));
      case 0xc5: return this.bin(this.u(2));
      case 0xc6: return this.bin(this.u(4));
      case 0xca: this.need(4); this.pos += 4; return this.view.getFloat32(this.pos - 4);
      case 0xcb: this.need(8); this.pos += 8; return this.view.getFloat64(this.pos - 8);
      case 0xcc: return this.u(1);
      case 0xcd: return this.u(2);
      case 0xce: return this.u(4);
      case 0xcf: this.need(8); this.pos += 8; return Number(this.view.getBigUint64(this.pos - 8));
      case 0xd0: this.need(1); this.pos += 1; return this.view.getInt8(this.pos - 1);
      case 0xd1: this.need(2); this.pos += 2; return this.view.getInt16(this.pos - 2);
      case 0xd2: this.need(4); this.pos += 4; return this.view.getInt32(this.pos - 4);
      case 0xd3: this.need(8); this.pos += 8; return Number(this.view.getBigInt64(this.pos - 8));
      case 0xd9: return this.strBody(this.u(1));
      case 0xda: return this.strBody(this.u(2));
      case 0xdb: return this.strBody(this.u(4));
      case 0xdc: return this.array(this.u(2));
      case 0xdd: return this.array(this.u(4));
      case 0xde: return this.map(this.u(2));
      case 0xdf: return this.map(this.u(4));
      default: throw new MsgpackError(`unexpected byte 0x${t.toString(16)} at offset ${this.pos - 1}`);
    }
  }

  /** Read an array header and return its length (for positional payloads). */
  arrayLength(): number {
    if (this.pos >= this.end) throw new MsgpackError('truncated: no more bytes');
    const t = this.buf[this.pos++]!;
    if (t >= 0x90 && t < 0xa0) return t & 0x0f;
    if (t === 0xdc) return this.u(2);
    if (t === 0xdd) return this.u(4);
    throw new MsgpackError(`expected an array, found byte 0x${t.toString(16)}`);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new MsgpackError(`truncated: ${n} bytes needed at offset ${this.pos}, ${this.end - this.pos} left`);
  }

  private u(n: 1 | 2 | 4): number {
    this.need(n);
    const p = this.pos;
    this.pos += n;
    if (n === 1) return this.buf[p]!;
    if (n === 2) return this.view.getUint16(p);
    return this.view.getUint32(p);
  }

  /** A string of `len` bytes at the reader (its header already read). */
  strBody(len: number): string {
    this.need(len);
    const b = this.buf;
    const p = this.pos;
    this.pos += len;
    if (len <= MEMO_MAX_LEN) {
      // FNV-1a over the bytes, four at a step (DataView), picks a memo slot; a hit must
      // match byte for byte. The high bits of each step tell whether the bytes are ASCII.
      const v = this.view;
      let h = 0x811c9dc5 ^ len;
      let high = 0;
      let i = 0;
      for (; i + 4 <= len; i += 4) {
        const w = v.getUint32(p + i);
        high |= w;
        h = Math.imul(h ^ w, 0x01000193);
      }
      for (; i < len; i++) {
        const c = b[p + i]!;
        high |= c;
        h = Math.imul(h ^ c, 0x01000193);
      }
      if ((high & 0x80808080) === 0) {
        // The top bits: a product's low bits depend only on the low bits of each step.
        const slot = h >>> (32 - MEMO_BITS);
        const hit = this.memoVals[slot]!;
        if (this.memoKeys[slot] === h && hit.length === len && sameAscii(hit, b, p)) return hit;
        const s = asciiString(b, p, len);
        this.memoKeys[slot] = h;
        this.memoVals[slot] = s;
        return s;
      }
    }
    return Buffer.from(b.buffer, b.byteOffset + p, len).toString('utf8');
  }

  private bin(len: number): Uint8Array {
    this.need(len);
    this.pos += len;
    return this.buf.slice(this.pos - len, this.pos);
  }

  private array(n: number): unknown[] {
    if (n > this.end - this.pos) throw new MsgpackError(`truncated: array of ${n} in ${this.end - this.pos} bytes`);
    const a = new Array<unknown>(n);
    for (let i = 0; i < n; i++) a[i] = this.value();
    return a;
  }

  private map(n: number): Record<string, unknown> {
    if (n > this.end - this.pos) throw new MsgpackError(`truncated: map of ${n} in ${this.end - this.pos} bytes`);
    const o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = this.value();
      if (typeof k !== 'string') throw new MsgpackError(`map key is a ${typeof k}, not a string`);
      // A '__proto__' member must stay data, not become the object's prototype.
      if (k === '__proto__') Object.defineProperty(o, k, { value: this.value(), enumerable: true, writable: true, configurable: true });
      else o[k] = this.value();
    }
    return o;
  }
}

/**
 * `len` (<= MEMO_MAX_LEN) ASCII bytes as a string, made in one allocation by one
 * String.fromCharCode call with exactly `len` arguments (generated: a case per length).
 * A loop of `+=` made a new string per character, and joining 8-character pieces made
 * two or three strings per name or IP where one survives.
 */
const asciiString = new Function('b', 'p', 'len', `const f = String.fromCharCode;
  switch (len) {
    case 0: return '';
    ${Array.from({ length: MEMO_MAX_LEN }, (_, i) => `case ${i + 1}: return f(${Array.from({ length: i + 1 }, (_, k) => `b[p + ${k}]`).join(', ')});`).join('\n    ')}
  }`) as (b: Uint8Array, p: number, len: number) => string;

function sameAscii(s: string, b: Uint8Array, p: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[p + i]) return false;
  return true;
}
