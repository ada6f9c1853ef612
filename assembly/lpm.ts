// IPv4 longest prefix match: multibit tries in the style of VPP's ip4 mtrie and DPDK's
// DIR-24-8, plus inline route lists for the many tiny per-node tables.
//
// Design trade-off: a lookup should cost about one cache miss, whatever the table.
// - DIR-24-8 (DPDK rte_lpm): a 2^24-slot root (128 MiB of u64 leaves) and 8-bit plies
//   below it, so any prefix up to /24 is one load, from a 64 MiB shadow of 32-bit words
//   (see "Root shadow"). Only the internet-sized table pays for it: the control plane
//   switches a wide table to it past LPM_DIR24_ROUTES.
// - 16-8-8 "wide" (VPP's ip4 mtrie with a 16-bit first ply, 512 KiB): a shared base or
//   a mid-sized table, whose root stays in L2.
// - 8-8-8-8 "narrow" (2 KiB root): a small table that outgrew its inline list.
// - Inline: up to LPM_INLINE_MAX routes sorted longest first inside the table's
//   128-byte descriptor, no trie at all. A per-node overlay usually holds a handful of
//   routes, so its lookup is one descriptor (cache-resident: 5,000 x 128 B) plus a walk
//   of the shared base, which every node's lookups keep hot.
// Every trie uses leaf pushing, so a lookup never backtracks. A derived table is an
// overlay on a base table (named by id, so the base may change layout): a lookup
// resolves both and keeps the longer match (the overlay wins a tie), so a route added
// to the base is seen by every node at once and a node only pays for its own routes.
//
// Leaf (u64): 0 = empty; low bit 1 = terminal, bits 1..6 = prefix length, high word =
// the route value the caller assigned; otherwise the low word is the address of the
// next ply. Each terminal records its prefix length so an insert knows which slots a
// longer prefix already owns (VPP's dst_address_bits_of_leaves), and so two terminals
// compare by their low words alone.
//
// The route list itself (for dumps, covers of deleted prefixes, and the choice of
// layout) is kept by the control plane in TypeScript (engine/datapath/LpmRouteStore.ts);
// this file holds only what a lookup needs.
import { F_TABLE, F_DST_IP, F_RESULT, F_RESULT2, LPM_MISS, LPM_MAX_TABLES, VEC_FIELD_BYTES } from './shared/vector';
import { LPM_ROOT_INLINE, LPM_ROOT_WIDE, LPM_ROOT_DIR24, LPM_INLINE_MAX, LPM_DESC_BYTES,
  LPM_SHADOW_VALUE_SHIFT, LPM_SHADOW_VALUE_LIMIT, LPM_SHADOW_ROOT, LPM_SHADOW_BYTES,
  LPM_OWNER_MANY, LPM_OWNER_SLOT } from './shared/lpm';
import { VEC, VEC_SCRATCH, get, set } from './vector';

// The vector fields a lookup reads and writes, as constant load offsets (see VEC).
// @ts-ignore: decorator
@inline const AT_TABLE: usize = VEC + F_TABLE * VEC_FIELD_BYTES;
// @ts-ignore: decorator
@inline const AT_DST: usize = VEC + F_DST_IP * VEC_FIELD_BYTES;
// @ts-ignore: decorator
@inline const AT_RESULT: usize = VEC + F_RESULT * VEC_FIELD_BYTES;
// @ts-ignore: decorator
@inline const AT_RESULT2: usize = VEC + F_RESULT2 * VEC_FIELD_BYTES;

// @ts-ignore: decorator
@inline const PLY_SLOTS: u32 = 256;
// @ts-ignore: decorator
@inline const PLY_BYTES: usize = 2048; // 256 slots * 8
// @ts-ignore: decorator
@inline const WIDE_BYTES: usize = PLY_BYTES << 8; // 2^16 slots
// @ts-ignore: decorator
@inline const DIR24_BYTES: usize = PLY_BYTES << 16; // 2^24 slots, 128 MiB
// @ts-ignore: decorator
@inline const NO_COVER: u32 = 0xffffffff;

// Descriptor of table t at desc + t * LPM_DESC_BYTES. Table 0 never exists, so its
// all-zero descriptor doubles as "no table" and "no base" and a lookup needs no branch
// for either. Header and values share the first cache line, prefixes and masks the
// second: the scan reads the second, a hit one value from the first.
// @ts-ignore: decorator
@inline const D_ROOT: usize = 0; // trie root address, 0 when inline
// @ts-ignore: decorator
@inline const D_BITS: usize = 4; // root bits: LPM_ROOT_*
// @ts-ignore: decorator
@inline const D_BASE: usize = 8; // base table id, 0 when not derived
// @ts-ignore: decorator
@inline const D_COUNT: usize = 12; // inline routes
// @ts-ignore: decorator
@inline const D_VALUE: usize = 16; // u32[8] route values
// @ts-ignore: decorator
@inline const D_PREFIX: usize = 64; // u32[8] prefixes, longest first
// @ts-ignore: decorator
@inline const D_MASK: usize = 96; // u32[8] masks; popcnt gives the length
// @ts-ignore: decorator
@inline const DESC_SHIFT: usize = 7; // log2(LPM_DESC_BYTES)

