// The columns a PodTable keeps its pods in, and the byte-level helpers its snapshots
// use: a dictionary of distinct values per field (Dict), a string per slot filled lazily
// from a snapshot's joined text (LazyStrings), and IPv4 addresses as numbers (IpColumn).
// See PodTable for why pods are stored column by column.

/** What a snapshot stores of an IpColumn. */
export interface IpSnapshot {
  /** Addresses as numbers (u32s). */
  nums: Uint8Array;
  /** Per slot: 0 no address, 1 the number, 2 a string in `others`. */
  kinds: Uint8Array;
  /** The addresses kept as strings, by index. */
  others: [number, string][];
}

/** The distinct values of one column, by identity; code 0 is undefined. */
export class Dict {
  values: unknown[] = [undefined];
  private codes = new Map<unknown, number>();
  /** The value coded last: pods come in runs that share a value. */
  private last: unknown = undefined;
  private lastCode = 0;
  /** Open addressing over codeAscii's byte hashes: the code (0 free); at most half full. */
  private ascii = new Int32Array(16);
  private asciiUsed = 0;

  code(v: unknown): number {
    if (v === this.last) return this.lastCode;
    if (v === undefined) return 0;
    let c = this.codes.get(v);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(v);
      this.codes.set(v, c);
    }
    this.last = v;
    this.lastCode = c;
    return c;
  }

  /**
   * The code of the string in ASCII bytes `b[at..at+len)`, found by the bytes themselves
   * (a table of the string values coded this way, by an FNV-1a hash of their bytes): a
   * stored event's node name, say, needs no string then. A string just decoded is a new
   * object, and a Map lookup of one (it hashes the string first) took 40-130 ns here; node
   * names alternate pod by pod, so the last-value cache does not hit. -1 when a byte is
   * not ASCII (the caller then codes the string).
   */
  codeAscii(b: Uint8Array, at: number, len: number): number {
    let h = FNV_START;
    let high = 0;
    for (let i = at; i < at + len; i++) { const c = b[i]!; high |= c; h = Math.imul(h ^ c, 0x01000193); }
    if (high > 0x7f) return -1;
    const t = this.ascii;
    const mask = t.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = t[i]!;
      if (e === 0) break;
      const v = this.values[e] as string;
      if (v.length === len && sameAsciiAt(v, b, at)) return e;
    }
    const c = this.code(String.fromCharCode(...b.subarray(at, at + len)));
    this.addAscii(c, h);
    return c;
  }

  private addAscii(code: number, h: number): void {
    if ((this.asciiUsed + 1) * 2 > this.ascii.length) {
      const old = this.ascii;
      this.ascii = new Int32Array(old.length * 2);
      this.asciiUsed = 0;
      for (const e of old) if (e !== 0) this.addAscii(e, hashChars(FNV_START, this.values[e] as string, 0, (this.values[e] as string).length));
    }
    const t = this.ascii;
    const mask = t.length - 1;
    let i = h & mask;
    while (t[i] !== 0) i = (i + 1) & mask;
    t[i] = code;
    this.asciiUsed++;
  }

  /** The code of a value, or -1 when the column has never held it. */
  find(v: unknown): number {
    if (v === this.last) return this.lastCode;
    return v === undefined ? 0 : this.codes.get(v) ?? -1;
  }

  static of(values: unknown[]): Dict {
    const d = new Dict();
    if (values[0] !== undefined) throw new Error('pod table: a dictionary must start with undefined');
    d.values = values;
    for (let i = 1; i < values.length; i++) d.codes.set(values[i], i);
    return d;
  }
}

/**
 * A string per slot. Events fill it one string at a time; a restore gives it one text
 * with every string joined and their end offsets, and a string is cut out of it only
 * when read: most of a restored table's names are never read by a query. An empty
 * string is stored as absent (names and IPs are never empty).
 */
export class LazyStrings {
  /** The slot's string; undefined: not cut out yet (restored slots); null: absent. */
  private values: (string | null | undefined)[];
  private text: string;
  private ends: Uint32Array<ArrayBufferLike>;

  constructor(values: (string | null | undefined)[] = [], text = '', ends: Uint32Array<ArrayBufferLike> = new Uint32Array(0)) {
    this.values = values;
    this.text = text;
    this.ends = ends;
  }

