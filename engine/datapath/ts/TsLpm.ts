// IPv4 longest prefix match, TypeScript backend. The same layouts as assembly/lpm/
// (inline lists in the table descriptor, 8-8-8-8 "narrow", 16-8-8 "wide" and DIR-24-8
// tries with leaf pushing and a DIR-24-8 root shadow, derived tables as overlays on a
// base), over typed arrays so nothing is allocated per packet. See assembly/lpm/layout.ts
// for the design notes.
//
// A leaf is two words at an even word offset w of the pool: pool[w] is 0 (empty), odd
// (terminal: bits 1..6 = prefix length) or the word offset of the next ply; pool[w + 1]
// is the route value of a terminal. A descriptor is 32 words at t * 32 of desc, laid
// out as assembly/lpm/layout.ts's D_* offsets.
import { LPM_MISS, LPM_MAX_TABLES, VEC_MAX } from '../../../assembly/shared/vector.js';
import { LPM_ROOT_INLINE, LPM_ROOT_WIDE, LPM_ROOT_DIR24, LPM_INLINE_MAX, LPM_DESC_BYTES,
  LPM_SHADOW_VALUE_SHIFT, LPM_SHADOW_ROOT,
  LPM_OWNER_MANY } from '../../../assembly/shared/lpm.js';
import type { PacketVector } from '../PacketVector.js';
import type { LpmKernel } from '../LpmRouteStore.js';
import { TsLpmOwners } from './TsLpmOwners.js';
import { TsLpmShadows } from './TsLpmShadows.js';

const PLY_SLOTS = 256;
const PLY_WORDS = 512;
const WIDE_WORDS = PLY_WORDS << 8;
const DIR24_WORDS = PLY_WORDS << 16;
const NO_COVER = 0xffffffff;
/** The largest terminal low word, (32 << 1) | 1: a ply's offset is larger (the pool's first ply is unused). */
const TERMINAL_MAX = (32 << 1) | 1;
/** A leaf's low word names a ply (not empty, not a terminal). */
const isPly = (lo: number): boolean => lo > TERMINAL_MAX;
const DESC_WORDS = LPM_DESC_BYTES / 4;
const DESC_SHIFT = 5; // log2(DESC_WORDS)
// Descriptor word offsets (assembly/lpm/layout.ts D_* / 4).
const D_ROOT = 0;
const D_BITS = 1;
const D_BASE = 2;
const D_COUNT = 3;
const D_VALUE = 4;
const D_LIVE = 12;
const D_PREFIX = 16;
const D_MASK = 24;

/** Network mask of a prefix length, unsigned. */
const maskOf = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** The LPM kernel over typed arrays. */
export class TsLpm implements LpmKernel {
  private pool = new Uint32Array(PLY_WORDS * 64);
  private top = PLY_WORDS; // word 0 stays unused so a ply offset is never 0
  private freePlies: number[] = [];
  private freeWide: number[] = [];
  private freeDir24: number[] = [];
  private plyCount = 0;
  private wideCount = 0;
  private dir24Count = 0;
  private tableCount = 0;
  /** Per table id, DESC_WORDS words; table 0 stays all zero ("no table", "no base"). */
  private readonly desc = new Uint32Array(LPM_MAX_TABLES * DESC_WORDS);
  /** Route value of the leaf the last leafOf call returned (a second return value without an allocation). */
  private hi = 0;
  /** Pass 1 of lookupTrie: each packet's first-level leaf (word offset and low word). */
  private readonly firstW = new Uint32Array(VEC_MAX);
  /** Root shadows of DIR-24-8 tables. */
  private readonly shadows = new TsLpmShadows();
  private readonly firstLo = new Uint32Array(VEC_MAX);
  /** Per table id, its base table (0: not derived), so the per-packet loop need not read the descriptor. */
  private readonly baseOf = new Uint16Array(LPM_MAX_TABLES);
  /** Overlay owner indexes of base tables. */
  private readonly own = new TsLpmOwners();

  private reserve(words: number): number {
    const at = this.top;
    if (at + words > this.pool.length) {
      let len = this.pool.length * 2;
      while (at + words > len) len *= 2;
      const next = new Uint32Array(len);
      next.set(this.pool);
      this.pool = next;
    }
    this.top = at + words;
    return at;
  }