/** Descriptors of every table id (8 MiB), allocated at first use; see descriptors(). */
let desc: usize = 0;
/** u16 per table id: its base table, 0 when not derived (the per-packet loop reads this, not the descriptor). */
let baseOf: usize = 0;
/** u32 per table id: the address of its overlay owner index when it is a base with one, else 0. */
let ownOf: usize = 0;
let freePlies: usize = 0; // free list of 8-bit plies, linked through their first word
let freeWide: usize = 0; // free list of 16-bit roots
let freeDir24: usize = 0; // free list of 24-bit roots
let plyCount: u32 = 0;
let wideCount: u32 = 0;
let dir24Count: u32 = 0;
let tableCount: u32 = 0;

// @ts-ignore: decorator
@inline const TERMINAL_MAX: u32 = (32 << 1) | 1;

/**
 * A ply's address is past the static data, so far above any terminal's low word
 * ((len << 1) | 1 <= 65) or empty (0): one compare, where testing "even and not zero"
 * took six instructions and a branch in every walk step.
 */
// @ts-ignore: decorator
@inline function isPly(leaf: u64): bool {
  return <u32>leaf > TERMINAL_MAX;
}

// @ts-ignore: decorator
@inline function leafLen(leaf: u64): u32 {
  return (<u32>leaf >>> 1) & 63;
}

// @ts-ignore: decorator
@inline function terminal(len: u32, value: u32): u64 {
  return (<u64>value << 32) | <u64>((len << 1) | 1);
}

/** The descriptor array, zeroed once; every entry point calls this before descOf. */
function descriptors(): usize {
  if (desc == 0) {
    const bytes = <usize>LPM_MAX_TABLES * LPM_DESC_BYTES;
    desc = (heap.alloc(bytes + 64) + 63) & ~<usize>63; // cache-line aligned: a descriptor is two whole lines
    memory.fill(desc, 0, bytes);
    baseOf = heap.alloc(<usize>LPM_MAX_TABLES << 1);
    memory.fill(baseOf, 0, <usize>LPM_MAX_TABLES << 1);
    ownOf = heap.alloc(<usize>LPM_MAX_TABLES << 2);
    memory.fill(ownOf, 0, <usize>LPM_MAX_TABLES << 2);
    noneChunk = heap.alloc(CHUNK_BYTES);
    memory.fill(noneChunk, 0, CHUNK_BYTES);
    manyChunk = heap.alloc(CHUNK_BYTES);
    memory.fill(manyChunk, 0xff, CHUNK_BYTES); // LPM_OWNER_MANY in every slot
  }
  return desc;
}

// @ts-ignore: decorator
@inline function descOf(t: u32): usize {
  return desc + (<usize>t << DESC_SHIFT);
}

/** Network mask of a prefix length; a u64 shift so /0 and /32 need no special case. */
// @ts-ignore: decorator
@inline function maskOf(len: u32): u32 {
  return <u32>(<u64>0xffffffff00000000 >> <u64>len);
}
// @ts-ignore: decorator
@inline const D_LIVE: usize = 48; // 1 while the table exists (an inline table has no root)
// @ts-ignore: decorator
@inline const D_SHADOW: usize = 52; // DIR-24-8 only: address of its root shadow
// @ts-ignore: decorator
@inline const D_NDIRTY: usize = 56; // DIR-24-8 only: chunks in its shadow's dirty list

function allocPly(fill: u64): usize {
  let p = freePlies;
  if (p != 0) freePlies = load<usize>(p);
  else p = heap.alloc(PLY_BYTES);
  for (let s: u32 = 0; s < PLY_SLOTS; s++) store<u64>(p + (<usize>s << 3), fill);
  plyCount++;
  return p;
}

function freePly(p: usize): void {
  store<usize>(p, freePlies);
  freePlies = p;
  plyCount--;
}

/** A zeroed root of 2^16 or 2^24 slots, from its free list or the heap. */
function allocRoot(bits: u32): usize {
  const bytes = bits == LPM_ROOT_DIR24 ? DIR24_BYTES : WIDE_BYTES;
  let root = bits == LPM_ROOT_DIR24 ? freeDir24 : freeWide;
  if (root != 0) {
    if (bits == LPM_ROOT_DIR24) freeDir24 = load<usize>(root); else freeWide = load<usize>(root);
  } else {
    root = heap.alloc(bytes);
  }
  memory.fill(root, 0, bytes);
  if (bits == LPM_ROOT_DIR24) dir24Count++; else wideCount++;
  return root;
}

// Root shadow of a DIR-24-8 table: what a vector of random destinations reads.
//
// With random destinations each lookup misses cache and TLB once in the root, and on
// this class of machine (4 KiB pages, a VM's nested page walks) that miss is most of
// the lookup: the bench's lpm-floor rows time it alone. The miss costs less in a
// smaller array, so beside the 128 MiB root of u64 leaves a DIR-24-8 table keeps a
// 64 MiB shadow of u32 words (shared/lpm.ts: LPM_SHADOW_*), one per root slot, which
// answers a lookup alone unless the slot holds a ply (prefixes past /24) or a value of
// 2^25 or more; then the root is read too. The root stays the table every update edits
// (leaf pushing and plies unchanged): an update only marks the /16 chunks of 256 slots
// its prefix spans dirty, and lpmLookup copies them before it reads any, so the shadow
// is never stale when read and a bulk load does not copy a chunk once per route.

