// Snapshot bodies: plain data (objects, arrays, strings, numbers, booleans, null,
// undefined, bytes) in a compact binary form made for restoring a large projection
// fast. A 150,000-pod cluster is ~1 M small objects that mostly share a handful of
// shapes, many repeated strings, and parts shared outright between neighbours (a
// workload's pods, stored one after another, point at the same labels and containers);
// msgpack would spell every key, string and shared part out each time and decode each
// key again. Here:
// - every distinct string is stored once, in one UTF-8 block decoded by a single call
//   and cut with substring (string table);
// - every distinct key list (object shape) is stored once, and objects of that shape are
//   rebuilt by a function generated for it, so V8 gives them one hidden class;
// - a member of an array element that is the very same object as that member of the
//   previous element is written as T_SAME (one byte), so sharing survives the round
//   trip; a general identity table was tried and cost more than it saved: it must
//   remember every object, and nearly all are unique;
// - values are a tag byte plus a varint (integers zigzagged, strings and shapes by index).
// `undefined` members are kept (T_UNDEF), so an object comes back with the keys, in the
// order, it had: a projection that gives its objects one shape gets that shape back.
//
// Layout: u8 SNAPSHOT_LAYOUT | nStrings | char length of each | byte length of the block |
// UTF-8 block | nShapes | per shape: nKeys, key string indexes | root value.

const SNAPSHOT_LAYOUT = 2;

const T_NULL = 0, T_FALSE = 1, T_TRUE = 2, T_INT = 3, T_FLOAT = 4, T_STR = 5, T_ARR = 6, T_OBJ = 7, T_BIN = 8, T_UNDEF = 9, T_SAME = 10;

class ByteSink {
  buf = Buffer.allocUnsafe(1 << 20);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }
}

/** Per member: string values looked up, and how many were new (see memberString). */
interface StringSample {
  looked: number[];
  fresh: number[];
}

/** A node of the shape trie: the key list read so far; `id` once some object ends here. */
interface ShapeNode extends StringSample {
  id: number;
  keys: string[];
  next: Map<string, ShapeNode> | undefined;
  /** The child taken last: objects of one shape come in runs, so this nearly always hits. */
  lastKey: string | undefined;
  lastChild: ShapeNode | undefined;
}

/** Members whose strings are sampled this many times before their kind is judged. */
const STRING_SAMPLE = 256;

/**
 * Walks a value once, interning strings and shapes as it writes the value section.
 * Shapes are found by walking a trie with the object's keys (no key list or signature
 * string built per object).
 */
class SnapshotEncoder {
  /** The string table, in index order (a string may appear twice: see memberString). */
  readonly table: string[] = [];
  private readonly strings = new Map<string, number>();
  readonly shapes: ShapeNode[] = [];
  readonly out = new ByteSink();
  private readonly root: ShapeNode = newShapeNode([]);

  value(v: unknown): void {
    const o = this.out;
    switch (typeof v) {
      case 'string': o.byte(T_STR); o.varint(this.str(v)); return;
      case 'boolean': o.byte(v ? T_TRUE : T_FALSE); return;
      case 'number':
        // Zigzag doubles the magnitude: only below 2^52 is it still exact (a double holds
        // integers to 2^53); larger integers are stored as floats, which are exact.
        if (Number.isInteger(v) && Math.abs(v) < 2 ** 52) { o.byte(T_INT); o.varint(v >= 0 ? v * 2 : -v * 2 - 1); return; }
        o.byte(T_FLOAT); o.ensure(8); o.buf.writeDoubleLE(v, o.pos); o.pos += 8; return;
      case 'undefined': o.byte(T_UNDEF); return;
      case 'object':
        if (v === null) { o.byte(T_NULL); return; }
        if (v instanceof Uint8Array) { o.byte(T_BIN); o.varint(v.length); o.ensure(v.length); o.buf.set(v, o.pos); o.pos += v.length; return; }
        if (Array.isArray(v)) { this.array(v); return; }
        if (v instanceof Map || v instanceof Set) throw new TypeError('snapshot: Map and Set are not plain data; toSnapshot should return arrays');
        this.object(v as Record<string, unknown>, undefined);
        return;
      default:
        throw new TypeError(`snapshot: cannot store a ${typeof v}`);
    }
  }