  private allocPly(lo: number, hi: number): number {
    const p = this.freePlies.pop() ?? this.reserve(PLY_WORDS);
    const pool = this.pool;
    for (let w = p; w < p + PLY_WORDS; w += 2) { pool[w] = lo; pool[w + 1] = hi; }
    this.plyCount++;
    return p;
  }

  private freePly(p: number): void {
    this.freePlies.push(p);
    this.plyCount--;
  }

  tableInit(t: number, rootBits: number, base: number): void {
    let root = 0;
    if (rootBits === LPM_ROOT_DIR24) {
      root = this.freeDir24.pop() ?? this.reserve(DIR24_WORDS);
      this.pool.fill(0, root, root + DIR24_WORDS);
      this.dir24Count++;
      this.shadows.create(t);
    } else if (rootBits === LPM_ROOT_WIDE) {
      root = this.freeWide.pop() ?? this.reserve(WIDE_WORDS);
      this.pool.fill(0, root, root + WIDE_WORDS);
      this.wideCount++;
    } else if (rootBits !== LPM_ROOT_INLINE) {
      root = this.allocPly(0, 0);
    }
    const d = this.desc, o = t << DESC_SHIFT;
    d.fill(0, o, o + DESC_WORDS);
    d[o + D_ROOT] = root; d[o + D_BITS] = rootBits; d[o + D_BASE] = base; d[o + D_LIVE] = 1;
    this.baseOf[t] = base;
    this.tableCount++;
  }

  private freeChildren(p: number, slots: number): void {
    for (let s = 0; s < slots; s++) {
      const lo = this.pool[p + s * 2]!;
      if (isPly(lo)) { this.freeChildren(lo, PLY_SLOTS); this.freePly(lo); }
    }
  }

  tableFree(t: number): void {
    const d = this.desc, o = t << DESC_SHIFT;
    if (d[o + D_LIVE] === 0) return;
    const root = d[o + D_ROOT]!, bits = d[o + D_BITS]!;
    if (root !== 0) {
      this.freeChildren(root, 1 << bits);
      if (bits === LPM_ROOT_DIR24) { this.freeDir24.push(root); this.dir24Count--; this.shadows.delete(t); }
      else if (bits === LPM_ROOT_WIDE) { this.freeWide.push(root); this.wideCount--; }
      else this.freePly(root);
    }
    d.fill(0, o, o + DESC_WORDS);
    this.baseOf[t] = 0;
    this.tableCount--;
  }

  ownerSet(base: number, slot: number, bits: number, owner: number): void {
    this.own.set(base, slot, bits, owner);
  }

  ownerDrop(base: number): void {
    this.own.drop(base);
  }

  /** Add or replace a route of an inline table, keeping the list longest first (masks compare as lengths do). */
  private inlineInsert(o: number, prefix: number, len: number, value: number): void {
    const d = this.desc, n = d[o + D_COUNT]!, mask = maskOf(len);
    for (let j = 0; j < n; j++) {
      if (d[o + D_PREFIX + j] === prefix && d[o + D_MASK + j] === mask) { d[o + D_VALUE + j] = value; return; }
    }
    if (n >= LPM_INLINE_MAX) return; // unreachable: the control plane spills the table first
    let j = n;
    for (; j > 0 && d[o + D_MASK + j - 1]! < mask; j--) {
      d[o + D_PREFIX + j] = d[o + D_PREFIX + j - 1]!;
      d[o + D_MASK + j] = d[o + D_MASK + j - 1]!;
      d[o + D_VALUE + j] = d[o + D_VALUE + j - 1]!;
    }
    d[o + D_PREFIX + j] = prefix; d[o + D_MASK + j] = mask; d[o + D_VALUE + j] = value;
    d[o + D_COUNT] = n + 1;
  }

  /** Remove a route of an inline table; the list holds every route, so no cover is needed. */
  private inlineRemove(o: number, prefix: number, len: number): void {
    const d = this.desc, n = d[o + D_COUNT]!, mask = maskOf(len);
    let j = 0;
    while (j < n && !(d[o + D_PREFIX + j] === prefix && d[o + D_MASK + j] === mask)) j++;
    if (j === n) return;
    for (; j + 1 < n; j++) {
      d[o + D_PREFIX + j] = d[o + D_PREFIX + j + 1]!;
      d[o + D_MASK + j] = d[o + D_MASK + j + 1]!;
      d[o + D_VALUE + j] = d[o + D_VALUE + j + 1]!;
    }
    d[o + D_PREFIX + n - 1] = 0; d[o + D_MASK + n - 1] = 0; d[o + D_VALUE + n - 1] = 0;
    d[o + D_COUNT] = n - 1;
  }

