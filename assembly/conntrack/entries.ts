// The connection entries: one flat 48-byte record per connection (Cilium's ct_entry
// habit), ids recycled through a free list, a connection count per zone.
//
// Entry (48 bytes), id 0 unused:
//   0 key0 (zone << 8 | proto)   4 orig src   8 orig dst   12 orig ports
//   16 reply src                 20 reply dst  24 reply ports
//   28 state (low 8 bits, 0 = free) | status bits (CT_S_*)
//   32 f64 expiry time in ms     40 next free id while free
import { CT_MAX_ZONES } from '../shared/vector';
import { SLOT, slotCap, initSlots, killSlot } from './slots';

// @ts-ignore: decorator
@inline export const ENTRY: usize = 48;
// @ts-ignore: decorator
@inline const MIN_ENTRIES: u32 = 256;
/** ctFlush/ctCount zone meaning "every zone". */
// @ts-ignore: decorator
@inline export const ALL_ZONES: u32 = 0xffffffff;

/** Status bit: the destination was translated (DNAT, a Service). */
// @ts-ignore: decorator
@inline const CT_S_DNAT: u32 = 0x100;
/** Status bit: the source was translated (SNAT/masquerade, or a port remap on clash). */
// @ts-ignore: decorator
@inline const CT_S_SNAT: u32 = 0x200;
/** Status bit: the first FIN came from the reply direction. */
// @ts-ignore: decorator
@inline export const CT_S_FIN_REPLY: u32 = 0x400;

export let entries: usize = 0;
let entryCap: u32 = 0;
export let nextId: u32 = 1;
let freeId: u32 = 0;
export let live: u32 = 0;
/** Connections per zone, a u32 each. */
export let zoneCount: usize = 0;

/** Allocate the tables on first use. */
export function ensureInit(): void {
  if (zoneCount != 0) return;
  zoneCount = heap.alloc(<usize>CT_MAX_ZONES << 2);
  memory.fill(zoneCount, 0, <usize>CT_MAX_ZONES << 2);
  initSlots();
  entries = heap.alloc(<usize>MIN_ENTRIES * ENTRY);
  memory.fill(entries, 0, <usize>MIN_ENTRIES * ENTRY);
  entryCap = MIN_ENTRIES;
}

function allocEntry(): u32 {
  if (freeId != 0) {
    const id = freeId;
    freeId = load<u32>(entries + <usize>id * ENTRY, 40);
    return id;
  }
  if (nextId >= entryCap) {
    const old = entries;
    const c = entryCap << 1;
    entries = heap.alloc(<usize>c * ENTRY);
    memory.copy(entries, old, <usize>entryCap * ENTRY);
    memory.fill(entries + <usize>entryCap * ENTRY, 0, <usize>entryCap * ENTRY);
    heap.free(old);
    entryCap = c;
  }
  return nextId++;
}

/**
 * A new connection of zone k0 >>> 8 with original tuple (src, dst, oports) and reply
 * tuple (rsrc, rdst, rports), in `state`; its status says which sides were translated.
 * Counted in its zone; not yet in the hash (linkSlots) nor given an expiry (track).
 * Returns its id.
 */
export function newEntry(k0: u32, src: u32, dst: u32, oports: u32, rsrc: u32, rdst: u32, rports: u32, state: u32): u32 {
  const id = allocEntry();
  const e = entries + <usize>id * ENTRY;
  // Bitwise | of the tests: no branch per test.
  const status = (u32((rsrc != dst) | ((rports >>> 16) != (oports & 0xffff))) * CT_S_DNAT)
    | (u32((rdst != src) | ((rports & 0xffff) != (oports >>> 16))) * CT_S_SNAT);
  store<u32>(e, k0);
  store<u32>(e, src, 4);
  store<u32>(e, dst, 8);
  store<u32>(e, oports, 12);
  store<u32>(e, rsrc, 16);
  store<u32>(e, rdst, 20);
  store<u32>(e, rports, 24);
  store<u32>(e, state | status, 28);
  const zc = zoneCount + (<usize>(k0 >>> 8) << 2);
  store<u32>(zc, load<u32>(zc) + 1);
  live++;
  return id;
}

/** Remove connection `id`: both its slots, its zone count, and recycle the id. */
export function removeEntry(id: u32): void {
  const e = entries + <usize>id * ENTRY;
  const k0 = load<u32>(e);
  killSlot(k0, load<u32>(e, 4), load<u32>(e, 8), load<u32>(e, 12));
  killSlot(k0, load<u32>(e, 16), load<u32>(e, 20), load<u32>(e, 24));
  const zc = zoneCount + (<usize>(k0 >>> 8) << 2);
  store<u32>(zc, load<u32>(zc) - 1);
  live--;
  store<u32>(e, 0, 28);
  store<u32>(e, freeId, 40);
  freeId = id;
}

/** Forget every connection: ids restart at 1, capacity kept (ctFlush of every zone). */
export function clearEntries(): void {
  memory.fill(entries, 0, <usize>nextId * ENTRY);
  memory.fill(zoneCount, 0, <usize>CT_MAX_ZONES << 2);
  nextId = 1;
  freeId = 0;
  live = 0;
}

/** The live connection a slot names, or 0 after removing it when it has expired. */
// @ts-ignore: decorator
@inline export function liveRef(slot: usize, now: f64): u32 {
  const ref = load<u32>(slot);
  const id = ref >>> 1;
  if (load<f64>(entries + <usize>id * ENTRY, 32) <= now) { removeEntry(id); return 0; }
  return ref;
}

/** Connections of `zone` (ALL_ZONES: all), expired ones not yet swept included. */
export function ctCount(zone: u32): u32 {
  ensureInit();
  return zone == ALL_ZONES ? live : load<u32>(zoneCount + (<usize>zone << 2));
}

/** Address of entry 0 (entries are 48 bytes apart), for dumps. */
export function ctEntries(): usize { ensureInit(); return entries; }
/** One past the highest entry id ever used, for dumps. */
export function ctIdLimit(): u32 { return nextId; }
/** Bytes held by the connection table (entries and hash slots). */
export function ctBytes(): f64 { return <f64>entryCap * <f64>ENTRY + <f64>slotCap * <f64>SLOT; }
