// The tuple hash: open addressing with linear probing over 20-byte slots, one for
// each direction of every connection.
//
// Tuple key (4 words): zone << 8 | proto, src, dst, sport << 16 | dport. ICMP carries
// the echo id in both port fields, so the key matches in both directions.
//
// Slot (20 bytes): u32 ref (0 empty, DEAD tombstone, else id << 1 | direction), then
// the 4 key words. A removal leaves a tombstone (a probe must go on past it); a rehash
// drops them, doubling only when live slots need the room.

// @ts-ignore: decorator
@inline export const SLOT: usize = 20;
// @ts-ignore: decorator
@inline export const DEAD: u32 = 0xffffffff;
// @ts-ignore: decorator
@inline const MIN_SLOTS: u32 = 1024;

export let slots: usize = 0;
export let slotCap: u32 = 0; // power of two
let slotUsed: u32 = 0;
let slotDead: u32 = 0;

/**
 * Bumped whenever a slot stops being free or becomes one other than by an insert
 * (a removal leaves a tombstone, a rehash moves every slot): a free slot remembered
 * by findFree is where place would put its key while this is unchanged.
 */
export let slotEpoch: u32 = 0;
/** The first free (empty or tombstone) slot of the last findFree's probe sequence, and that key's last word. */
export let freeSlot: usize = 0;
let freeK3: u32 = 0;
/** Sum of the words the prefetch passes load, kept so the loads are not optimised away. */
export let touched: u32 = 0;

// @ts-ignore: decorator
@inline export function hash4(a: u32, b: u32, c: u32, d: u32): u32 {
  let h = a * 0x9e3779b1 ^ b * 0x85ebca77;
  h = (h ^ (h >>> 15)) * 0x2c1b3c6d ^ c * 0xc2b2ae3d;
  h = (h ^ (h >>> 13)) * 0x27d4eb2f ^ d * 0x165667b1;
  h ^= h >>> 16;
  return h;
}

/** The first word of slot s: a prefetch pass loads it so the cache misses of a vector overlap. */
// @ts-ignore: decorator
@inline export function slotWord(s: u32): u32 { return load<u32>(slots + <usize>s * SLOT); }

/** An empty table of MIN_SLOTS slots (the first call only). */
export function initSlots(): void { allocSlots(MIN_SLOTS); }

function allocSlots(c: u32): void {
  slotEpoch++;
  slots = heap.alloc(<usize>c * SLOT);
  memory.fill(slots, 0, <usize>c * SLOT);
  slotCap = c;
  slotUsed = 0;
  slotDead = 0;
}

/** Empty every slot, keeping the capacity (ctFlush of every zone). */
export function clearSlots(): void {
  memory.fill(slots, 0, <usize>slotCap * SLOT);
  slotEpoch++;
  slotUsed = 0;
  slotDead = 0;
}

/** Slot address holding key (k0..k3), or 0. */
function find(k0: u32, k1: u32, k2: u32, k3: u32): usize {
  return findFrom(hash4(k0, k1, k2, k3) & (slotCap - 1), k0, k1, k2, k3);
}

/** find from home slot s (hash4 & (slotCap - 1), computed by the caller). */
// @ts-ignore: decorator
@inline export function findFrom(s: u32, k0: u32, k1: u32, k2: u32, k3: u32): usize {
  const mask = slotCap - 1, base = slots;
  while (true) {
    const e = base + <usize>s * SLOT;
    const r = load<u32>(e);
    if (r == 0) return 0;
    // One test for the four key words (a chain of && compiles to a branch per word); a
    // tombstone keeps its key, so it is checked too.
    const diff = (load<u32>(e, 4) ^ k0) | (load<u32>(e, 8) ^ k1) | (load<u32>(e, 12) ^ k2) | (load<u32>(e, 16) ^ k3);
    if (diff == 0 && r != DEAD) return e;
    s = (s + 1) & mask;
  }
}