// @ts-ignore: decorator
@inline const SHADOW_WORDS: usize = <usize>1 << 24;
// @ts-ignore: decorator
@inline const SH_FLAGS: usize = SHADOW_WORDS << 2; // u8 per chunk: 1 while listed
// @ts-ignore: decorator
@inline const SH_LIST: usize = SH_FLAGS + 65536; // u16 per listed chunk
// @ts-ignore: decorator
@inline const MAX_DIRTY_TABLES: u32 = 64; // a DIR-24-8 table takes 192 MiB: 4 GiB holds fewer than 32

/** Ids of tables whose shadow has dirty chunks. */
const DIRTY_TABLES: usize = memory.data(<i32>MAX_DIRTY_TABLES * 4, 4);
let dirtyTables: u32 = 0;
let freeShadows: usize = 0;
let shadowCount: u32 = 0;

/** The shadow word of a root leaf. */
// @ts-ignore: decorator
@inline function shadowWord(leaf: u64): u32 {
  const lo = <u32>leaf;
  const value = <u32>(leaf >>> 32);
  const fits = (lo & 1) != 0 && value < <u32>LPM_SHADOW_VALUE_LIMIT;
  return select<u32>(select<u32>((value << LPM_SHADOW_VALUE_SHIFT) | lo, LPM_SHADOW_ROOT, fits), 0, lo != 0);
}

/** An all-empty shadow for a new DIR-24-8 table (its root is all empty too). */
function shadowInit(d: usize): void {
  let sh = freeShadows;
  if (sh != 0) freeShadows = load<usize>(sh);
  else sh = (heap.alloc(<usize>LPM_SHADOW_BYTES + 64) + 63) & ~<usize>63;
  memory.fill(sh, 0, <usize>LPM_SHADOW_BYTES);
  store<u32>(d, <u32>sh, D_SHADOW);
  store<u32>(d, 0, D_NDIRTY);
  shadowCount++;
}

function shadowFree(t: u32, d: usize): void {
  if (load<u32>(d, D_NDIRTY) != 0) {
    for (let k: u32 = 0; k < dirtyTables; k++) {
      const at = DIRTY_TABLES + (<usize>k << 2);
      if (load<u32>(at) == t) { dirtyTables--; store<u32>(at, load<u32>(DIRTY_TABLES + (<usize>dirtyTables << 2))); break; }
    }
  }
  const sh = <usize>load<u32>(d, D_SHADOW);
  store<usize>(sh, freeShadows);
  freeShadows = sh;
  shadowCount--;
}

/** After an update of prefix/len in table t: mark the chunks it spans dirty, when t is DIR-24-8. */
function shadowTouch(t: u32, d: usize, prefix: u32, len: u32): void {
  if (load<u32>(d, D_BITS) != LPM_ROOT_DIR24) return;
  const sh = <usize>load<u32>(d, D_SHADOW);
  const was = load<u32>(d, D_NDIRTY);
  let n = was;
  for (let k = prefix >>> 16, end = k + (len >= 16 ? 1 : <u32>1 << (16 - len)); k < end; k++) {
    if (load<u8>(sh + SH_FLAGS + <usize>k) != 0) continue;
    store<u8>(sh + SH_FLAGS + <usize>k, 1);
    store<u16>(sh + SH_LIST + (<usize>n << 1), <u16>k);
    n++;
  }
  store<u32>(d, n, D_NDIRTY);
  if (was == 0 && n != 0) { store<u32>(DIRTY_TABLES + (<usize>dirtyTables << 2), t); dirtyTables++; }
}

/** Copy every dirty chunk of every shadow from its root; lpmLookup calls it before reading any. */
function shadowFlush(): void {
  for (let i: u32 = 0; i < dirtyTables; i++) {
    const d = descOf(load<u32>(DIRTY_TABLES + (<usize>i << 2)));
    const root = <usize>load<u32>(d, D_ROOT);
    const sh = <usize>load<u32>(d, D_SHADOW);
    const n = load<u32>(d, D_NDIRTY);
    for (let j: u32 = 0; j < n; j++) {
      const k = <usize>load<u16>(sh + SH_LIST + (<usize>j << 1));
      const from = root + (k << 11), to = sh + (k << 10); // 256 slots: 2 KiB of leaves, 1 KiB of words
      for (let s: usize = 0; s < 256; s++) store<u32>(to + (s << 2), shadowWord(load<u64>(from + (s << 3))));
      store<u8>(sh + SH_FLAGS + k, 0);
    }
    store<u32>(d, 0, D_NDIRTY);
  }
  dirtyTables = 0;
}

/**
 * Create table `t` with an empty root of `rootBits` (LPM_ROOT_*: 0 inline, 8, 16 or 24);
 * `base` > 0 makes it an overlay on that table. The control plane picks the layout.
 */
