// ctLookup: the batch kernel every packet of a known connection takes.
import { VEC_MAX, F_TABLE, F_SRC_IP, F_DST_IP, F_SRC_PORT, F_DST_PORT, F_PROTO, F_RESULT, F_RESULT2, F_FLAGS, F_DROP,
  FLAG_CT_MASK, CT_PREFETCH_SLOTS } from '../shared/vector';
import { get, set } from '../vector';
import { slotCap, hash4, slotWord, findFrom, touched } from './slots';
import { ensureInit, liveRef } from './entries';
import { trackInline } from './track';

/** Home slot of every packet's tuple (ctLookup's first pass). */
const HOME: usize = memory.data(VEC_MAX * 4, 64);

/** Packet i's tuple key, first word: zone << 8 | proto. */
// @ts-ignore: decorator
@inline export function key0(i: i32): u32 { return (get(F_TABLE, i) << 8) | (get(F_PROTO, i) & 255); }
// @ts-ignore: decorator
@inline function ports(i: i32): u32 { return (get(F_SRC_PORT, i) << 16) | (get(F_DST_PORT, i) & 0xffff); }

/**
 * Batched conntrack lookup over live packets 0..n-1 (F_DROP 0): (F_TABLE zone, 5-tuple)
 * -> F_RESULT = connection id and F_RESULT2 = its state, the packet rewritten by the
 * connection's NAT (a reply is un-NATed) and FLAG_CT_REPLY / FLAG_NAT_* set; or
 * F_RESULT 0 on a miss (then call ctInsert). Expired connections are removed on sight.
 *
 * Two passes, as lpmLookup: pass 1 hashes every tuple and loads its home slot, no
 * branch per packet, so the cache misses of a table larger than the cache overlap;
 * pass 2 probes from the saved home slots (removals on sight only mark tombstones,
 * so the slots do not move between the passes). A table of at most
 * CT_PREFETCH_SLOTS slots is in cache: pass 2 alone, hashing as it goes.
 */
export function ctLookup(n: i32, now: f64): void {
  ensureInit();
  const mask = slotCap - 1;
  const prefetch = slotCap > <u32>CT_PREFETCH_SLOTS;
  if (prefetch) {
    let sum: u32 = 0;
    for (let i = 0; i < n; i++) {
      const h = hash4(key0(i), get(F_SRC_IP, i), get(F_DST_IP, i), ports(i)) & mask;
      store<u32>(HOME + (<usize>i << 2), h);
      sum += slotWord(h);
    }
    touched = sum;
  }
  for (let i = 0; i < n; i++) {
    if (get(F_DROP, i) != 0) continue;
    const k0 = key0(i), k1 = get(F_SRC_IP, i), k2 = get(F_DST_IP, i), k3 = ports(i);
    const home = prefetch ? load<u32>(HOME + (<usize>i << 2)) : hash4(k0, k1, k2, k3) & mask;
    const s = findFrom(home, k0, k1, k2, k3);
    const ref = s == 0 ? 0 : liveRef(s, now);
    if (ref == 0) {
      set(F_RESULT, i, 0);
      set(F_RESULT2, i, 0);
      set(F_FLAGS, i, get(F_FLAGS, i) & ~FLAG_CT_MASK);
      continue;
    }
    trackInline(i, ref >>> 1, (ref & 1) != 0, now, false);
  }
}