  get(slot: number): string | undefined {
    const v = this.values[slot];
    if (v !== undefined) return v ?? undefined;
    if (slot >= this.ends.length) return undefined;
    const start = slot === 0 ? 0 : this.ends[slot - 1]!;
    const end = this.ends[slot]!;
    return start === end ? undefined : (this.values[slot] = this.text.substring(start, end));
  }

  /** Whether a slot's string is `s`; a restored one is compared in the text, not cut out. */
  is(slot: number, s: string): boolean {
    const v = this.values[slot];
    if (v !== undefined || slot >= this.ends.length) return v === s;
    const start = slot === 0 ? 0 : this.ends[slot - 1]!;
    return this.ends[slot]! - start === s.length && this.text.startsWith(s, start);
  }

  set(slot: number, v: string | undefined): void {
    this.values[slot] = v ?? null;
  }

  /** Hash of each restored string, continued from its namespace's state (see PodTable.restore). */
  hashRestored(out: Int32Array, nsCodes: Uint32Array, nsHashes: readonly number[]): void {
    const text = this.text;
    let from = 0;
    for (let s = 0; s < this.ends.length; s++) {
      const to = this.ends[s]!;
      let h = nsHashes[nsCodes[s]!]!;
      for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      out[s] = h;
      from = to;
    }
  }

  /** Slots' strings joined, with their end offsets (absent as empty). */
  static join(col: LazyStrings, slots: ArrayLike<number>): { text: string; ends: Uint8Array } {
    const parts = new Array<string>(slots.length);
    const ends = new Uint32Array(slots.length);
    let at = 0;
    for (let i = 0; i < slots.length; i++) {
      const s = col.get(slots[i]!) ?? '';
      parts[i] = s;
      at += s.length;
      ends[i] = at;
    }
    return { text: parts.join(''), ends: bytesOf(ends) };
  }

  /** A column of `n` restored strings, with room for `cap` (slots past `n` are written by index). */
  static restore(s: { text: string; ends: Uint8Array }, n: number, cap: number): LazyStrings {
    const ends = u32Of(s.ends, n);
    let prev = 0;
    for (let i = 0; i < n; i++) { if (ends[i]! < prev) throw new Error('pod table snapshot: string offsets go backwards'); prev = ends[i]!; }
    if (prev !== s.text.length) throw new Error('pod table snapshot: string offsets do not match the text');
    return new LazyStrings(new Array<string | null | undefined>(cap), s.text, ends);
  }
}

/**
 * An IPv4 address per slot, as a number: pod IPs are unique, so as strings each was one
 * more object per pod for the collector to copy, and 15 bytes a pod in a snapshot where
 * a number takes 4. Only the canonical dotted quad (what IPAM writes) is stored so, so
 * that it reads back as the very same text; anything else, and IPv6, is kept as given.
 */
export class IpColumn {
  private nums: Uint32Array;
  /** 0: no address; 1: the number; 2: a string in `others`. */
  private kinds: Uint8Array;
  private others = new Map<number, string>();

  constructor(cap: number) {
    this.nums = new Uint32Array(cap);
    this.kinds = new Uint8Array(cap);
  }

