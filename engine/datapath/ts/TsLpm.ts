// IPv4 longest prefix match, TypeScript backend. Same multibit trie as assembly/lpm.ts
// (16-8-8 "wide" or 8-8-8-8 "narrow" strides, leaf pushing, derived tables as overlays
// on a base), over one growable Uint32Array so nothing is allocated per packet. See
// that file for the design notes.
//
// A leaf is two words at an even word offset w: pool[w] is 0 (empty), odd (terminal:
// bits 1..6 = prefix length) or the word offset of the next ply; pool[w + 1] is the
// route value of a terminal.
import { LPM_MISS, LPM_MAX_TABLES } from '../../../assembly/shared/vector.js';
import type { PacketVector } from '../PacketVector.js';
import type { LpmKernel } from '../LpmRouteStore.js';

const PLY_SLOTS = 256;
const PLY_WORDS = 512;
const WIDE_WORDS = PLY_WORDS * 256;
const NO_COVER = 0xffffffff;

/** The LPM kernel over typed arrays. */
export class TsLpm implements LpmKernel {
  private pool = new Uint32Array(PLY_WORDS * 64);
  private top = PLY_WORDS; // word 0 stays unused so a ply offset is never 0
  private freePlies: number[] = [];
  private freeWide: number[] = [];
  private plyCount = 0;
  private wideCount = 0;
  /** Per table: root offset, root bits, base root offset, base root bits. */
  private readonly desc = new Uint32Array(LPM_MAX_TABLES * 4);

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
    let root: number;
    if (rootBits === 16) {
      root = this.freeWide.pop() ?? this.reserve(WIDE_WORDS);
      this.pool.fill(0, root, root + WIDE_WORDS);
      this.wideCount++;
    } else {
      root = this.allocPly(0, 0);
    }
    const d = this.desc, o = t * 4;
    d[o] = root; d[o + 1] = rootBits;
    d[o + 2] = base !== 0 ? d[base * 4]! : 0;
    d[o + 3] = base !== 0 ? d[base * 4 + 1]! : 0;
  }

  private freeChildren(p: number, slots: number): void {
    for (let s = 0; s < slots; s++) {
      const lo = this.pool[p + s * 2]!;
      if (lo !== 0 && (lo & 1) === 0) { this.freeChildren(lo, PLY_SLOTS); this.freePly(lo); }
    }
  }

  tableFree(t: number): void {
    const d = this.desc, o = t * 4;
    const root = d[o]!;
    if (root === 0) return;
    const bits = d[o + 1]!;
    this.freeChildren(root, 1 << bits);
    if (bits === 16) { this.freeWide.push(root); this.wideCount--; } else this.freePly(root);
    d.fill(0, o, o + 4);
  }

  private setRange(p: number, first: number, count: number, len: number, lo: number, hi: number): void {
    const pool = this.pool;
    for (let s = first; s < first + count; s++) {
      const w = p + s * 2;
      const cur = pool[w]!;
      if (cur !== 0 && (cur & 1) === 0) { this.setRange(cur, 0, PLY_SLOTS, len, lo, hi); continue; }
      if (cur !== 0 && ((cur >>> 1) & 63) > len) continue;
      pool[w] = lo; pool[w + 1] = hi;
    }
  }

  insert(t: number, prefix: number, len: number, value: number): void {
    let p = this.desc[t * 4]!;
    let stride = this.desc[t * 4 + 1]!;
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
      if (cur !== 0 && (cur & 1) === 0) {
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
      if (cur !== 0 && (cur & 1) === 0) {
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
    if (lo !== 0 && (lo & 1) === 0) return;
    if (lo !== 0 && ((lo >>> 1) & 63) > childStart) return;
    for (let x = c + 2; x < c + PLY_WORDS; x += 2) if (pool[x] !== lo || pool[x + 1] !== hi) return;
    pool[w] = lo; pool[w + 1] = hi;
    this.freePly(c);
  }

  remove(t: number, prefix: number, len: number, coverLen: number, coverValue: number): void {
    const rootBits = this.desc[t * 4 + 1]!;
    const lo = coverLen === NO_COVER ? 0 : (coverLen << 1) | 1;
    const hi = coverLen === NO_COVER ? 0 : coverValue;
    const pathSlot: number[] = [];
    const pathPly: number[] = [];
    let p = this.desc[t * 4]!;
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
      if (now !== 0 && (now & 1) === 0) break;
    }
  }

  /** Batched lookup, same contract as assembly/lpm.ts lpmLookup. */
  lookup(v: PacketVector, n: number): void {
    const pool = this.pool, desc = this.desc;
    const table = v.table, dstIp = v.dstIp, result = v.result, result2 = v.result2;
    for (let i = 0; i < n; i++) {
      const t = table[i]!, dst = dstIp[i]!;
      let lo = 0, hi = 0;
      if (t < LPM_MAX_TABLES && desc[t * 4] !== 0) {
        const o = t * 4;
        let bits = desc[o + 1]!;
        let w = desc[o]! + (dst >>> (32 - bits)) * 2;
        lo = pool[w]!;
        let shift = 32 - bits;
        while (lo !== 0 && (lo & 1) === 0) { shift -= 8; w = lo + ((dst >>> shift) & 255) * 2; lo = pool[w]!; }
        hi = pool[w + 1]!;
        const broot = desc[o + 2]!;
        if (broot !== 0) {
          bits = desc[o + 3]!;
          let bw = broot + (dst >>> (32 - bits)) * 2;
          let blo = pool[bw]!;
          shift = 32 - bits;
          while (blo !== 0 && (blo & 1) === 0) { shift -= 8; bw = blo + ((dst >>> shift) & 255) * 2; blo = pool[bw]!; }
          if (blo !== 0 && (lo === 0 || ((blo >>> 1) & 63) > ((lo >>> 1) & 63))) { lo = blo; hi = pool[bw + 1]!; }
        }
      }
      if (lo === 0) { result[i] = 0; result2[i] = LPM_MISS; } else { result[i] = hi; result2[i] = (lo >>> 1) & 63; }
    }
  }

  bytes(): number {
    return this.plyCount * PLY_WORDS * 4 + this.wideCount * WIDE_WORDS * 4;
  }
}
