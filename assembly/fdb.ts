// Bridge forwarding database (Linux br_fdb): source MAC learning, unicast lookup,
// flooding on a miss, ageing (300 s default, `ip link set br0 type bridge ageing_time`).
//
// Design trade-off: one open-addressing hash table for every bridge of the cluster,
// keyed by (bridge id, MAC), instead of a table per bridge. Thousands of bridges with a
// handful of MACs each would waste a power-of-two table apiece; one shared table keeps
// memory proportional to learned entries. Linear probing with tombstones; the table
// doubles when live + dead entries pass half its capacity.
//
// Entry layout (24 bytes): u32 bridge (0 empty, DEAD tombstone), u32 port,
// u32 mac low, u32 mac high (16 bits used), f64 last-seen time in ms.
import { F_TABLE, F_SRC_MAC_HI, F_SRC_MAC_LO, F_DST_MAC_HI, F_DST_MAC_LO, F_IN_PORT,
  F_OUT_PORT, F_RESULT, PORT_FLOOD, LEARN_NEW, LEARN_REFRESHED, LEARN_MOVED,
  LEARN_IGNORED, F_REPORT, R_LEARN_MOVED, VEC_MAX } from './shared/vector';
import { VEC, get, set } from './vector';

// @ts-ignore: decorator
@inline const ENTRY: usize = 24;
// @ts-ignore: decorator
@inline const DEAD: u32 = 0xffffffff;
// @ts-ignore: decorator
@inline const MIN_CAP: u32 = 1024;

let table: usize = 0;
let cap: u32 = 0; // power of two
let live: u32 = 0;
let dead: u32 = 0;

// @ts-ignore: decorator
@inline function hash(bridge: u32, hi: u32, lo: u32): u32 {
  let h = lo * 0x9e3779b1 ^ (hi * 0x85ebca77) ^ (bridge * 0xc2b2ae3d);
  h ^= h >>> 15;
  h *= 0x2c1b3c6d;
  h ^= h >>> 12;
  return h;
}

function allocTable(c: u32): void {
  table = heap.alloc(<usize>c * ENTRY);
  memory.fill(table, 0, <usize>c * ENTRY);
  cap = c;
  live = 0;
  dead = 0;
}

/** Slot of (bridge, mac), or -1 when absent. */
function find(bridge: u32, hi: u32, lo: u32): i32 {
  if (cap == 0) return -1;
  const mask = cap - 1;
  let s = hash(bridge, hi, lo) & mask;
  while (true) {
    const e = table + <usize>s * ENTRY;
    const b = load<u32>(e);
    if (b == 0) return -1;
    if (b == bridge && load<u32>(e, 8) == lo && load<u32>(e, 12) == hi) return <i32>s;
    s = (s + 1) & mask;
  }
}

function insertFresh(bridge: u32, hi: u32, lo: u32, port: u32, now: f64): void {
  const mask = cap - 1;
  let s = hash(bridge, hi, lo) & mask;
  while (true) {
    const e = table + <usize>s * ENTRY;
    const b = load<u32>(e);
    if (b == 0 || b == DEAD) {
      if (b == DEAD) dead--;
      store<u32>(e, bridge);
      store<u32>(e, port, 4);
      store<u32>(e, lo, 8);
      store<u32>(e, hi, 12);
      store<f64>(e, now, 16);
      live++;
      return;
    }
    s = (s + 1) & mask;
  }
}

function grow(): void {
  const oldTable = table;
  const oldCap = cap;
  let c = oldCap < MIN_CAP ? MIN_CAP : oldCap;
  if ((live + 1) * 2 > c) c <<= 1; // only double when live entries need it; else just purge tombstones
  allocTable(c);
  for (let s: u32 = 0; s < oldCap; s++) {
    const e = oldTable + <usize>s * ENTRY;
    const b = load<u32>(e);
    if (b != 0 && b != DEAD) {
      insertFresh(b, load<u32>(e, 12), load<u32>(e, 8), load<u32>(e, 4), load<f64>(e, 16));
    }
  }
  if (oldTable != 0) heap.free(oldTable);
}

/** Group address: the I/G bit (lowest bit of the first octet) is set. */
// @ts-ignore: decorator
@inline function isGroup(hi: u32): bool {
  return ((hi >>> 8) & 1) != 0;
}