export function lpmTableInit(t: u32, rootBits: u32, base: u32): void {
  descriptors();
  const d = descOf(t);
  let root: usize = 0;
  if (rootBits == LPM_ROOT_WIDE || rootBits == LPM_ROOT_DIR24) root = allocRoot(rootBits);
  else if (rootBits != LPM_ROOT_INLINE) root = allocPly(0);
  memory.fill(d, 0, LPM_DESC_BYTES);
  store<u32>(d, <u32>root, D_ROOT);
  store<u32>(d, rootBits, D_BITS);
  store<u32>(d, base, D_BASE);
  store<u16>(baseOf + (<usize>t << 1), <u16>base);
  store<u32>(d, 1, D_LIVE);
  if (rootBits == LPM_ROOT_DIR24) shadowInit(d);
  tableCount++;
}

function freeChildren(p: usize, slots: u32): void {
  for (let s: u32 = 0; s < slots; s++) {
    const leaf = load<u64>(p + (<usize>s << 3));
    if (isPly(leaf)) {
      const c = <usize><u32>leaf;
      freeChildren(c, PLY_SLOTS);
      freePly(c);
    }
  }
}

/** Free every ply of table `t` and forget it. */
export function lpmTableFree(t: u32): void {
  descriptors();
  const d = descOf(t);
  if (load<u32>(d, D_LIVE) == 0) return;
  const root = <usize>load<u32>(d, D_ROOT);
  const bits = load<u32>(d, D_BITS);
  if (root != 0) {
    freeChildren(root, 1 << bits);
    if (bits == LPM_ROOT_DIR24) { shadowFree(t, d); store<usize>(root, freeDir24); freeDir24 = root; dir24Count--; }
    else if (bits == LPM_ROOT_WIDE) { store<usize>(root, freeWide); freeWide = root; wideCount--; }
    else freePly(root);
  }
  memory.fill(d, 0, LPM_DESC_BYTES);
  store<u16>(baseOf + (<usize>t << 1), 0);
  tableCount--;
}

/** Add or replace a route of an inline table, keeping the list longest first (masks compare as lengths do). */
function inlineInsert(d: usize, prefix: u32, len: u32, value: u32): void {
  const n = load<u32>(d, D_COUNT);
  const mask = maskOf(len);
  for (let j: u32 = 0; j < n; j++) {
    const o = d + (<usize>j << 2);
    if (load<u32>(o, D_PREFIX) == prefix && load<u32>(o, D_MASK) == mask) { store<u32>(o, value, D_VALUE); return; }
  }
  if (n >= <u32>LPM_INLINE_MAX) return; // unreachable: the control plane spills the table first
  let j = n;
  for (; j > 0; j--) {
    const o = d + (<usize>(j - 1) << 2);
    if (load<u32>(o, D_MASK) >= mask) break;
    store<u32>(o, load<u32>(o, D_PREFIX), D_PREFIX + 4);
    store<u32>(o, load<u32>(o, D_MASK), D_MASK + 4);
    store<u32>(o, load<u32>(o, D_VALUE), D_VALUE + 4);
  }
  const o = d + (<usize>j << 2);
  store<u32>(o, prefix, D_PREFIX);
  store<u32>(o, mask, D_MASK);
  store<u32>(o, value, D_VALUE);
  store<u32>(d, n + 1, D_COUNT);
}

/** Remove a route of an inline table; the list holds every route, so no cover is needed. */
function inlineRemove(d: usize, prefix: u32, len: u32): void {
  const n = load<u32>(d, D_COUNT);
  const mask = maskOf(len);
  let j: u32 = 0;
  while (j < n && !(load<u32>(d + (<usize>j << 2), D_PREFIX) == prefix && load<u32>(d + (<usize>j << 2), D_MASK) == mask)) j++;
  if (j == n) return;
  for (; j + 1 < n; j++) {
    const o = d + (<usize>j << 2);
    store<u32>(o, load<u32>(o, D_PREFIX + 4), D_PREFIX);
    store<u32>(o, load<u32>(o, D_MASK + 4), D_MASK);
    store<u32>(o, load<u32>(o, D_VALUE + 4), D_VALUE);
  }
  const o = d + (<usize>(n - 1) << 2);
  store<u32>(o, 0, D_PREFIX);
  store<u32>(o, 0, D_MASK);
  store<u32>(o, 0, D_VALUE);
  store<u32>(d, n - 1, D_COUNT);
}
/** Write `leaf` (a prefix of length len) into slots first..first+count-1, pushing it into child plies, never over a longer prefix. */
function setRange(p: usize, first: u32, count: u32, len: u32, leaf: u64): void {
  for (let s = first, end = first + count; s < end; s++) {
    const e = p + (<usize>s << 3);
    const cur = load<u64>(e);
    if (isPly(cur)) { setRange(<usize><u32>cur, 0, PLY_SLOTS, len, leaf); continue; }
    if (<u32>cur != 0 && leafLen(cur) > len) continue;
    store<u64>(e, leaf);
  }
}

