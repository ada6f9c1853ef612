// The stored form of a run of consecutive events: one SQLite row per chunk, not per
// event. Per-row overhead (B-tree cell, column decoding, a JS object per row) cost more
// than the events themselves at a million a second; a chunk pays it once per run of up
// to CHUNK_EVENTS events. Each chunk is self-contained: it interns its own type and
// stream names (a small dictionary at its head, events refer to them by index), so no
// global dictionary has to be kept in step between processes, and a chunk is written,
// rolled back or lost to a crash as one unit.
//
// Body layout (all integers unsigned LEB128 varints, strings UTF-8 with a varint length):
//   u8 CHUNK_LAYOUT | count | nTypes, type names | nStreams, stream names |
//   count x (zigzag(time - previous time) | type index | version | stream index |
//            payload length | payload bytes)
// Headers are parsed into typed arrays when a chunk is read; payloads are decoded only
// when an event is asked for (lazily), and stream names only when one is needed.
import type { EncodedEvent } from '../codec/EventCodec.js';

/** Layout byte at the head of every chunk body; a reader refuses any other. */
export const CHUNK_LAYOUT = 1;
/** Bytes at the end of a stream name that its hash covers (see internStreams). */
const HASHED_BYTES = 12;
/** Most events per chunk: larger chunks amortise more, smaller ones seek finer. */
export const CHUNK_EVENTS = 4096;

/** A chunk body that does not parse; `index` is the event within the chunk. */
export class ChunkError extends Error {
  readonly index: number;
  constructor(index: number, message: string) {
    super(message);
    this.index = index;
  }
}

/** Builds chunk bodies in one reused buffer. */
export class ChunkBuilder {
  private buf: Buffer = Buffer.allocUnsafe(1 << 20);
  private pos = 0;

  private typeIdx = new Uint32Array(CHUNK_EVENTS);
  private streamIdx = new Uint32Array(CHUNK_EVENTS);
  /** Where event i's stream name starts in the chunk (see internStreams). */
  private textStart = new Uint32Array(CHUNK_EVENTS + 1);
  /** Open-addressing table: 1 + the first event of a distinct stream, or 0 (free). */
  private slots = new Int32Array(2 * CHUNK_EVENTS);
  /** The first event of each distinct stream, in order of first appearance. */
  private firsts = new Uint32Array(CHUNK_EVENTS);

  /** Encode events[from, to) as one chunk body (a view valid until the next build). */
  build(events: readonly EncodedEvent[], from: number, to: number): Buffer {
    const n = to - from;
    if (n > this.typeIdx.length) {
      this.typeIdx = new Uint32Array(n);
      this.streamIdx = new Uint32Array(n);
      this.textStart = new Uint32Array(n + 1);
      this.firsts = new Uint32Array(n);
    }
    const types = new Map<string, number>();
    let lastType: string | undefined;
    let lastT = 0;
    for (let i = from; i < to; i++) {
      const type = events[i]!.type;
      if (type !== lastType) {
        let t = types.get(type);
        if (t === undefined) types.set(type, (t = types.size));
        lastType = type;
        lastT = t;
      }
      this.typeIdx[i - from] = lastT;
    }
    this.pos = 0;
    this.ensure(16);
    this.buf[this.pos++] = CHUNK_LAYOUT;
    this.varint(n);
    this.names(types);
    if (!this.internStreams(events, from, to)) {
      const streams = new Map<string, number>();
      for (let i = from; i < to; i++) {
        const name = events[i]!.stream;
        let s = streams.get(name);
        if (s === undefined) streams.set(name, (s = streams.size));
        this.streamIdx[i - from] = s;
      }
      this.names(streams);
    }
    let prev = 0;
    for (let i = from; i < to; i++) {
      const e = events[i]!;
      const p = e.payload;
      this.ensure(40 + p.length);
      const d = e.time - prev;
      if (!Number.isSafeInteger(d)) throw new RangeError(`chunk: event time ${e.time} is not a whole number of milliseconds`);
      this.varint(d >= 0 ? d * 2 : -d * 2 - 1);
      prev = e.time;
      this.varint(this.typeIdx[i - from]!);
      this.varint(e.version);
      this.varint(this.streamIdx[i - from]!);
      this.varint(p.length);
      this.buf.set(p, this.pos);
      this.pos += p.length;
    }
    return this.buf.subarray(0, this.pos);
  }