/**
 * Learn the source MAC of packets 0..n-1 on (F_TABLE bridge, F_IN_PORT).
 * Writes LEARN_* into F_RESULT and the count of LEARN_MOVED into F_REPORT word
 * R_LEARN_MOVED; returns how many MACs were new.
 */
export function fdbLearn(n: i32, now: f64): i32 {
  let added = 0, moved = 0;
  for (let i = 0; i < n; i++) {
    const r = fdbLearnOne(get(F_TABLE, i), get(F_SRC_MAC_HI, i), get(F_SRC_MAC_LO, i), get(F_IN_PORT, i), now);
    set(F_RESULT, i, r);
    added += i32(r == LEARN_NEW);
    moved += i32(r == LEARN_MOVED);
  }
  store<u32>(VEC + <usize>F_REPORT * VEC_MAX * 4 + (R_LEARN_MOVED << 2), moved);
  return added;
}

/** Learn one source MAC (hi, lo) on (bridge, port) at `now`: the LEARN_* result. */
// @ts-ignore: decorator
@inline export function fdbLearnOne(bridge: u32, hi: u32, lo: u32, port: u32, now: f64): u32 {
  if (isGroup(hi)) return LEARN_IGNORED;
  const s = find(bridge, hi, lo);
  if (s >= 0) {
    const e = table + <usize>s * ENTRY;
    store<f64>(e, now, 16);
    if (load<u32>(e, 4) == port) return LEARN_REFRESHED;
    store<u32>(e, port, 4);
    return LEARN_MOVED;
  }
  if ((live + dead + 1) * 2 > cap) grow();
  insertFresh(bridge, hi, lo, port, now);
  return LEARN_NEW;
}

/**
 * Forwarding decision for packets 0..n-1: F_OUT_PORT gets the learned port of the
 * destination MAC, or PORT_FLOOD for group addresses, unknown or aged-out entries.
 */
export function fdbLookup(n: i32, now: f64, ageMs: f64): void {
  for (let i = 0; i < n; i++) set(F_OUT_PORT, i, fdbPort(get(F_TABLE, i), get(F_DST_MAC_HI, i), get(F_DST_MAC_LO, i), now, ageMs));
}

/** One forwarding decision: the learned port of MAC (hi, lo) on `bridge`, or PORT_FLOOD (group address, unknown, aged out). */
// @ts-ignore: decorator
@inline export function fdbPort(bridge: u32, hi: u32, lo: u32, now: f64, ageMs: f64): u32 {
  if (isGroup(hi)) return PORT_FLOOD;
  const s = find(bridge, hi, lo);
  if (s < 0) return PORT_FLOOD;
  const e = table + <usize>s * ENTRY;
  return now - load<f64>(e, 16) > ageMs ? PORT_FLOOD : load<u32>(e, 4);
}

/** Remove entries not seen for more than ageMs; returns how many went. */
export function fdbAge(now: f64, ageMs: f64): i32 {
  let removed = 0;
  for (let s: u32 = 0; s < cap; s++) {
    const e = table + <usize>s * ENTRY;
    const b = load<u32>(e);
    if (b != 0 && b != DEAD && now - load<f64>(e, 16) > ageMs) {
      store<u32>(e, DEAD); live--; dead++; removed++;
    }
  }
  return removed;
}

/** Remove every entry of a bridge port (port deleted), or of the whole bridge when port is PORT_FLOOD. */
export function fdbFlush(bridge: u32, port: u32): i32 {
  let removed = 0;
  for (let s: u32 = 0; s < cap; s++) {
    const e = table + <usize>s * ENTRY;
    if (load<u32>(e) == bridge && (port == PORT_FLOOD || load<u32>(e, 4) == port)) {
      store<u32>(e, DEAD); live--; dead++; removed++;
    }
  }
  return removed;
}

/** Number of live entries. */
export function fdbSize(): u32 { return live; }
/** Slot count of the table (for dumps: walk slots 0..cap-1). */
export function fdbCapacity(): u32 { return cap; }
/** Address of the table (entries are ENTRY bytes apart). */
export function fdbTable(): usize { return table; }