  private setRange(p: number, first: number, count: number, len: number, lo: number, hi: number): void {
    const pool = this.pool;
    for (let s = first; s < first + count; s++) {
      const w = p + s * 2;
      const cur = pool[w]!;
      if (isPly(cur)) { this.setRange(cur, 0, PLY_SLOTS, len, lo, hi); continue; }
      if (cur !== 0 && ((cur >>> 1) & 63) > len) continue;
      pool[w] = lo; pool[w + 1] = hi;
    }
  }

  insert(t: number, prefix: number, len: number, value: number): void {
    const o = t << DESC_SHIFT;
    let p = this.desc[o + D_ROOT]!;
    if (p === 0) { this.inlineInsert(o, prefix, len, value); return; }
    this.shadows.touch(t, prefix, len);
    let stride = this.desc[o + D_BITS]!;
    let end = stride;
    const lo = (len << 1) | 1;
    for (;;) {
      const idx = (prefix >>> (32 - end)) & ((1 << stride) - 1);
      if (len <= end) {
        const span = end - len;
        this.setRange(p, (idx >>> span) << span, 1 << span, len, lo, value);
        return;
      }
      const w = p + idx * 2;
      const cur = this.pool[w]!;
      if (isPly(cur)) {
        p = cur;
      } else {
        const c = this.allocPly(cur, this.pool[w + 1]!); // may grow the pool: index it afresh
        this.pool[w] = c; this.pool[w + 1] = 0;
        p = c;
      }
      stride = 8;
      end += 8;
    }
  }

  private replaceRange(p: number, first: number, count: number, len: number, lo: number, hi: number, childStart: number): void {
    for (let s = first; s < first + count; s++) {
      const w = p + s * 2;
      const cur = this.pool[w]!;
      if (isPly(cur)) {
        this.replaceRange(cur, 0, PLY_SLOTS, len, lo, hi, childStart + 8);
        this.collapse(w, cur, childStart);
        continue;
      }
      if (cur !== 0 && ((cur >>> 1) & 63) === len) { this.pool[w] = lo; this.pool[w + 1] = hi; }
    }
  }

  private collapse(w: number, c: number, childStart: number): void {
    const pool = this.pool;
    const lo = pool[c]!, hi = pool[c + 1]!;
    if (isPly(lo)) return;
    if (lo !== 0 && ((lo >>> 1) & 63) > childStart) return;
    for (let x = c + 2; x < c + PLY_WORDS; x += 2) if (pool[x] !== lo || pool[x + 1] !== hi) return;
    pool[w] = lo; pool[w + 1] = hi;
    this.freePly(c);
  }

  remove(t: number, prefix: number, len: number, coverLen: number, coverValue: number): void {
    const o = t << DESC_SHIFT;
    if (this.desc[o + D_ROOT] === 0) { this.inlineRemove(o, prefix, len); return; }
    this.shadows.touch(t, prefix, len);
    const rootBits = this.desc[o + D_BITS]!;
    const lo = coverLen === NO_COVER ? 0 : (coverLen << 1) | 1;
    const hi = coverLen === NO_COVER ? 0 : coverValue;
    const pathSlot: number[] = [];
    const pathPly: number[] = [];
    let p = this.desc[o + D_ROOT]!;
    let stride = rootBits;
    let end = stride;
    for (;;) {
      const idx = (prefix >>> (32 - end)) & ((1 << stride) - 1);
      if (len <= end) {
        const span = end - len;
        this.replaceRange(p, (idx >>> span) << span, 1 << span, len, lo, hi, end);
        break;
      }
      const w = p + idx * 2;
      const cur = this.pool[w]!;
      if (cur === 0 || (cur & 1) === 1) return;
      pathSlot.push(w);
      pathPly.push(cur);
      p = cur;
      stride = 8;
      end += 8;
    }
    for (let k = pathSlot.length - 1; k >= 0; k--) {
      const w = pathSlot[k]!, c = pathPly[k]!;
      if (this.pool[w] !== c) break;
      this.collapse(w, c, rootBits + k * 8);
      const now = this.pool[w]!;
      if (isPly(now)) break;
    }
  }

