// The overlay owner index of a base table (see layout.ts for the tables themselves).
import { LPM_OWNER_MANY, LPM_OWNER_SLOT } from '../shared/lpm';
import { descriptors, ownOf } from './layout';

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
@inline export const CHUNK_BYTES: usize = 1024; // 256 u32 owners
// @ts-ignore: decorator
@inline export const INDEX_BYTES: usize = 262144; // 2^16 chunk addresses
let noneChunk: usize = 0;
let manyChunk: usize = 0;
let freeChunks: usize = 0;
let freeIndexes: usize = 0;
export let chunkCount: u32 = 0;
export let indexCount: u32 = 0;

/**
 * Set the overlay owner of base table `base` at `slot` (LPM_OWNER_SLOT: a /24, slot =
 * address >>> 8, any owner; LPM_OWNER_CHUNK: a whole /16, slot = address >>> 16, owner 0
 * or LPM_OWNER_MANY, which drops the /16's own chunk). The first call makes the index, all 0.
 */
export function lpmOwnerSet(base: u32, slot: u32, bits: u32, owner: u32): void {
  descriptors();
  if (noneChunk == 0) { // the shared chunks, at the first index
    noneChunk = heap.alloc(CHUNK_BYTES);
    memory.fill(noneChunk, 0, CHUNK_BYTES);
    manyChunk = heap.alloc(CHUNK_BYTES);
    memory.fill(manyChunk, 0xff, CHUNK_BYTES); // LPM_OWNER_MANY in every slot
  }
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

/** dst's /24 slot in an owner index: 0, the one derived table with routes there, or LPM_OWNER_MANY. */
// @ts-ignore: decorator
@inline export function ownerOf(index: usize, dst: u32): u32 {
  return load<u32>(<usize>load<u32>(index + (<usize>(dst >>> 16) << 2)) + (<usize>((dst >>> 8) & 255) << 2));
}
