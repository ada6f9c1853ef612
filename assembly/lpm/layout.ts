// IPv4 longest prefix match: multibit tries in the style of VPP's ip4 mtrie and DPDK's
// DIR-24-8, plus inline route lists for the many tiny per-node tables.
//
// Design trade-off: a lookup should cost about one cache miss, whatever the table.
// - DIR-24-8 (DPDK rte_lpm): a 2^24-slot root (128 MiB of u64 leaves) and 8-bit plies
//   below it, so any prefix up to /24 is one load, from a 64 MiB shadow of 32-bit words
//   (shadow.ts). Only the internet-sized table pays for it: the control plane
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
// these files hold only what a lookup needs:
// - layout.ts: leaves, table descriptors, plies and roots;
// - update.ts: tables made, freed, routes inserted and removed;
// - shadow.ts: the DIR-24-8 root shadow;
// - owners.ts: the overlay owner index of a base table;
// - lookup.ts: the batched lookups.
import { LPM_MAX_TABLES } from '../shared/vector';
import { LPM_ROOT_DIR24, LPM_DESC_BYTES } from '../shared/lpm';

// @ts-ignore: decorator
@inline export const PLY_SLOTS: u32 = 256;
// @ts-ignore: decorator
@inline export const PLY_BYTES: usize = 2048; // 256 slots * 8
// @ts-ignore: decorator
@inline export const WIDE_BYTES: usize = PLY_BYTES << 8; // 2^16 slots
// @ts-ignore: decorator
@inline export const DIR24_BYTES: usize = PLY_BYTES << 16; // 2^24 slots, 128 MiB
// Descriptor of table t at desc + t * LPM_DESC_BYTES. Table 0 never exists, so its
// all-zero descriptor doubles as "no table" and "no base" and a lookup needs no branch
// for either. Header and values share the first cache line, prefixes and masks the
// second: the scan reads the second, a hit one value from the first.
// @ts-ignore: decorator
@inline export const D_ROOT: usize = 0; // trie root address, 0 when inline
// @ts-ignore: decorator
@inline export const D_BITS: usize = 4; // root bits: LPM_ROOT_*
// @ts-ignore: decorator
@inline export const D_BASE: usize = 8; // base table id, 0 when not derived
// @ts-ignore: decorator
@inline export const D_COUNT: usize = 12; // inline routes
// @ts-ignore: decorator
@inline export const D_VALUE: usize = 16; // u32[8] route values
// @ts-ignore: decorator
@inline export const D_PREFIX: usize = 64; // u32[8] prefixes, longest first
// @ts-ignore: decorator
@inline export const D_MASK: usize = 96; // u32[8] masks; popcnt gives the length
// @ts-ignore: decorator
@inline export const DESC_SHIFT: usize = 7; // log2(LPM_DESC_BYTES)

/** Descriptors of every table id (8 MiB), allocated at first use; see descriptors(). */
export let desc: usize = 0;
/** u16 per table id: its base table, 0 when not derived (the per-packet loop reads this, not the descriptor). */
export let baseOf: usize = 0;
/** u32 per table id: the address of its overlay owner index when it is a base with one, else 0. */
export let ownOf: usize = 0;
let freePlies: usize = 0; // free list of 8-bit plies, linked through their first word
let freeWide: usize = 0; // free list of 16-bit roots
let freeDir24: usize = 0; // free list of 24-bit roots
export let plyCount: u32 = 0;
export let wideCount: u32 = 0;
export let dir24Count: u32 = 0;
// @ts-ignore: decorator
@inline export const TERMINAL_MAX: u32 = (32 << 1) | 1;

/**
 * A ply's address is past the static data, so far above any terminal's low word
 * ((len << 1) | 1 <= 65) or empty (0): one compare, where testing "even and not zero"
 * took six instructions and a branch in every walk step.
 */
// @ts-ignore: decorator
@inline export function isPly(leaf: u64): bool {
  return <u32>leaf > TERMINAL_MAX;
}

// @ts-ignore: decorator
@inline export function leafLen(leaf: u64): u32 {
  return (<u32>leaf >>> 1) & 63;
}

// @ts-ignore: decorator
@inline export function terminal(len: u32, value: u32): u64 {
  return (<u64>value << 32) | <u64>((len << 1) | 1);
}

/** The descriptor array, zeroed once; every entry point calls this before descOf. */
export function descriptors(): usize {
  if (desc == 0) {
    const bytes = <usize>LPM_MAX_TABLES * LPM_DESC_BYTES;
    desc = (heap.alloc(bytes + 64) + 63) & ~<usize>63; // cache-line aligned: a descriptor is two whole lines
    memory.fill(desc, 0, bytes);
    baseOf = heap.alloc(<usize>LPM_MAX_TABLES << 1);
    memory.fill(baseOf, 0, <usize>LPM_MAX_TABLES << 1);
    ownOf = heap.alloc(<usize>LPM_MAX_TABLES << 2);
    memory.fill(ownOf, 0, <usize>LPM_MAX_TABLES << 2);
  }
  return desc;
}

// @ts-ignore: decorator
@inline export function descOf(t: u32): usize {
  return desc + (<usize>t << DESC_SHIFT);
}

/** Network mask of a prefix length; a u64 shift so /0 and /32 need no special case. */
// @ts-ignore: decorator
@inline export function maskOf(len: u32): u32 {
  return <u32>(<u64>0xffffffff00000000 >> <u64>len);
}
// @ts-ignore: decorator
@inline export const D_LIVE: usize = 48; // 1 while the table exists (an inline table has no root)
// @ts-ignore: decorator
@inline export const D_SHADOW: usize = 52; // DIR-24-8 only: address of its root shadow
// @ts-ignore: decorator
@inline export const D_NDIRTY: usize = 56; // DIR-24-8 only: chunks in its shadow's dirty list

export function allocPly(fill: u64): usize {
  let p = freePlies;
  if (p != 0) freePlies = load<usize>(p);
  else p = heap.alloc(PLY_BYTES);
  for (let s: u32 = 0; s < PLY_SLOTS; s++) store<u64>(p + (<usize>s << 3), fill);
  plyCount++;
  return p;
}

export function freePly(p: usize): void {
  store<usize>(p, freePlies);
  freePlies = p;
  plyCount--;
}

/** A zeroed root of 2^16 or 2^24 slots, from its free list or the heap. */
export function allocRoot(bits: u32): usize {
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

/** Give a root of 2^16 or 2^24 slots back to its free list. */
export function freeRoot(root: usize, bits: u32): void {
  if (bits == LPM_ROOT_DIR24) { store<usize>(root, freeDir24); freeDir24 = root; dir24Count--; }
  else { store<usize>(root, freeWide); freeWide = root; wideCount--; }
}