  /** A trie's leaf for dst from its root (shift: 32 - root bits): the low word; this.hi gets the value. */
  private walk(root: number, shift: number, dst: number): number {
    const pool = this.pool;
    let w = root + (dst >>> shift) * 2;
    let lo = pool[w]!;
    while (isPly(lo)) { shift -= 8; w = lo + ((dst >>> shift) & 255) * 2; lo = pool[w]!; }
    this.hi = pool[w + 1]!;
    return lo;
  }

  /**
   * The leaf of one table for dst: its low word returned (0: no match), its value left
   * in this.hi. A trie walk (one load per ply) or a scan of the inline list shortest
   * first, so the longest match is the last one kept.
   */
  private leafOf(o: number, dst: number): number {
    const d = this.desc;
    const root = d[o + D_ROOT]!;
    if (root !== 0) return this.walk(root, 32 - d[o + D_BITS]!, dst);
    let lo = 0, hi = 0;
    for (let j = d[o + D_COUNT]! - 1; j >= 0; j--) {
      const mask = d[o + D_MASK + j]!;
      if (((dst ^ d[o + D_PREFIX + j]!) & mask) === 0) { lo = (Math.clz32(~mask) << 1) | 1; hi = d[o + D_VALUE + j]!; }
    }
    this.hi = hi;
    return lo;
  }

  /**
   * Batched lookup, same contract and same shape as assembly/lpm/lookup.ts lpmLookup: a vector
   * of one large table in two passes (pass 1 gathers first-level leaves so the misses
   * overlap), any other vector one pass per packet (a derived table: its base, read once
   * per run of packets on one base, then its overlay only where the owner index says so).
   */
  lookup(v: PacketVector, n: number): void {
    const desc = this.desc, table = v.table, dstIp = v.dstIp, result = v.result, result2 = v.result2;
    if (this.shadows.dirty) this.shadows.flush(this.pool, (t) => this.desc[(t << DESC_SHIFT) + D_ROOT]!);
    if (n > 0) { // a non-derived trie for packet 0: try the one-table path, which checks the rest in its pass 1
      const t = table[0]!;
      const o = t < LPM_MAX_TABLES ? t << DESC_SHIFT : 0;
      if (desc[o + D_ROOT] !== 0 && desc[o + D_BASE] === 0 && this.lookupTrie(v, n, t, desc[o + D_ROOT]!, desc[o + D_BITS]!)) return;
    }
    const baseOf = this.baseOf, owners = this.own.owners;
    for (let i = 0; i < n;) {
      const dst = dstIp[i]!, t0 = table[i]!;
      const t = t0 < LPM_MAX_TABLES ? t0 : 0; // table 0: all zero, a miss
      const base = baseOf[t]!;
      const index = this.own.index[base]; // none for 0
      if (index && desc[(base << DESC_SHIFT) + D_BITS] === LPM_ROOT_WIDE) { i = this.lookupDerived(v, i, n, base, index); continue; }
      // Not derived (the same for a whole vector of one table: predicted), or on a base
      // without overlay owners or with another layout (a tiny cluster's inline list): one packet.
      let lo = this.leafOf((base === 0 ? t : base) << DESC_SHIFT, dst), hi = this.hi;
      if (base !== 0) {
        const own = index ? owners[index[dst >>> 16]! + ((dst >>> 8) & 255)]! : LPM_OWNER_MANY; // no index: every overlay is read
        if (own === t || own === LPM_OWNER_MANY) { // t has a route in dst's /24, or may have: its overlay too
          const olo = this.leafOf(t << DESC_SHIFT, dst);
          if (olo >= lo) { lo = olo; hi = this.hi; } // (len << 1) | 1 vs 0: the longer wins, the overlay a tie
        }
      }
      result[i] = hi;
      result2[i] = lo === 0 ? LPM_MISS : lo >>> 1;
      i++;
    }
  }

