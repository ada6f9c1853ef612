// Removing connections in bulk: expiry (the kernel's gc worker) and `conntrack -F`.
import { ENTRY, ALL_ZONES, entries, nextId, live, ensureInit, removeEntry, clearEntries } from './entries';
import { clearSlots } from './slots';

/** Remove every connection expired at `now`; returns how many. */
export function ctExpire(now: f64): i32 {
  ensureInit();
  let removed = 0;
  for (let id: u32 = 1; id < nextId; id++) {
    const e = entries + <usize>id * ENTRY;
    if ((load<u32>(e, 28) & 255) != 0 && load<f64>(e, 32) <= now) { removeEntry(id); removed++; }
  }
  return removed;
}

/**
 * Remove every connection of `zone` (ALL_ZONES: every zone), like `conntrack -F`;
 * returns how many. Flushing every zone empties the table outright (slots zeroed, ids
 * restart at 1, capacity kept as Linux keeps its hash size): removing entries one by
 * one would probe the hash twice per connection and leave a tombstone in every slot.
 */
export function ctFlush(zone: u32): i32 {
  ensureInit();
  if (zone == ALL_ZONES) {
    const removed = live;
    clearEntries();
    clearSlots();
    return <i32>removed;
  }
  let removed = 0;
  for (let id: u32 = 1; id < nextId; id++) {
    const e = entries + <usize>id * ENTRY;
    if ((load<u32>(e, 28) & 255) != 0 && load<u32>(e) >>> 8 == zone) { removeEntry(id); removed++; }
  }
  return removed;
}
