// Overlay owners, the control-plane half (the kernels' half and the why are in
// assembly/lpm/owners.ts): for every base table, which of its derived tables
// hold routes in each /24 of the address space. The route store reports every route a
// derived table gains or loses; this keeps counts and pushes each /24's owner to the
// kernel whenever it changes: 0 (none), the one table, or LPM_OWNER_MANY.
//
// The invariant a lookup relies on: if derived table t has a route covering address x,
// the owner of x's /24 is t or MANY. Routes of /16 and longer are counted per /24 they
// touch (a /16 touches 256); a route shorter than /16 marks each /16 it spans MANY as a
// whole (a default route in an overlay: 65,536 /16s, once), which is never wrong, only
// slower: such an overlay is then read for every destination there.
import { LPM_OWNER_MANY, LPM_OWNER_SLOT, LPM_OWNER_CHUNK } from '../../assembly/shared/lpm.js';

/** Where owners go: both kernels (assembly/lpm/owners.ts lpmOwnerSet/lpmOwnerDrop, ts/TsLpm.ts). */
export interface LpmOwnerSink {
  ownerSet(base: number, slot: number, bits: number, owner: number): void;
  ownerDrop(base: number): void;
}

/** The owners of one base: per /16, routes shorter than /16 covering it; per /16 with routes of /16 or longer, per /24 in it (low 8 bits) the routes of each table. */
interface BaseOwners {
  short: Uint32Array;
  slots: Map<number, Map<number, Map<number, number>>>;
}

/** The owner of a /24 from its table -> route count map. */
function ownerOf(tables: Map<number, number> | undefined): number {
  if (!tables || tables.size === 0) return 0;
  if (tables.size > 1) return LPM_OWNER_MANY;
  return tables.keys().next().value!;
}

export class LpmOwners {
  /** Base table id -> its owners; only bases that have had derived routes. */
  private readonly bases = new Map<number, BaseOwners>();
  private readonly sink: LpmOwnerSink;

  constructor(sink: LpmOwnerSink) {
    this.sink = sink;
  }

  /** Derived table t of `base` gained (delta 1) or lost (delta -1) its route prefix/len (prefix masked). */
  change(base: number, t: number, prefix: number, len: number, delta: 1 | -1): void {
    let b = this.bases.get(base);
    // Short-route counts as a typed array (256 KiB a base): a derived default route
    // touches all 65,536 /16s, which as an object and a Map each was most of a
    // differential test's time, in garbage collection.
    if (!b) { b = { short: new Uint32Array(65536), slots: new Map() }; this.bases.set(base, b); }
    const { short, slots } = b;
    if (len < 16) {
      const first = prefix >>> 16, end = first + 2 ** (16 - len);
      for (let c = first; c < end; c++) {
        const n = (short[c] = short[c]! + delta);
        if (n === 1 && delta === 1) this.sink.ownerSet(base, c, LPM_OWNER_CHUNK, LPM_OWNER_MANY);
        else if (n === 0) { // back to its /24s
          this.sink.ownerSet(base, c, LPM_OWNER_CHUNK, 0);
          const chunk = slots.get(c);
          if (chunk) for (const [lo, tables] of chunk) this.sink.ownerSet(base, (c << 8 | lo) >>> 0, LPM_OWNER_SLOT, ownerOf(tables));
        }
      }
      return;
    }
    const first = prefix >>> 8, end = first + (len >= 24 ? 1 : 2 ** (24 - len));
    for (let s = first; s < end; s++) {
      const c = s >>> 8, lo = s & 255;
      let chunk = slots.get(c);
      if (!chunk) { chunk = new Map(); slots.set(c, chunk); }
      let tables = chunk.get(lo);
      if (!tables) { tables = new Map(); chunk.set(lo, tables); }
      const n = (tables.get(t) ?? 0) + delta;
      if (n > 0) tables.set(t, n); else tables.delete(t);
      if (tables.size === 0) chunk.delete(lo);
      if (chunk.size === 0) slots.delete(c);
      if (short[c] !== 0) continue; // the whole /16 reads MANY
      if (chunk.size === 0) this.sink.ownerSet(base, c, LPM_OWNER_CHUNK, 0); // back to the shared all-0 chunk
      else this.sink.ownerSet(base, s, LPM_OWNER_SLOT, ownerOf(tables));
    }
  }

  /** Forget every owner of `base` (its last derived table is gone): its index is freed. */
  drop(base: number): void {
    if (this.bases.delete(base)) this.sink.ownerDrop(base);
  }
}