/** Add or replace prefix/len -> value in table `t` (prefix already masked to len). */
export function lpmInsert(t: u32, prefix: u32, len: u32, value: u32): void {
  descriptors();
  const d = descOf(t);
  let p = <usize>load<u32>(d, D_ROOT);
  if (p == 0) { inlineInsert(d, prefix, len, value); return; }
  shadowTouch(t, d, prefix, len);
  let stride = load<u32>(d, D_BITS);
  let end = stride; // bits consumed once this ply is indexed
  const leaf = terminal(len, value);
  while (true) {
    const idx = (prefix >>> (32 - end)) & ((1 << stride) - 1);
    if (len <= end) {
      const span = end - len;
      setRange(p, (idx >>> span) << span, 1 << span, len, leaf);
      return;
    }
    const e = p + (<usize>idx << 3);
    const cur = load<u64>(e);
    if (isPly(cur)) {
      p = <usize><u32>cur;
    } else {
      const c = allocPly(cur); // the old leaf is pushed down into every slot of the new ply
      store<u64>(e, <u64><u32>c);
      p = c;
    }
    stride = 8;
    end += 8;
  }
}

/** Replace every leaf of exactly length len below slot range with the cover leaf. */
function replaceRange(p: usize, first: u32, count: u32, len: u32, cover: u64, childStart: u32): void {
  for (let s = first, end = first + count; s < end; s++) {
    const e = p + (<usize>s << 3);
    const cur = load<u64>(e);
    if (isPly(cur)) {
      const c = <usize><u32>cur;
      replaceRange(c, 0, PLY_SLOTS, len, cover, childStart + 8);
      collapse(e, c, childStart);
      continue;
    }
    if (<u32>cur != 0 && leafLen(cur) == len) store<u64>(e, cover);
  }
}

/**
 * Fold child ply `c` (first bit childStart) back into its parent slot `e` when all its
 * slots hold one pushed-down leaf, so deletes give memory back (VPP's ply compaction).
 * Only a leaf no longer than childStart may move up: a longer one names a prefix that
 * covers just part of the parent slot.
 */
function collapse(e: usize, c: usize, childStart: u32): void {
  const first = load<u64>(c);
  if (isPly(first)) return;
  if (<u32>first != 0 && leafLen(first) > childStart) return;
  for (let s: u32 = 1; s < PLY_SLOTS; s++) if (load<u64>(c + (<usize>s << 3)) != first) return;
  store<u64>(e, first);
  freePly(c);
}

/**
 * Remove prefix/len from table `t` (an inline table just drops it from its list); in a
 * trie its slots fall back to the cover (the longest
 * shorter prefix of the same table, coverLen = NO_COVER when none), which the control
 * plane knows from its route list.
 */
export function lpmRemove(t: u32, prefix: u32, len: u32, coverLen: u32, coverValue: u32): void {
  descriptors();
  const d = descOf(t);
  const root = <usize>load<u32>(d, D_ROOT);
  if (root == 0) { inlineRemove(d, prefix, len); return; }
  shadowTouch(t, d, prefix, len);
  const cover = coverLen == NO_COVER ? <u64>0 : terminal(coverLen, coverValue);
  // The path, at most four plies deep, kept so emptied plies can collapse bottom-up.
  const rootBits = load<u32>(d, D_BITS);
  let p = root;
  let stride = rootBits;
  let end = stride;
  let depth = 0;
  const pathSlot = memory.data(32); // slot address in the parent, per depth
  const pathPly = memory.data(32);
  while (true) {
    const idx = (prefix >>> (32 - end)) & ((1 << stride) - 1);
    if (len <= end) {
      const span = end - len;
      replaceRange(p, (idx >>> span) << span, 1 << span, len, cover, end);
      break;
    }
    const e = p + (<usize>idx << 3);
    const cur = load<u64>(e);
    if (!isPly(cur)) return; // the prefix was never below this slot
    store<u32>(pathSlot + (<usize>depth << 2), <u32>e);
    p = <usize><u32>cur;
    store<u32>(pathPly + (<usize>depth << 2), <u32>p);
    depth++;
    stride = 8;
    end += 8;
  }
  for (let k = depth - 1; k >= 0; k--) {
    const e = <usize>load<u32>(pathSlot + (<usize>k << 2));
    const c = <usize>load<u32>(pathPly + (<usize>k << 2));
    if (load<u32>(e) != <u32>c) break; // a deeper collapse already changed nothing above
    collapse(e, c, rootBits + (<u32>k << 3));
    if (isPly(load<u64>(e))) break;
  }
}


// Overlay owners of a base table (shared/lpm.ts: LPM_OWNER_*). A per-node lookup would
// otherwise read its own table's descriptor (5,000 of them, 640 KiB, a likely L2 miss)
// and scan its inline list for every packet, though a node's own routes cover only its
// own pod /24 and addresses: almost every destination is answered by the shared base
// alone. The index says, per /24, which derived table could answer better: an array of
// 2^16 chunk addresses (one per /16, 256 KiB) and chunks of 256 u32 owners. A /16 where
// no overlay has routes points at the shared all-0 chunk, one covered by a short route at
// the shared all-MANY chunk, so the index costs 1 KiB per /16 that holds node routes.
// The control plane computes owners (engine/datapath/LpmOwners.ts); this keeps them. A
// base without an index (none pushed yet) reads as MANY everywhere: every overlay is read.