  /**
   * Intern the events' stream names and write the distinct ones, as `names` would, by
   * their bytes. The names are joined with a separator byte and encoded in one call
   * straight into the chunk, where each separator is the slot of the next name's
   * length; names are then hashed and compared in place, and a repeated name's bytes
   * are dropped by moving the later ones down. A Map keyed by the names cost more
   * than the rest of the chunk (V8 must flatten and hash each fresh string), and so
   * did copying names byte by byte. Returns false, writing nothing, when a name is
   * not ASCII or is 128 bytes or longer (the caller then interns by string).
   */
  private internStreams(events: readonly EncodedEvent[], from: number, to: number): boolean {
    const n = to - from;
    const names = new Array<string>(n);
    // start[i]: where name i's bytes begin, counted from its length byte's slot of
    // name 0; its length is start[i + 1] - start[i] - 1.
    const start = this.textStart;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const name = events[from + i]!.stream;
      if (name.length >= 0x80) return false;
      names[i] = name;
      start[i] = at + 1;
      at += name.length + 1;
    }
    start[n] = at + 1;
    // The count of distinct names goes first; until it is known, room for the largest.
    const countBytes = varintBytes(n);
    this.ensure(countBytes + at);
    const base = this.pos + countBytes;
    const b = this.buf;
    if (n > 0 && b.write(names.join('\0'), base + 1, 'utf8') !== at - 1) return false; // one byte per char: all ASCII
    let size = 16;
    while (size < 2 * n) size *= 2;
    if (this.slots.length < size) this.slots = new Int32Array(size);
    const slots = this.slots;
    slots.fill(0, 0, size);
    const mask = size - 1;
    const firsts = this.firsts;
    let distinct = 0;
    for (let i = 0; i < n; i++) {
      const a = base + start[i]!;
      const len = start[i + 1]! - start[i]! - 1;
      // FNV-1a over the length and the last bytes, where names that share a prefix
      // (`pod/default/...`) differ; a collision costs only a compare.
      let h = Math.imul(0x811c9dc5 ^ len, 0x01000193);
      for (let k = len > HASHED_BYTES ? len - HASHED_BYTES : 0; k < len; k++) h = Math.imul(h ^ b[a + k]!, 0x01000193);
      let slot = h & mask;
      for (;;) {
        const j = slots[slot]!;
        if (j === 0) {
          slots[slot] = i + 1;
          this.streamIdx[i] = distinct;
          firsts[distinct++] = i;
          break;
        }
        const c = base + start[j - 1]!;
        if (start[j]! - start[j - 1]! - 1 === len) {
          let k = 0;
          while (k < len && b[a + k] === b[c + k]) k++;
          if (k === len) { this.streamIdx[i] = this.streamIdx[j - 1]!; break; }
        }
        slot = (slot + 1) & mask;
      }
    }
    this.varint(distinct);
    let p = this.pos;
    for (let s = 0; s < distinct; s++) {
      const i = firsts[s]!;
      const src = base + start[i]!;
      const len = start[i + 1]! - start[i]! - 1;
      b[p++] = len;
      if (p !== src) b.copyWithin(p, src, src + len);
      p += len;
    }
    this.pos = p;
    return true;
  }

  private names(m: Map<string, number>): void {
    this.varint(m.size);
    for (const name of m.keys()) {
      const len = name.length;
      this.ensure(10 + len * 3);
      // Names are short ASCII almost always: copy char codes, else encode UTF-8.
      const at = this.pos + (len < 0x80 ? 1 : 2);
      let i = 0;
      for (; i < len; i++) {
        const c = name.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[at + i] = c;
      }
      if (i === len && len < 0x4000) { this.varint(len); this.pos += len; continue; }
      const n = Buffer.byteLength(name, 'utf8');
      this.varint(n);
      this.pos += this.buf.write(name, this.pos, n, 'utf8');
    }
  }

  private varint(v: number): void {
    const b = this.buf;
    if (v < 0x80) { b[this.pos++] = v; return; }
    while (v >= 0x80) {
      b[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.pos++] = v;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/** Bytes of `v` as an unsigned LEB128 varint. */
function varintBytes(v: number): number {
  let n = 1;
  for (; v >= 0x80; n++) v = Math.floor(v / 0x80);
  return n;
}

/**
 * A parsed chunk: event i has seq `firstSeq + i`, `times[i]`, `typeName(i)`,
 * `versions[i]`, `streamName(i)` and its payload at `body[payloadStart[i]..payloadEnd[i])`.
 */
export class Chunk {
  readonly firstSeq: number;
  readonly count: number;
  readonly body: Uint8Array;
  readonly times: Float64Array;
  readonly typeIdx: Uint32Array;
  readonly versions: Uint32Array;
  readonly streamIdx: Uint32Array;
  readonly payloadStart: Uint32Array;
  readonly payloadEnd: Uint32Array;
  readonly types: string[];
  private readonly streamOffsets: Uint32Array;
  private readonly streamNames: (string | undefined)[];
  private pos = 0;

  /** Parse a body; throws ChunkError when it is malformed. */
  constructor(firstSeq: number, body: Uint8Array) {
    this.firstSeq = firstSeq;
    this.body = body;
    if (body[0] !== CHUNK_LAYOUT) throw new ChunkError(0, `chunk layout ${body[0]} is not one this podnet reads (${CHUNK_LAYOUT})`);
    this.pos = 1;
    const count = this.count = this.varint(0);
    this.types = [];
    for (let i = 0, n = this.varint(0); i < n; i++) this.types.push(this.string(0));
    const nStreams = this.varint(0);
    this.streamOffsets = new Uint32Array(nStreams);
    for (let i = 0; i < nStreams; i++) {
      this.streamOffsets[i] = this.pos;
      const len = this.varint(0); // read before `this.pos +=` reads pos
      this.pos += len;
    }
    this.streamNames = new Array<string | undefined>(nStreams);
    this.times = new Float64Array(count);
    this.typeIdx = new Uint32Array(count);
    this.versions = new Uint32Array(count);
    this.streamIdx = new Uint32Array(count);
    this.payloadStart = new Uint32Array(count);
    this.payloadEnd = new Uint32Array(count);
    this.events(nStreams);
  }

  private events(nStreams: number): void {
    let time = 0;
    for (let i = 0; i < this.count; i++) {
      const z = this.varint(i);
      time += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      this.times[i] = time;
      const t = this.typeIdx[i] = this.varint(i);
      this.versions[i] = this.varint(i);
      const s = this.streamIdx[i] = this.varint(i);
      const len = this.varint(i);
      if (t >= this.types.length || s >= nStreams) throw new ChunkError(i, 'type or stream index out of range');
      if (this.pos + len > this.body.length) throw new ChunkError(i, `payload of ${len} bytes runs past the chunk's end`);
      this.payloadStart[i] = this.pos;
      this.pos += len;
      this.payloadEnd[i] = this.pos;
    }
    if (this.pos !== this.body.length) throw new ChunkError(this.count - 1, `${this.body.length - this.pos} stray bytes after the last event`);
  }

  /** Type name of event i. */
  typeName(i: number): string {
    return this.types[this.typeIdx[i]!]!;
  }

  /** Stream name of event i (decoded on first use). */
  streamName(i: number): string {
    const s = this.streamIdx[i]!;
    return this.streamNames[s] ?? this.decodeStream(s);
  }

  /** Index of the stream called `name` in this chunk, or -1. */
  findStream(name: string): number {
    for (let s = 0; s < this.streamOffsets.length; s++) if ((this.streamNames[s] ?? this.decodeStream(s)) === name) return s;
    return -1;
  }

  /** The payload bytes of event i (a view). */
  payload(i: number): Uint8Array {
    return this.body.subarray(this.payloadStart[i]!, this.payloadEnd[i]!);
  }

  private decodeStream(s: number): string {
    this.pos = this.streamOffsets[s]!;
    return (this.streamNames[s] = this.string(0));
  }

  private string(index: number): string {
    const n = this.varint(index);
    if (this.pos + n > this.body.length) throw new ChunkError(index, 'name runs past the chunk end');
    const b = this.body;
    const s = Buffer.from(b.buffer, b.byteOffset + this.pos, n).toString('utf8');
    this.pos += n;
    return s;
  }

  private varint(index: number): number {
    const b = this.body;
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= b.length) throw new ChunkError(index, 'truncated chunk');
      const c = b[this.pos++]!;
      v += (c & 0x7f) * mul;
      if (c < 0x80) return v;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new ChunkError(index, 'varint too long');
    }
  }
}