  /**
   * lookup's packets from i on while their tables derive from `base`, a 16-8-8 trie with
   * an owner index (a cluster's base); returns the first packet it left. As the WASM
   * kernel's lookupDerived: the base's root and index in locals, a constant root shift.
   */
  private lookupDerived(v: PacketVector, i: number, n: number, base: number, index: Uint32Array): number {
    const owners = this.own.owners, baseOf = this.baseOf, table = v.table, dstIp = v.dstIp, result = v.result, result2 = v.result2;
    const pool = this.pool, root = this.desc[(base << DESC_SHIFT) + D_ROOT]!;
    for (; i < n; i++) {
      const t = table[i]!;
      if (t >= LPM_MAX_TABLES || baseOf[t] !== base) break;
      const dst = dstIp[i]!;
      // One ply step (a destination the root answers reads its root slot again), as the kernel does.
      const at = root + (dst >>> 16) * 2;
      const first = pool[at]!;
      const w = isPly(first) ? first + ((dst >>> 8) & 255) * 2 : at;
      let lo = pool[w]!, hi = pool[w + 1]!;
      if (isPly(lo)) { lo = this.walk(lo, 0, dst & 255); hi = this.hi; } // a /25 or longer in the base: its third ply, by the last byte
      // The owner check of lookup's one-packet path, written out again: as a shared method
      // (returning the low word, the value through this.hi) per-node TS was x0.81.
      const own = owners[index[dst >>> 16]! + ((dst >>> 8) & 255)]!;
      if (own === t || own === LPM_OWNER_MANY) { // t has a route in dst's /24, or may have: its overlay too
        const olo = this.leafOf(t << DESC_SHIFT, dst);
        if (olo >= lo) { lo = olo; hi = this.hi; } // the longer wins, the overlay a tie
      }
      result[i] = hi;
      result2[i] = lo === 0 ? LPM_MISS : lo >>> 1;
    }
    return i;
  }

  /**
   * lookup for a vector when packet 0 names a trie that is not derived: pass 1 gathers
   * first-level words (a DIR-24-8 table's from its root shadow) and checks that every
   * packet names that table; false, with nothing written, when one does not. Pass 2 finishes.
   */
  private lookupTrie(v: PacketVector, n: number, t: number, root: number, bits: number): boolean {
    const pool = this.pool, firstW = this.firstW, firstLo = this.firstLo, dstIp = v.dstIp, table = v.table, shift = 32 - bits;
    const result = v.result, result2 = v.result2;
    let other = 0;
    if (bits === LPM_ROOT_DIR24) {
      const words = this.shadows.words(t);
      for (let i = 0; i < n; i++) { other |= table[i]! ^ t; firstLo[i] = words[dstIp[i]! >>> 8]!; }
      if (other !== 0) return false;
      for (let i = 0; i < n; i++) {
        const w = firstLo[i]!;
        if (w === LPM_SHADOW_ROOT) { // a ply or a big value: the root has it
          const lo = this.leafOf(t << DESC_SHIFT, dstIp[i]!);
          result[i] = this.hi;
          result2[i] = lo === 0 ? LPM_MISS : lo >>> 1;
          continue;
        }
        result[i] = w >>> LPM_SHADOW_VALUE_SHIFT;
        result2[i] = w === 0 ? LPM_MISS : (w >>> 1) & 63;
      }
      return true;
    }
    for (let i = 0; i < n; i++) {
      other |= table[i]! ^ t;
      const w = root + (dstIp[i]! >>> shift) * 2;
      firstW[i] = w;
      firstLo[i] = pool[w]!;
    }
    if (other !== 0) return false;
    for (let i = 0; i < n; i++) {
      let w = firstW[i]!, lo = firstLo[i]!;
      if (isPly(lo)) {
        const dst = dstIp[i]!;
        let sh = shift;
        while (isPly(lo)) { sh -= 8; w = lo + ((dst >>> sh) & 255) * 2; lo = pool[w]!; }
      }
      result[i] = pool[w + 1]!;
      result2[i] = lo === 0 ? LPM_MISS : lo >>> 1;
    }
    return true;
  }

  /** Datapath.lpmFloor: one load per packet from an array of 2^bits bytes. */
  floor(v: PacketVector, n: number, bits: number): void {
    let a = this.floors[bits];
    if (!a) { a = new Uint32Array(2 ** (bits - 2)).fill(0x01010101); this.floors[bits] = a; } // as the WASM kernel's memory.fill(1)
    const dst = v.dstIp, result = v.result, shift = 34 - bits;
    for (let i = 0; i < n; i++) result[i] = a[dst[i]! >>> shift]!;
  }
  private readonly floors: Uint32Array[] = [];

  bytes(): number {
    return this.tableCount * LPM_DESC_BYTES + this.plyCount * PLY_WORDS * 4 + this.wideCount * WIDE_WORDS * 4
      + this.dir24Count * DIR24_WORDS * 4 + this.shadows.bytes()
      + this.own.bytes();
  }
}