// @ts-ignore: decorator
@inline const CHUNK_BYTES: usize = 1024; // 256 u32 owners
// @ts-ignore: decorator
@inline const INDEX_BYTES: usize = 262144; // 2^16 chunk addresses
let noneChunk: usize = 0;
let manyChunk: usize = 0;
let freeChunks: usize = 0;
let freeIndexes: usize = 0;
let chunkCount: u32 = 0;
let indexCount: u32 = 0;

/**
 * Set the overlay owner of base table `base` at `slot` (LPM_OWNER_SLOT: a /24, slot =
 * address >>> 8, any owner; LPM_OWNER_CHUNK: a whole /16, slot = address >>> 16, owner 0
 * or LPM_OWNER_MANY, which drops the /16's own chunk). The first call makes the index, all 0.
 */
export function lpmOwnerSet(base: u32, slot: u32, bits: u32, owner: u32): void {
  descriptors();
  const at = ownOf + (<usize>base << 2);
  let index = <usize>load<u32>(at);
  if (index == 0) {
    index = freeIndexes;
    if (index != 0) freeIndexes = <usize>load<u32>(index);
    else index = heap.alloc(INDEX_BYTES);
    for (let c: usize = 0; c < 65536; c++) store<u32>(index + (c << 2), <u32>noneChunk);
    store<u32>(at, <u32>index);
    indexCount++;
  }
  const hi = bits == LPM_OWNER_SLOT ? slot >>> 8 : slot;
  const e = index + (<usize>hi << 2);
  let chunk = <usize>load<u32>(e);
  if (bits != LPM_OWNER_SLOT) {
    if (chunk != noneChunk && chunk != manyChunk) freeChunk(chunk);
    store<u32>(e, <u32>(owner == LPM_OWNER_MANY ? manyChunk : noneChunk));
    return;
  }
  if (chunk == noneChunk || chunk == manyChunk) { // shared: copy it into a chunk of its own
    const from = chunk;
    chunk = freeChunks;
    if (chunk != 0) freeChunks = <usize>load<u32>(chunk);
    else chunk = heap.alloc(CHUNK_BYTES);
    memory.copy(chunk, from, CHUNK_BYTES);
    store<u32>(e, <u32>chunk);
    chunkCount++;
  }
  store<u32>(chunk + (<usize>(slot & 255) << 2), owner);
}

function freeChunk(chunk: usize): void {
  store<u32>(chunk, <u32>freeChunks);
  freeChunks = chunk;
  chunkCount--;
}

/** Forget base table `base`'s owner index: its derived tables' overlays are read for every address again. */
export function lpmOwnerDrop(base: u32): void {
  descriptors();
  const at = ownOf + (<usize>base << 2);
  const index = <usize>load<u32>(at);
  if (index == 0) return;
  for (let c: usize = 0; c < 65536; c++) {
    const chunk = <usize>load<u32>(index + (c << 2));
    if (chunk != noneChunk && chunk != manyChunk) freeChunk(chunk);
  }
  store<u32>(index, <u32>freeIndexes);
  freeIndexes = index;
  store<u32>(at, 0);
  indexCount--;
}

/** Walk a trie from its root: one load per ply, leaf pushing means the first terminal is the answer. */
// @ts-ignore: decorator
@inline function trieLeaf(root: usize, bits: u32, dst: u32): u64 {
  return walk(load<u64>(root + (<usize>(dst >>> (32 - bits)) << 3)), 32 - bits, dst);
}

/**
 * Scan an inline list shortest first, so the longest match is the last one written;
 * select, not a branch, so a hit costs no mispredict.
 */
// @ts-ignore: decorator
@inline function inlineLeaf(d: usize, dst: u32): u64 {
  let leaf: u64 = 0;
  for (let j = <i32>load<u32>(d, D_COUNT) - 1; j >= 0; j--) {
    const o = d + (<usize>j << 2);
    const mask = load<u32>(o, D_MASK);
    const hit = ((dst ^ load<u32>(o, D_PREFIX)) & mask) == 0;
    leaf = select<u64>(terminal(<u32>popcnt(mask), load<u32>(o, D_VALUE)), leaf, hit);
  }
  return leaf;
}

// @ts-ignore: decorator
@inline function tableLeaf(d: usize, dst: u32): u64 {
  const root = <usize>load<u32>(d, D_ROOT);
  return root != 0 ? trieLeaf(root, load<u32>(d, D_BITS), dst) : inlineLeaf(d, dst);
}

/** First-level leaves of one vector (pass 1 of lookupTrie), at a constant address. */
// @ts-ignore: decorator
@inline const FIRST: usize = VEC_SCRATCH;

/**
 * lpmLookup for a vector whose packets all use one trie that is not derived (an edge
 * router's or the internet's table): the descriptor read once, then two passes, as
 * DPDK's rte_lpm_lookupx4 overlaps lookups. Pass 1 only loads each packet's first-level
 * word, three instructions and no branch between the loads, so the out-of-order core
 * keeps the misses of dozens of packets in flight (with DIR-24-8 that is the only miss
 * for prefixes up to /24, in its root shadow); pass 2 finishes from cache. Pass 1 also
 * checks that every packet names table t (an OR of XORs, hidden under the misses; a
 * separate check pass cost x1.17 on lpm-large): false, with no result written, when one
 * does not, and the caller takes the per-packet path.
 */