  private array(v: unknown[]): void {
    this.out.byte(T_ARR);
    this.out.varint(v.length);
    let prev: Record<string, unknown> | undefined;
    // The array's strings are sampled as one member (see memberString): keys of a
    // projection's Map are unique, like its objects' names.
    const strings: StringSample = { looked: [], fresh: [] };
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'string') {
        this.memberString(strings, 0, x);
        prev = undefined;
      } else if (typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array)) {
        if (x instanceof Map || x instanceof Set) throw new TypeError('snapshot: Map and Set are not plain data; toSnapshot should return arrays');
        this.object(x as Record<string, unknown>, prev);
        prev = x as Record<string, unknown>;
      } else {
        this.value(x);
        prev = undefined;
      }
    }
  }

  /** An object; `prev` is the array element before it, whose shared members it may point at. */
  private object(v: Record<string, unknown>, prev: Record<string, unknown> | undefined): void {
    let node = this.root;
    for (const k in v) node = this.child(node, k);
    if (node.id < 0) {
      node.id = this.shapes.length;
      this.shapes.push(node);
      for (const k of node.keys) this.str(k);
    }
    this.out.byte(T_OBJ);
    this.out.varint(node.id);
    let i = 0;
    for (const k in v) {
      const x = v[k];
      if (typeof x === 'string') this.memberString(node, i, x);
      else if (prev !== undefined && typeof x === 'object' && x !== null && prev[k] === x) this.out.byte(T_SAME);
      else this.value(x);
      i++;
    }
  }

  /**
   * A string member. Some members are unique per object (pod names, IPs): looking each
   * up in the string table only grows the table's hash map, which was the encoder's
   * main cost. After a sample, a member whose strings were nearly all new appends them
   * to the table without a lookup (a rare repeat is stored twice; the reader cannot
   * tell). The choice depends only on the data, so encoding stays deterministic.
   */
  private memberString(sample: StringSample, i: number, x: string): void {
    const looked = sample.looked[i] ?? 0;
    let id: number;
    if (looked >= STRING_SAMPLE && sample.fresh[i]! * 8 > looked * 7) {
      id = this.table.length;
      this.table.push(x);
    } else {
      const before = this.table.length;
      id = this.str(x);
      sample.looked[i] = looked + 1;
      sample.fresh[i] = (sample.fresh[i] ?? 0) + (this.table.length > before ? 1 : 0);
    }
    this.out.byte(T_STR);
    this.out.varint(id);
  }

  private child(node: ShapeNode, k: string): ShapeNode {
    if (node.lastKey === k) return node.lastChild!;
    node.lastKey = k;
    node.lastChild = this.childByKey(node, k);
    return node.lastChild;
  }

  private childByKey(node: ShapeNode, k: string): ShapeNode {
    node.next ??= new Map();
    let c = node.next.get(k);
    if (!c) node.next.set(k, (c = newShapeNode([...node.keys, k])));
    return c;
  }

  str(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) {
      id = this.table.length;
      this.strings.set(s, id);
      this.table.push(s);
    }
    return id;
  }
}

function newShapeNode(keys: string[]): ShapeNode {
  return { id: -1, keys, next: undefined, lastKey: undefined, lastChild: undefined, looked: [], fresh: [] };
}

/** Encode plain data as a snapshot body. */
export function encodeSnapshot(value: unknown): Buffer {
  const enc = new SnapshotEncoder();
  enc.value(value);
  const head = new ByteSink();
  head.byte(SNAPSHOT_LAYOUT);
  head.varint(enc.table.length);
  for (const s of enc.table) head.varint(s.length);
  const block = Buffer.from(enc.table.join(''), 'utf8');
  head.varint(block.length);
  head.ensure(block.length);
  block.copy(head.buf, head.pos);
  head.pos += block.length;
  head.varint(enc.shapes.length);
  for (const { keys } of enc.shapes) {
    head.varint(keys.length);
    for (const k of keys) head.varint(enc.str(k));
  }
  return Buffer.concat([head.buf.subarray(0, head.pos), enc.out.buf.subarray(0, enc.out.pos)]);
}

/** Builds one object of a shape; `p` is the previous array element (for T_SAME members). */
type Build = (r: SnapshotDecoder, p: Record<string, unknown> | undefined) => Record<string, unknown>;

/** Shape builders by key list, shared by every decode: projections have few shapes. */
const builders = new Map<string, Build>();

function builderFor(keys: readonly string[]): Build {
  const sig = JSON.stringify(keys);
  let b = builders.get(sig);
  if (!b) {
    if (keys.includes('__proto__')) {
      b = (r, p) => { const o: Record<string, unknown> = {}; for (const k of keys) Object.defineProperty(o, k, { value: r.member(p, k), enumerable: true, writable: true, configurable: true }); return o; };
    } else {
      // One object literal per shape: V8 builds every object of it with one hidden class.
      // Members that are strings (index up to 3 varint bytes), small integers, undefined
      // or the previous element's (T_SAME), nearly all of them, are read inline;
      // anything else, or anything odd, goes through member().
      const read = (k: string, j: number) => {
        const key = JSON.stringify(k);
        const slow = `{ r.pos = pos; v${j} = r.member(p, ${key}); pos = r.pos; }`;
        return `t = b[pos]; n = 0;
  if (t === ${T_STR} || t === ${T_INT}) {
    c = b[pos + 1];
    if (c < 128) { i = c; n = 2; }
    else { d = b[pos + 2]; if (d < 128) { i = (c & 127) | (d << 7); n = 3; } else { e = b[pos + 3]; if (e < 128) { i = (c & 127) | ((d & 127) << 7) | (e << 14); n = 4; } } }
  }
  if (t === ${T_STR} && n !== 0 && (v${j} = S[i]) !== undefined) pos += n;
  else if (t === ${T_INT} && n !== 0) { v${j} = i % 2 === 0 ? i / 2 : -(i + 1) / 2; pos += n; }
  else if (t === ${T_UNDEF}) { v${j} = undefined; pos++; }
  else if (t === ${T_SAME} && p !== undefined && Object.hasOwn(p, ${key})) { v${j} = p[${key}]; pos++; }
  else ${slow}`;
      };
      const vars = keys.map((_, j) => `, v${j}`).join('');
      b = new Function('r', 'p', `const b = r.buf, S = r.strings; let pos = r.pos, t, c, d, e, i, n${vars};
  ${keys.map(read).join('\n  ')}
  r.pos = pos;
  return {${keys.map((k, j) => `${JSON.stringify(k)}: v${j}`).join(', ')}};`) as Build;
    }
    builders.set(sig, b);
  }
  return b;
}

