// IPv4 longest prefix match: a multibit trie in the style of VPP's ip4 mtrie.
//
// Design trade-off: flat plies with leaf pushing, so a lookup is one load per ply and
// never backtracks. A "wide" table starts with a 16-bit root ply (512 KiB, strides
// 16-8-8, at most three loads, DIR-24-8-like speed) for the large internet-sized table
// and the cluster-wide base. A "narrow" table starts with an 8-bit root (2 KiB,
// strides 8-8-8-8) so thousands of per-node tables stay small. A derived table is a
// narrow overlay on a base table: a lookup walks both and keeps the longer match (the
// overlay wins a tie), so a route added to the base is seen by every node at once and
// a node only pays for the routes where it differs.
//
// Leaf (u64): 0 = empty; low bit 1 = terminal, bits 1..6 = prefix length, high word =
// the route value the caller assigned; otherwise the low word is the address of the
// next ply. Each terminal records its prefix length so an insert knows which slots a
// longer prefix already owns (VPP's dst_address_bits_of_leaves).
//
// The route list itself (for dumps and for finding the cover of a deleted prefix) is
// kept by the control plane in TypeScript (engine/datapath/LpmRouteStore.ts); this
// file holds only what a lookup needs.
import { F_TABLE, F_DST_IP, F_RESULT, F_RESULT2, LPM_MISS, LPM_MAX_TABLES } from './shared/vector';
import { get, set } from './vector';

// @ts-ignore: decorator
@inline const PLY_SLOTS: u32 = 256;
// @ts-ignore: decorator
@inline const PLY_BYTES: usize = 2048; // 256 slots * 8
// @ts-ignore: decorator
@inline const NO_COVER: u32 = 0xffffffff;

// Table descriptors, 16 bytes each: root ply address, root bits (8 or 16),
// base root address (0 when not derived), base root bits.
let desc: usize = 0;
let freePlies: usize = 0; // free list of 8-bit plies, linked through their first word
let freeWide: usize = 0; // free list of 16-bit roots
let plyCount: u32 = 0;
let wideCount: u32 = 0;

// @ts-ignore: decorator
@inline function isPly(leaf: u64): bool {
  const lo = <u32>leaf;
  return lo != 0 && (lo & 1) == 0;
}

// @ts-ignore: decorator
@inline function leafLen(leaf: u64): u32 {
  return (<u32>leaf >>> 1) & 63;
}

// @ts-ignore: decorator
@inline function terminal(len: u32, value: u32): u64 {
  return (<u64>value << 32) | <u64>((len << 1) | 1);
}

function descriptors(): usize {
  if (desc == 0) {
    desc = heap.alloc(<usize>LPM_MAX_TABLES * 16);
    memory.fill(desc, 0, <usize>LPM_MAX_TABLES * 16);
  }
  return desc;
}

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

/** Create table `t` with an empty root of `rootBits` (8 or 16); `base` > 0 makes it an overlay on that table. */
export function lpmTableInit(t: u32, rootBits: u32, base: u32): void {
  const d = descriptors() + (<usize>t << 4);
  let root: usize;
  if (rootBits == 16) {
    root = freeWide;
    if (root != 0) freeWide = load<usize>(root);
    else root = heap.alloc(PLY_BYTES << 8);
    memory.fill(root, 0, PLY_BYTES << 8);
    wideCount++;
  } else {
    root = allocPly(0);
  }
  store<u32>(d, <u32>root);
  store<u32>(d, rootBits, 4);
  if (base != 0) {
    const b = desc + (<usize>base << 4);
    store<u32>(d, load<u32>(b), 8);
    store<u32>(d, load<u32>(b, 4), 12);
  } else {
    store<u64>(d, 0, 8);
  }
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
  const d = descriptors() + (<usize>t << 4);
  const root = <usize>load<u32>(d);
  if (root == 0) return;
  const bits = load<u32>(d, 4);
  freeChildren(root, 1 << bits);
  if (bits == 16) { store<usize>(root, freeWide); freeWide = root; wideCount--; } else freePly(root);
  store<u64>(d, 0);
  store<u64>(d, 0, 8);
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
  const d = descriptors() + (<usize>t << 4);
  let p = <usize>load<u32>(d);
  let stride = load<u32>(d, 4);
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
 * Remove prefix/len from table `t`; its slots fall back to the cover (the longest
 * shorter prefix of the same table, coverLen = NO_COVER when none), which the control
 * plane knows from its route list.
 */
export function lpmRemove(t: u32, prefix: u32, len: u32, coverLen: u32, coverValue: u32): void {
  const d = descriptors() + (<usize>t << 4);
  const root = <usize>load<u32>(d);
  const cover = coverLen == NO_COVER ? <u64>0 : terminal(coverLen, coverValue);
  // The path, at most four plies deep, kept so emptied plies can collapse bottom-up.
  const rootBits = load<u32>(d, 4);
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

// @ts-ignore: decorator
@inline function walk(root: usize, bits: u32, dst: u32): u64 {
  let leaf = load<u64>(root + (<usize>(dst >>> (32 - bits)) << 3));
  let shift = 32 - bits;
  while (isPly(leaf)) {
    shift -= 8;
    leaf = load<u64>(<usize><u32>leaf + (<usize>((dst >>> shift) & 255) << 3));
  }
  return leaf;
}

/**
 * Batched lookup of packets 0..n-1: (F_TABLE, F_DST_IP) -> F_RESULT = route value and
 * F_RESULT2 = matched prefix length, or F_RESULT 0 and F_RESULT2 LPM_MISS.
 */
export function lpmLookup(n: i32): void {
  const dbase = descriptors();
  for (let i = 0; i < n; i++) {
    const t = get(F_TABLE, i);
    const dst = get(F_DST_IP, i);
    let leaf: u64 = 0;
    if (t < <u32>LPM_MAX_TABLES) {
      const d = dbase + (<usize>t << 4);
      const root = <usize>load<u32>(d);
      if (root != 0) {
        leaf = walk(root, load<u32>(d, 4), dst);
        const broot = <usize>load<u32>(d, 8);
        if (broot != 0) {
          const b = walk(broot, load<u32>(d, 12), dst);
          if (<u32>b != 0 && (<u32>leaf == 0 || leafLen(b) > leafLen(leaf))) leaf = b;
        }
      }
    }
    if (<u32>leaf == 0) {
      set(F_RESULT, i, 0);
      set(F_RESULT2, i, LPM_MISS);
    } else {
      set(F_RESULT, i, <u32>(leaf >>> 32));
      set(F_RESULT2, i, leafLen(leaf));
    }
  }
}

/** Bytes held by route-table plies (roots included), for memory reports. */
export function lpmBytes(): f64 {
  return <f64>plyCount * <f64>PLY_BYTES + <f64>wideCount * <f64>(PLY_BYTES << 8);
}