function lookupTrie(n: i32, d: usize, t: u32): bool {
  const root = <usize>load<u32>(d, D_ROOT);
  const bits = load<u32>(d, D_BITS);
  const shift = 32 - bits;
  const end = <usize>n << 2;
  let other: u32 = 0;
  if (bits == LPM_ROOT_DIR24) {
    const sh = <usize>load<u32>(d, D_SHADOW);
    for (let o: usize = 0; o < end; o += 4) {
      other |= load<u32>(o, AT_TABLE) ^ t;
      store<u32>(o, load<u32>(sh + (<usize>(load<u32>(o, AT_DST) >>> 8) << 2)), FIRST);
    }
    if (other != 0) return false;
    for (let o: usize = 0; o < end; o += 4) {
      const w = load<u32>(o, FIRST);
      if (w == LPM_SHADOW_ROOT) { // a ply or a big value: the root has it
        const dst = load<u32>(o, AT_DST);
        setLeafAt(o, walk(load<u64>(root + (<usize>(dst >>> 8) << 3)), 8, dst));
        continue;
      }
      store<u32>(o, w >>> LPM_SHADOW_VALUE_SHIFT, AT_RESULT);
      store<u32>(o, select<u32>((w >>> 1) & 63, LPM_MISS, w != 0), AT_RESULT2);
    }
    return true;
  }
  for (let o: usize = 0; o < end; o += 4) {
    other |= load<u32>(o, AT_TABLE) ^ t;
    store<u64>(o << 1, load<u64>(root + (<usize>(load<u32>(o, AT_DST) >>> shift) << 3)), FIRST);
  }
  if (other != 0) return false;
  for (let o: usize = 0; o < end; o += 4) {
    let leaf = load<u64>(o << 1, FIRST);
    if (isPly(leaf)) leaf = walk(leaf, shift, load<u32>(o, AT_DST));
    setLeafAt(o, leaf);
  }
  return true;
}

/** Follow plies from `leaf` (shift: the address bits below its level) to a terminal or empty leaf. */
// @ts-ignore: decorator
@inline function walk(leaf: u64, shift: u32, dst: u32): u64 {
  while (isPly(leaf)) {
    shift -= 8;
    leaf = load<u64>(<usize><u32>leaf + (<usize>((dst >>> shift) & 255) << 3));
  }
  return leaf;
}

/** Packet i's results from its leaf: the route value and prefix length, or 0 and LPM_MISS. */
// @ts-ignore: decorator
@inline function setLeaf(i: i32, leaf: u64): void {
  setLeafAt(<usize>i << 2, leaf);
}

/** setLeaf for the packet at byte offset o. */
// @ts-ignore: decorator
@inline function setLeafAt(o: usize, leaf: u64): void {
  store<u32>(o, <u32>(leaf >>> 32), AT_RESULT);
  store<u32>(o, select<u32>(leafLen(leaf), LPM_MISS, <u32>leaf != 0), AT_RESULT2);
}

/**
 * Batched lookup of packets 0..n-1: (F_TABLE, F_DST_IP) -> F_RESULT = route value and
 * F_RESULT2 = matched prefix length, or F_RESULT 0 and F_RESULT2 LPM_MISS.
 *
 * A vector of one large table goes to lookupTrie. Any other vector (the pipeline's:
 * each packet on its own node's table, an inline overlay on the cluster base) is one
 * pass per packet: for a derived table, its base (read once per run of packets on one
 * base), then its own overlay only where the base's owner index says it has routes
 * ("Overlay owners"); all small and cache-resident, so there are no misses to overlap
 * and a first pass would only add instructions (it cost a fifth of the per-node lookup).
 */
export function lpmLookup(n: i32): void {
  descriptors();
  if (dirtyTables != 0) shadowFlush();
  if (n > 0) { // a non-derived trie for packet 0: try the one-table path, which checks the rest in its first pass
    const t = get(F_TABLE, 0);
    const d = descOf(select<u32>(t, 0, t < <u32>LPM_MAX_TABLES));
    if (load<u32>(d, D_ROOT) != 0 && load<u32>(d, D_BASE) == 0 && lookupTrie(n, d, t)) return;
  }
  for (let i = 0; i < n;) {
    let t = get(F_TABLE, i);
    t = select<u32>(t, 0, t < <u32>LPM_MAX_TABLES); // table 0: all zero, a miss
    const base = <u32>load<u16>(baseOf + (<usize>t << 1));
    const index = <usize>load<u32>(ownOf + (<usize>base << 2)); // ownOf[0] is 0
    if (index != 0 && load<u32>(descOf(base), D_BITS) == LPM_ROOT_WIDE) { i = lookupDerived(i, n, base, index); continue; }
    // Not derived (the same for a whole vector of one table: predicted), or on a base
    // without overlay owners or with another layout (a tiny cluster's inline list): one packet.
    const dst = get(F_DST_IP, i);
    let leaf = tableLeaf(descOf(select<u32>(base, t, base != 0)), dst);
    if (base != 0) leaf = withOverlay(leaf, t, dst, index);
    setLeaf(i, leaf);
    i++;
  }
}