class SnapshotDecoder {
  // Read directly by the shape builders (builderFor).
  readonly buf: Uint8Array;
  pos = 0;
  strings: string[] = [];
  private shapes: Build[] = [];

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  header(): void {
    if (this.buf[this.pos++] !== SNAPSHOT_LAYOUT) throw new Error('snapshot: unknown layout');
    const n = this.varint();
    const lengths = new Array<number>(n);
    for (let i = 0; i < n; i++) lengths[i] = this.varint();
    const bytes = this.varint();
    if (this.pos + bytes > this.buf.length) throw new Error('snapshot: truncated string block');
    const text = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, bytes).toString('utf8');
    this.pos += bytes;
    this.strings = new Array<string>(n);
    let at = 0;
    for (let i = 0; i < n; i++) { const len = lengths[i]!; this.strings[i] = text.substring(at, at + len); at += len; }
    if (at !== text.length) throw new Error('snapshot: string block does not match its lengths');
    const nShapes = this.varint();
    this.shapes = new Array<Build>(nShapes);
    for (let i = 0; i < nShapes; i++) {
      const keys = new Array<string>(this.varint());
      for (let k = 0; k < keys.length; k++) keys[k] = this.str(this.varint());
      this.shapes[i] = builderFor(keys);
    }
  }

  value(): unknown {
    const tag = this.buf[this.pos++];
    switch (tag) {
      case T_STR: return this.str(this.varint());
      case T_INT: { const z = this.varint(); return z % 2 === 0 ? z / 2 : -(z + 1) / 2; }
      case T_OBJ: return this.object(undefined);
      case T_ARR: {
        const n = this.varint();
        if (n > this.buf.length - this.pos) throw new Error('snapshot: truncated array');
        const a = new Array<unknown>(n);
        let prev: Record<string, unknown> | undefined;
        for (let i = 0; i < n; i++) {
          if (this.buf[this.pos] === T_OBJ) { this.pos++; a[i] = prev = this.object(prev); } else { a[i] = this.value(); prev = undefined; }
        }
        return a;
      }
      case T_UNDEF: return undefined;
      case T_NULL: return null;
      case T_FALSE: return false;
      case T_TRUE: return true;
      case T_FLOAT: { const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 8).readDoubleLE(0); this.pos += 8; return v; }
      case T_BIN: { const n = this.varint(); this.pos += n; return this.buf.slice(this.pos - n, this.pos); }
      default: throw new Error(`snapshot: bad tag ${tag} at ${this.pos - 1}`);
    }
  }

  /** An object (its tag already read) after `prev`, the array element before it. */
  private object(prev: Record<string, unknown> | undefined): Record<string, unknown> {
    const b = this.shapes[this.varint()];
    if (!b) throw new Error('snapshot: unknown shape');
    return b(this, prev);
  }

  /** Member `k` of an object: its value, or the previous element's (T_SAME). */
  member(prev: Record<string, unknown> | undefined, k: string): unknown {
    if (this.buf[this.pos] !== T_SAME) return this.value();
    this.pos++;
    if (prev === undefined || !Object.hasOwn(prev, k)) throw new Error('snapshot: T_SAME without a previous element');
    return prev[k];
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new Error('snapshot: trailing bytes');
  }

  private str(i: number): string {
    const s = this.strings[i];
    if (s === undefined) throw new Error('snapshot: string index out of range');
    return s;
  }

  private varint(): number {
    const b = this.buf;
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= b.length) throw new Error('snapshot: truncated');
      const c = b[this.pos++]!;
      v += (c & 0x7f) * mul;
      if (c < 0x80) return v;
      mul *= 0x80;
    }
  }
}

/** Decode a snapshot body. Throws on any malformed input (the caller then ignores the snapshot). */
export function decodeSnapshot(body: Uint8Array): unknown {
  const d = new SnapshotDecoder(body);
  d.header();
  const v = d.value();
  d.end();
  return v;
}
