// The batched lookups (see layout.ts for the tables they read).
import { F_TABLE, F_DST_IP, F_RESULT, F_RESULT2, LPM_MISS, LPM_MAX_TABLES, VEC_FIELD_BYTES } from '../shared/vector';
import { LPM_ROOT_WIDE, LPM_ROOT_DIR24, LPM_SHADOW_VALUE_SHIFT, LPM_SHADOW_ROOT, LPM_OWNER_MANY } from '../shared/lpm';
import { VEC, VEC_SCRATCH, get, set } from '../vector';
import { D_ROOT, D_BITS, D_BASE, D_COUNT, D_VALUE, D_PREFIX, D_MASK, D_SHADOW, baseOf, ownOf, isPly, terminal,
  descriptors, descOf } from './layout';
import { dirtyTables, shadowFlush } from './shadow';
import { ownerOf } from './owners';

// The vector fields a lookup reads and writes, as constant load offsets (see VEC).
// @ts-ignore: decorator
@inline const AT_TABLE: usize = VEC + F_TABLE * VEC_FIELD_BYTES;
// @ts-ignore: decorator
@inline const AT_DST: usize = VEC + F_DST_IP * VEC_FIELD_BYTES;
// @ts-ignore: decorator
@inline const AT_RESULT: usize = VEC + F_RESULT * VEC_FIELD_BYTES;
// @ts-ignore: decorator
@inline const AT_RESULT2: usize = VEC + F_RESULT2 * VEC_FIELD_BYTES;

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
      // As setLeafAt: the low bits are (len << 1) | 1, or 0 when empty, so this is len or -1 (LPM_MISS).
      store<u32>(o, <u32>(<i32>((w & ((1 << LPM_SHADOW_VALUE_SHIFT) - 1)) - 1) >> 1), AT_RESULT2);
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
  // A terminal's low word is (len << 1) | 1 and empty is 0, so (low - 1) >> 1, an
  // arithmetic shift, is the length or -1, LPM_MISS: three instructions, where selecting
  // between the length field and LPM_MISS took seven.
  store<u32>(o, <u32>(<i32>(<u32>leaf - 1) >> 1), AT_RESULT2);
}

if (LPM_MISS != 0xffffffff) ERROR('setLeafAt writes -1 for a miss: LPM_MISS must be 0xffffffff');

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
 * With setLeafAt's arithmetic, 76 x86 instructions a lookup went to 46 (valgrind):
 * per-node WASM x1.50 (in-process A/Bs, 15 and 11 rounds).
 */
function lookupDerived(i: i32, n: i32, base: u32, index: usize): i32 {
  const root = <usize>load<u32>(descOf(base), D_ROOT);
  const bases = baseOf;
  const end = <usize>n << 2;
  let o = <usize>i << 2;
  for (; o < end; o += 4) {
    const t = load<u32>(o, AT_TABLE);
    if (t >= <u32>LPM_MAX_TABLES) break; // out of range (and table 0 below): lpmLookup answers a miss
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