/**
 * The longer of a base's leaf and derived table t's own, where the base's owner index
 * (0: none, read every overlay) says t has routes in dst's /24 or may have.
 */
// @ts-ignore: decorator
@inline function withOverlay(leaf: u64, t: u32, dst: u32, index: usize): u64 {
  const own = index != 0 ? ownerOf(index, dst) : LPM_OWNER_MANY;
  return own == t || own == LPM_OWNER_MANY ? withOwn(leaf, t, dst) : leaf;
}

/** dst's /24 slot in an owner index: 0, the one derived table with routes there, or LPM_OWNER_MANY. */
// @ts-ignore: decorator
@inline function ownerOf(index: usize, dst: u32): u32 {
  return load<u32>(<usize>load<u32>(index + (<usize>(dst >>> 16) << 2)) + (<usize>((dst >>> 8) & 255) << 2));
}

/** The longer of a base's leaf and derived table t's own; kept out of line, so lookupDerived's loop stays small. */
function withOwn(leaf: u64, t: u32, dst: u32): u64 {
  const o = tableLeaf(descOf(t), dst);
  // Terminal low words are (len << 1) | 1 and empty is 0: the longer wins, the overlay a tie.
  return select<u64>(leaf, o, <u32>leaf > <u32>o);
}

/**
 * lpmLookup's packets from `i` on while their tables derive from `base`, a 16-8-8 trie
 * with an owner index (a cluster's base: so usually the rest of the vector); returns
 * the first packet it left. Written for the engine's registers: the loop steps a byte
 * offset, so every vector access is one instruction (see VEC); the 16-bit root makes
 * every shift a constant; the ply step has no select on the leaf (a destination the
 * root answers reads its root slot again, from L1); the owner test is two branches
 * (`own == t || own == MANY` became set-compare-or, 9 instructions against 4); and the
 * rare overlay read is a call (withOwn), so its registers are not taken from the loop.
 * 76 x86 instructions a lookup went to 51 (valgrind), per-node WASM x1.42 (in-process
 * A/B, 15 rounds).
 */
function lookupDerived(i: i32, n: i32, base: u32, index: usize): i32 {
  const root = <usize>load<u32>(descOf(base), D_ROOT);
  const bases = baseOf;
  const end = <usize>n << 2;
  let o = <usize>i << 2;
  for (; o < end; o += 4) {
    const t = load<u32>(o, AT_TABLE);
    if (t >= <u32>LPM_MAX_TABLES) break; // table 0 or out of range: lpmLookup's miss
    if (<u32>load<u16>(bases + (<usize>t << 1)) != base) break;
    const dst = load<u32>(o, AT_DST);
    // One ply step without a branch: some destinations go a ply down (pod /24s), some
    // not (the default route); those read their root slot again.
    const at = root + (<usize>(dst >>> 16) << 3);
    const first = load<u64>(at);
    let leaf = load<u64>(select<usize>(<usize><u32>first + (<usize>((dst >>> 8) & 255) << 3), at, isPly(first)));
    if (isPly(leaf)) leaf = walk(leaf, 8, dst);
    const own = ownerOf(index, dst);
    if (own == t) leaf = withOwn(leaf, t, dst);
    else if (own == LPM_OWNER_MANY) leaf = withOwn(leaf, t, dst);
    setLeafAt(o, leaf);
  }
  return <i32>(o >>> 2);
}

/** Bytes held by route tables: descriptors of live tables, roots and plies. */
export function lpmBytes(): f64 {
  return <f64>tableCount * <f64>LPM_DESC_BYTES + <f64>plyCount * <f64>PLY_BYTES
    + <f64>wideCount * <f64>WIDE_BYTES + <f64>dir24Count * <f64>DIR24_BYTES + <f64>shadowCount * <f64>LPM_SHADOW_BYTES
    + <f64>indexCount * <f64>INDEX_BYTES + <f64>chunkCount * <f64>CHUNK_BYTES;
}

/** Arrays of lpmFloor by their size (log2 of bytes), allocated at first use. */
const FLOOR: usize = memory.data(33 * 4, 4);

/**
 * The floor under any one-load LPM, for the bench only: packet i gets F_RESULT = the
 * 32-bit word at the top bits of its destination in an array of 2^bits bytes (26: the
 * 64 MiB a DIR-24-8 lookup reads, its root shadow; 19: a 16-8-8 root), and nothing else
 * is done. lpm-large can be no faster than this on the same machine; the bench prints both.
 */
export function lpmFloor(n: i32, bits: u32): void {
  let a = <usize>load<u32>(FLOOR + (<usize>bits << 2));
  if (a == 0) {
    const bytes = <usize>1 << bits;
    a = heap.alloc(bytes);
    memory.fill(a, 1, bytes);
    store<u32>(FLOOR + (<usize>bits << 2), <u32>a);
  }
  const shift = 34 - bits; // 2^(bits - 2) words
  for (let i = 0; i < n; i++) set(F_RESULT, i, load<u32>(a + (<usize>(get(F_DST_IP, i) >>> shift) << 2)));
}
