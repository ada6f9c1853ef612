// Tables made and freed, routes inserted and removed (see layout.ts for the layouts).
import { LPM_ROOT_INLINE, LPM_ROOT_WIDE, LPM_ROOT_DIR24, LPM_INLINE_MAX, LPM_DESC_BYTES, LPM_SHADOW_BYTES } from '../shared/lpm';
import { PLY_SLOTS, PLY_BYTES, WIDE_BYTES, DIR24_BYTES, D_ROOT, D_BITS, D_BASE, D_COUNT, D_VALUE, D_PREFIX, D_MASK, D_LIVE,
  baseOf, plyCount, wideCount, dir24Count, isPly, leafLen, terminal, descriptors, descOf, maskOf,
  allocPly, freePly, allocRoot, freeRoot } from './layout';
import { shadowCount, shadowInit, shadowFree, shadowTouch } from './shadow';
import { CHUNK_BYTES, INDEX_BYTES, chunkCount, indexCount } from './owners';

// @ts-ignore: decorator
@inline const NO_COVER: u32 = 0xffffffff;

let tableCount: u32 = 0;

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
    if (bits == LPM_ROOT_DIR24) shadowFree(t, d);
    if (bits == LPM_ROOT_DIR24 || bits == LPM_ROOT_WIDE) freeRoot(root, bits);
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

/** Bytes held by route tables: descriptors of live tables, roots and plies. */
export function lpmBytes(): f64 {
  return <f64>tableCount * <f64>LPM_DESC_BYTES + <f64>plyCount * <f64>PLY_BYTES
    + <f64>wideCount * <f64>WIDE_BYTES + <f64>dir24Count * <f64>DIR24_BYTES + <f64>shadowCount * <f64>LPM_SHADOW_BYTES
    + <f64>indexCount * <f64>INDEX_BYTES + <f64>chunkCount * <f64>CHUNK_BYTES;
}