  get(slot: number): string | undefined {
    const k = this.kinds[slot];
    if (k === 1) { const n = this.nums[slot]!; return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`; }
    return k === 2 ? this.others.get(slot) : undefined;
  }

  set(slot: number, ip: string | undefined): void {
    if (this.kinds[slot] === 2) this.others.delete(slot);
    if (ip === undefined) { this.kinds[slot] = 0; return; }
    const n = dottedQuad(ip, 0, ip.length);
    if (n >= 0) { this.nums[slot] = n; this.kinds[slot] = 1; return; }
    this.kinds[slot] = 2;
    this.others.set(slot, ip);
  }

  /** Set an address given as its number (dottedQuad's). */
  setNumber(slot: number, n: number): void {
    if (this.kinds[slot] === 2) this.others.delete(slot);
    this.nums[slot] = n;
    this.kinds[slot] = 1;
  }

  grow(cap: number, n: number): void {
    const nums = new Uint32Array(cap); nums.set(this.nums.subarray(0, n)); this.nums = nums;
    const kinds = new Uint8Array(cap); kinds.set(this.kinds.subarray(0, n)); this.kinds = kinds;
  }

  toSnapshot(slots: ArrayLike<number>): IpSnapshot {
    const nums = new Uint32Array(slots.length);
    const kinds = new Uint8Array(slots.length);
    const others: [number, string][] = [];
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      nums[i] = this.nums[s]!;
      kinds[i] = this.kinds[s]!;
      if (kinds[i] === 2) others.push([i, this.others.get(s)!]);
    }
    return { nums: bytesOf(nums), kinds, others };
  }

  static restore(snap: IpSnapshot, n: number, cap: number): IpColumn {
    const col = new IpColumn(cap);
    col.nums.set(u32Of(snap.nums, n));
    if (snap.kinds.length !== n) throw new Error('pod table snapshot: a column has the wrong length');
    col.kinds.set(snap.kinds);
    for (const [i, ip] of snap.others) {
      if (!(i < n) || col.kinds[i] !== 2 || typeof ip !== 'string') throw new Error('pod table snapshot: a bad address');
      col.others.set(i, ip);
    }
    if (col.others.size !== snap.others.length) throw new Error('pod table snapshot: a bad address');
    for (let i = 0; i < n; i++) if (col.kinds[i]! > 2 || (col.kinds[i] === 2 && !col.others.has(i))) throw new Error('pod table snapshot: a bad address');
    return col;
  }
}

/**
 * The text `s[from..to)` (a string, or ASCII bytes: a stored event's) as a number when it
 * is a canonical dotted quad (no leading zeros, each part 0..255), else -1.
 */
export function dottedQuad(s: string | Uint8Array, from: number, to: number): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = typeof s === 'string' ? s.charCodeAt(i) : s[i]!;
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else {
      if (c < 48 || c > 57 || (digits === 1 && part === 0)) return -1;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    }
  }
  return dots === 3 && digits > 0 ? n * 256 + part : -1;
}

/** Whether this host stores typed arrays little-endian (a snapshot records it). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A typed array's bytes (a view, no copy). */
export function bytesOf(a: Uint16Array | Uint32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** `n` u32s from snapshot bytes (a view when aligned, else a copy); throws on a wrong length. */
export function u32Of(b: Uint8Array, n: number): Uint32Array<ArrayBufferLike> {
  if (b.byteLength !== n * 4) throw new Error('pod table snapshot: a column has the wrong length');
  // A copy when the bytes are not 4-aligned in their buffer.
  return b.byteOffset % 4 === 0 ? new Uint32Array(b.buffer, b.byteOffset, n) : new Uint32Array(copyOf(b).buffer);
}

/** `n` u16s from snapshot bytes, as u32Of. */
export function u16Of(b: Uint8Array, n: number): Uint16Array<ArrayBufferLike> {
  if (b.byteLength !== n * 2) throw new Error('pod table snapshot: a column has the wrong length');
  return b.byteOffset % 2 === 0 ? new Uint16Array(b.buffer, b.byteOffset, n) : new Uint16Array(copyOf(b).buffer);
}

/** `n` f64s from snapshot bytes, as u32Of. */
export function f64Of(b: Uint8Array, n: number): Float64Array {
  if (b.byteLength !== n * 8) throw new Error('pod table snapshot: a column has the wrong length');
  return b.byteOffset % 8 === 0 ? new Float64Array(b.buffer, b.byteOffset, n) : new Float64Array(copyOf(b).buffer);
}

/** The bytes in a buffer of their own (Buffer#slice would be a view). */
function copyOf(b: Uint8Array): Uint8Array<ArrayBuffer> {
  const c = new Uint8Array(b.byteLength);
  c.set(b);
  return c;
}

/** Whether the string `s` (ASCII) is the bytes at `b[at..]`. */
function sameAsciiAt(s: string, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[at + i]) return false;
  return true;
}

/** FNV-1a of a pod key (`namespace/name`), continued over `s[from..to)` from state `h`. */
export function hashChars(h: number, s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

const FNV_START = 0x811c9dc5 | 0;
/** Hash state after `namespace/`. */
export function nsHash(ns: string): number {
  return Math.imul(hashChars(FNV_START, ns, 0, ns.length) ^ 0x2f, 0x01000193);
}

/** The largest of `a[0..n)` (0 when n is 0). */
export function maxOf(a: Uint32Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