/** find, also remembering in freeSlot the slot place would fill for this key (ctInsert reuses it). */
export function findFree(k0: u32, k1: u32, k2: u32, k3: u32): usize {
  const mask = slotCap - 1, base = slots;
  let s = hash4(k0, k1, k2, k3) & mask;
  let free: usize = 0;
  freeK3 = k3;
  while (true) {
    const e = base + <usize>s * SLOT;
    const r = load<u32>(e);
    if (r == 0) { freeSlot = free != 0 ? free : e; return 0; }
    const diff = (load<u32>(e, 4) ^ k0) | (load<u32>(e, 8) ^ k1) | (load<u32>(e, 12) ^ k2) | (load<u32>(e, 16) ^ k3);
    if (r == DEAD) { if (free == 0) free = e; }
    else if (diff == 0) { freeSlot = 0; return e; }
    s = (s + 1) & mask;
  }
}

/** Fill free slot e (from findFree) with ref and the key, as place would. */
// @ts-ignore: decorator
@inline function putAt(e: usize, ref: u32, k0: u32, k1: u32, k2: u32, k3: u32): void {
  if (load<u32>(e) == DEAD) slotDead--;
  store<u32>(e, ref);
  store<u32>(e, k0, 4);
  store<u32>(e, k1, 8);
  store<u32>(e, k2, 12);
  store<u32>(e, k3, 16);
  slotUsed++;
}

function place(ref: u32, k0: u32, k1: u32, k2: u32, k3: u32): void {
  const mask = slotCap - 1;
  let s = hash4(k0, k1, k2, k3) & mask;
  while (true) {
    const e = slots + <usize>s * SLOT;
    const r = load<u32>(e);
    if (r == 0 || r == DEAD) { putAt(e, ref, k0, k1, k2, k3); return; }
    s = (s + 1) & mask;
  }
}

/** Make room for two more slots: double when live slots need it, else just drop tombstones. */
function reserveSlots(): void {
  if ((slotUsed + slotDead + 2) * 2 <= slotCap) return;
  const old = slots;
  const oldCap = slotCap;
  let c = oldCap;
  while ((slotUsed + 2) * 2 > c) c <<= 1;
  allocSlots(c);
  for (let s: u32 = 0; s < oldCap; s++) {
    const e = old + <usize>s * SLOT;
    const r = load<u32>(e);
    if (r != 0 && r != DEAD) place(r, load<u32>(e, 4), load<u32>(e, 8), load<u32>(e, 12), load<u32>(e, 16));
  }
  heap.free(old);
}

/**
 * Put connection `id` under its original tuple (k0, src, dst, oports) and its reply
 * tuple (k0, rsrc, rdst, rports), in the free slots the caller's probes ended on:
 * origFree from the original tuple's findFree, and freeSlot when the last findFree
 * was the reply tuple's (for ICMP the first probe is with the original reply port,
 * and the id then goes in both port fields). If something freed or moved slots since
 * `epoch` (an expired entry removed, a rehash), probe again. The reply's slot is not
 * the original's unless both probe sequences end on the same slot.
 */
export function linkSlots(id: u32, origFree: usize, epoch: u32, k0: u32, src: u32, dst: u32, oports: u32, rsrc: u32, rdst: u32, rports: u32): void {
  const replyFree = freeK3 == rports ? freeSlot : 0;
  reserveSlots();
  if (slotEpoch == epoch) {
    putAt(origFree, id << 1, k0, src, dst, oports);
    if (replyFree != 0 && replyFree != origFree) putAt(replyFree, (id << 1) | 1, k0, rsrc, rdst, rports);
    else place((id << 1) | 1, k0, rsrc, rdst, rports);
  } else {
    place(id << 1, k0, src, dst, oports);
    place((id << 1) | 1, k0, rsrc, rdst, rports);
  }
}

/** Tombstone the slot holding key (k0..k3), if any. */
export function killSlot(k0: u32, k1: u32, k2: u32, k3: u32): void {
  const e = find(k0, k1, k2, k3);
  if (e != 0) { store<u32>(e, DEAD); slotUsed--; slotDead++; slotEpoch++; }
}
