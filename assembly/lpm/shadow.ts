// The root shadow of a DIR-24-8 table (see layout.ts for the tables themselves).
import { LPM_ROOT_DIR24, LPM_SHADOW_VALUE_SHIFT, LPM_SHADOW_VALUE_LIMIT, LPM_SHADOW_ROOT, LPM_SHADOW_BYTES } from '../shared/lpm';
import { D_ROOT, D_BITS, D_SHADOW, D_NDIRTY, descOf } from './layout';

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
export let dirtyTables: u32 = 0;
let freeShadows: usize = 0;
export let shadowCount: u32 = 0;

/** The shadow word of a root leaf. */
// @ts-ignore: decorator
@inline function shadowWord(leaf: u64): u32 {
  const lo = <u32>leaf;
  const value = <u32>(leaf >>> 32);
  const fits = (lo & 1) != 0 && value < <u32>LPM_SHADOW_VALUE_LIMIT;
  return select<u32>(select<u32>((value << LPM_SHADOW_VALUE_SHIFT) | lo, LPM_SHADOW_ROOT, fits), 0, lo != 0);
}

/** An all-empty shadow for a new DIR-24-8 table (its root is all empty too). */
export function shadowInit(d: usize): void {
  let sh = freeShadows;
  if (sh != 0) freeShadows = load<usize>(sh);
  else sh = (heap.alloc(<usize>LPM_SHADOW_BYTES + 64) + 63) & ~<usize>63;
  memory.fill(sh, 0, <usize>LPM_SHADOW_BYTES);
  store<u32>(d, <u32>sh, D_SHADOW);
  store<u32>(d, 0, D_NDIRTY);
  shadowCount++;
}

export function shadowFree(t: u32, d: usize): void {
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
export function shadowTouch(t: u32, d: usize, prefix: u32, len: u32): void {
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
export function shadowFlush(): void {
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

