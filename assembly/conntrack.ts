// Connection tracking and NAT per zone (one zone per node), after Linux nf_conntrack
// and nf_nat.
//
// Design trade-off: one flat entry per connection (Cilium's ct_entry habit) plus one
// open-addressing hash over tuples, where every connection has two slots: its
// original tuple and its reply tuple (the reply after NAT). A reply packet therefore
// finds its connection in one lookup and is un-NATed from the entry, as in Linux. One
// hash for every zone keeps memory proportional to connections, not to nodes.
//
// Tuple key (4 words): zone << 8 | proto, src, dst, sport << 16 | dport. ICMP carries
// the echo id in both port fields, so the key matches in both directions.
//
// Slot (20 bytes): u32 ref (0 empty, DEAD tombstone, else id << 1 | direction), then
// the 4 key words. Entry (48 bytes), id 0 unused:
//   0 key0 (zone << 8 | proto)   4 orig src   8 orig dst   12 orig ports
//   16 reply src                 20 reply dst  24 reply ports
//   28 state (low 8 bits, 0 = free) | status bits (CT_S_*)
//   32 f64 expiry time in ms     40 next free id while free
import { CT_TO_SYN_SENT, CT_TO_SYN_RECV, CT_TO_ESTABLISHED, CT_TO_FIN_WAIT, CT_TO_CLOSE_WAIT, CT_TO_LAST_ACK, CT_TO_TIME_WAIT, CT_TO_CLOSE, CT_TO_UDP, CT_TO_UDP_STREAM, CT_TO_ICMP, CT_TO_GENERIC } from './shared/conntrackTimeouts';
import { VEC_MAX, F_TABLE, F_SRC_IP, F_DST_IP, F_SRC_PORT, F_DST_PORT, F_PROTO, F_RESULT, F_RESULT2,
  F_FLAGS, F_DROP, F_L4_FLAGS, F_DNAT_IP, F_DNAT_PORT, F_SNAT_IP, FLAG_CT_REPLY, FLAG_CT_NEW,
  FLAG_NAT_DST, FLAG_NAT_SRC, FLAG_CT_MASK, CT_MAX_ZONES, CT_PREFETCH_SLOTS, CT_SYN_SENT, CT_SYN_RECV,
  CT_ESTABLISHED, CT_FIN_WAIT, CT_CLOSE_WAIT, CT_LAST_ACK, CT_TIME_WAIT, CT_CLOSE,
  CT_UNREPLIED, CT_REPLIED } from './shared/vector';
import { CT_TABLE_FULL, PORT_CONFLICT, INVALID_PACKET } from './shared/drop';
import { get, set } from './vector';

// @ts-ignore: decorator
@inline const SLOT: usize = 20;
// @ts-ignore: decorator
@inline const ENTRY: usize = 48;
// @ts-ignore: decorator
@inline const DEAD: u32 = 0xffffffff;
// @ts-ignore: decorator
@inline const MIN_SLOTS: u32 = 1024;
// @ts-ignore: decorator
@inline const MIN_ENTRIES: u32 = 256;
// @ts-ignore: decorator
@inline const ALL_ZONES: u32 = 0xffffffff;

/** Status bit: the destination was translated (DNAT, a Service). */
// @ts-ignore: decorator
@inline const CT_S_DNAT: u32 = 0x100;
/** Status bit: the source was translated (SNAT/masquerade, or a port remap on clash). */
// @ts-ignore: decorator
@inline const CT_S_SNAT: u32 = 0x200;
/** Status bit: the first FIN came from the reply direction. */
// @ts-ignore: decorator
@inline const CT_S_FIN_REPLY: u32 = 0x400;

// TCP flag bits of F_L4_FLAGS.
// @ts-ignore: decorator
@inline const TCP_FIN: u32 = 0x01;
// @ts-ignore: decorator
@inline const TCP_SYN: u32 = 0x02;
// @ts-ignore: decorator
@inline const TCP_RST: u32 = 0x04;
// @ts-ignore: decorator
@inline const TCP_ACK: u32 = 0x10;

let slots: usize = 0;
let slotCap: u32 = 0; // power of two
let slotUsed: u32 = 0;
let slotDead: u32 = 0;
let entries: usize = 0;
let entryCap: u32 = 0;
let nextId: u32 = 1;
let freeId: u32 = 0;
let live: u32 = 0;
let drops: u32 = 0;
let maxPerZone: u32 = 262144;
let zoneCount: usize = 0;

// @ts-ignore: decorator
@inline function hash4(a: u32, b: u32, c: u32, d: u32): u32 {
  let h = a * 0x9e3779b1 ^ b * 0x85ebca77;
  h = (h ^ (h >>> 15)) * 0x2c1b3c6d ^ c * 0xc2b2ae3d;
  h = (h ^ (h >>> 13)) * 0x27d4eb2f ^ d * 0x165667b1;
  h ^= h >>> 16;
  return h;
}

/**
 * Linux conntrack timeouts in ms; kube-proxy's where it sets them
 * (tcp established 24 h, close-wait 1 h), the kernel's defaults otherwise.
 */
// @ts-ignore: decorator
@inline function timeoutMs(proto: u32, state: u32): f64 {
  if (proto == 6) {
    switch (state) {
      case CT_SYN_SENT: return CT_TO_SYN_SENT;
      case CT_SYN_RECV: return CT_TO_SYN_RECV;
      case CT_ESTABLISHED: return CT_TO_ESTABLISHED;
      case CT_FIN_WAIT: return CT_TO_FIN_WAIT;
      case CT_CLOSE_WAIT: return CT_TO_CLOSE_WAIT;
      case CT_LAST_ACK: return CT_TO_LAST_ACK;
      case CT_TIME_WAIT: return CT_TO_TIME_WAIT;
      default: return CT_TO_CLOSE;
    }
  }
  if (proto == 17) return state == CT_REPLIED ? CT_TO_UDP_STREAM : CT_TO_UDP;
  if (proto == 1) return CT_TO_ICMP;
  return CT_TO_GENERIC;
}

function ensureInit(): void {
  if (zoneCount != 0) return;
  zoneCount = heap.alloc(<usize>CT_MAX_ZONES << 2);
  memory.fill(zoneCount, 0, <usize>CT_MAX_ZONES << 2);
  allocSlots(MIN_SLOTS);
  entries = heap.alloc(<usize>MIN_ENTRIES * ENTRY);
  memory.fill(entries, 0, <usize>MIN_ENTRIES * ENTRY);
  entryCap = MIN_ENTRIES;
}

function allocSlots(c: u32): void {
  slotEpoch++;
  slots = heap.alloc(<usize>c * SLOT);
  memory.fill(slots, 0, <usize>c * SLOT);
  slotCap = c;
  slotUsed = 0;
  slotDead = 0;
}

/** Slot address holding key (k0..k3), or 0. */
function find(k0: u32, k1: u32, k2: u32, k3: u32): usize {
  return findFrom(hash4(k0, k1, k2, k3) & (slotCap - 1), k0, k1, k2, k3);
}

/** find from home slot s (hash4 & (slotCap - 1), computed by the caller). */
// @ts-ignore: decorator
@inline function findFrom(s: u32, k0: u32, k1: u32, k2: u32, k3: u32): usize {
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

/**
 * Bumped whenever a slot stops being free or becomes one other than by an insert
 * (a removal leaves a tombstone, a rehash moves every slot): a free slot remembered
 * by findFree is where place would put its key while this is unchanged.
 */
let slotEpoch: u32 = 0;
/** The first free (empty or tombstone) slot of the last findFree's probe sequence, and that key's last word. */
let freeSlot: usize = 0;
let freeK3: u32 = 0;

/** find, also remembering in freeSlot the slot place would fill for this key (ctInsert reuses it). */
function findFree(k0: u32, k1: u32, k2: u32, k3: u32): usize {
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

function killSlot(k0: u32, k1: u32, k2: u32, k3: u32): void {
  const e = find(k0, k1, k2, k3);
  if (e != 0) { store<u32>(e, DEAD); slotUsed--; slotDead++; slotEpoch++; }
}

/** Remove connection `id`: both its slots, its zone count, and recycle the id. */
function removeEntry(id: u32): void {
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

/** Linux's TCP state machine, reduced to the transitions a simulated flow makes (inline: it runs for every TCP hit). */
// @ts-ignore: decorator
@inline function tcpNext(state: u32, status: u32, reply: bool, flags: u32): u32 {
  if ((flags & TCP_RST) != 0) return CT_CLOSE;
  const finByReply = (status & CT_S_FIN_REPLY) != 0;
  if ((flags & TCP_SYN) != 0) {
    if (!reply && (flags & TCP_ACK) == 0 && (state == CT_TIME_WAIT || state == CT_CLOSE)) return CT_SYN_SENT; // port reuse
    if (reply && (flags & TCP_ACK) != 0 && state == CT_SYN_SENT) return CT_SYN_RECV;
    return state;
  }
  if ((flags & TCP_FIN) != 0) {
    if (state == CT_ESTABLISHED || state == CT_SYN_RECV) return CT_FIN_WAIT;
    if ((state == CT_FIN_WAIT || state == CT_CLOSE_WAIT) && reply != finByReply) return CT_LAST_ACK;
    return state;
  }
  if ((flags & TCP_ACK) != 0) {
    if (state == CT_SYN_RECV && !reply) return CT_ESTABLISHED;
    if (state == CT_FIN_WAIT && reply != finByReply) return CT_CLOSE_WAIT;
    if (state == CT_LAST_ACK) return CT_TIME_WAIT;
  }
  return state;
}

/** Advance connection `id` for packet i seen in direction `reply`, rewrite the packet by the NAT, set the results. */
function track(i: i32, id: u32, reply: bool, now: f64, isNew: bool): void {
  trackInline(i, id, reply, now, isNew);
}

/** track's body, inlined into ctLookup's loop (the hit of every established packet). */
// @ts-ignore: decorator
@inline function trackInline(i: i32, id: u32, reply: bool, now: f64, isNew: bool): void {
  const e = entries + <usize>id * ENTRY;
  const k0 = load<u32>(e);
  const proto = k0 & 255;
  let word = load<u32>(e, 28);
  let state = word & 255;
  let status = word & ~255;
  if (!isNew) {
    if (proto == 6) {
      const flags = get(F_L4_FLAGS, i);
      const next = tcpNext(state, status, reply, flags);
      if (next == CT_FIN_WAIT && state != CT_FIN_WAIT && reply) status |= CT_S_FIN_REPLY;
      state = next;
    } else if (reply) {
      state = CT_REPLIED;
    }
    store<u32>(e, state | status, 28);
  }
  store<f64>(e, now + timeoutMs(proto, state), 32);
  // The packet leaves as the inverse of the other direction's tuple.
  const src = get(F_SRC_IP, i), dst = get(F_DST_IP, i);
  const ports = (get(F_SRC_PORT, i) << 16) | (get(F_DST_PORT, i) & 0xffff);
  const t = e + (reply ? 4 : 16);
  const nsrc = load<u32>(t, 4), ndst = load<u32>(t);
  const op = load<u32>(t, 8);
  const nports = (op << 16) | (op >>> 16);
  let fl = get(F_FLAGS, i) & ~FLAG_CT_MASK;
  if (reply) fl |= FLAG_CT_REPLY;
  if (isNew) fl |= FLAG_CT_NEW;
  if (nsrc != src || (nports >>> 16) != (ports >>> 16)) fl |= FLAG_NAT_SRC;
  if (ndst != dst || (nports & 0xffff) != (ports & 0xffff)) fl |= FLAG_NAT_DST;
  set(F_SRC_IP, i, nsrc);
  set(F_DST_IP, i, ndst);
  set(F_SRC_PORT, i, nports >>> 16);
  set(F_DST_PORT, i, nports & 0xffff);
  set(F_FLAGS, i, fl);
  set(F_RESULT, i, id);
  set(F_RESULT2, i, state);
}

/** The live connection a slot names, or 0 after removing it when it has expired. */
// @ts-ignore: decorator
@inline function liveRef(slot: usize, now: f64): u32 {
  const ref = load<u32>(slot);
  const id = ref >>> 1;
  if (load<f64>(entries + <usize>id * ENTRY, 32) <= now) { removeEntry(id); return 0; }
  return ref;
}

/** Home slot of every packet's tuple (ctLookup's first pass). */
const HOME: usize = memory.data(VEC_MAX * 4, 64);
/** Sum of the words the first passes load, kept so the loads are not optimised away. */
let touched: u32 = 0;

// @ts-ignore: decorator
@inline function key0(i: i32): u32 { return (get(F_TABLE, i) << 8) | (get(F_PROTO, i) & 255); }
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
      sum += load<u32>(slots + <usize>h * SLOT);
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

/** Is the reply tuple taken by a live connection? (freeSlot: where it would go, while slotEpoch stands.) */
function taken(k0: u32, k1: u32, k2: u32, k3: u32, now: f64): bool {
  const s = findFree(k0, k1, k2, k3);
  return s != 0 && liveRef(s, now) != 0;
}

/**
 * ctInsert's first pass: load the home slot of every live packet's reply tuple as it
 * would be with its own source port (the usual outcome), so the misses overlap as in
 * ctLookup. The original tuple's slot is in cache from the ctLookup that missed.
 */
function prefetchReplies(n: i32): void {
  const mask = slotCap - 1;
  let sum: u32 = 0;
  for (let i = 0; i < n; i++) {
    if (get(F_DROP, i) != 0) continue;
    const dnat = get(F_DNAT_IP, i), snat = get(F_SNAT_IP, i);
    const proto = get(F_PROTO, i) & 255;
    const rsrc = dnat != 0 ? dnat : get(F_DST_IP, i);
    const rsport = dnat != 0 && proto != 1 ? get(F_DNAT_PORT, i) & 0xffff : get(F_DST_PORT, i) & 0xffff;
    const rdst = snat != 0 ? snat : get(F_SRC_IP, i);
    sum += load<u32>(slots + <usize>(hash4(key0(i), rsrc, rdst, (rsport << 16) | (get(F_SRC_PORT, i) & 0xffff)) & mask) * SLOT);
  }
  touched = sum;
}

/**
 * Create connections for live packets 0..n-1 that have none (a packet whose tuple is
 * already tracked just follows its connection). NAT comes from F_DNAT_IP/F_DNAT_PORT
 * (DNAT to a Service endpoint) and F_SNAT_IP (masquerade). The reply tuple must be
 * unique: like nf_nat's get_unique_tuple, the source port is kept when free, else the
 * first free port from a hash-chosen start in 1024..65535 (ICMP: the echo id in 0..65535).
 * A zone id >= CT_MAX_ZONES drops the packet with INVALID_PACKET.
 * A zone at its maximum drops the packet with CT_TABLE_FULL and counts it. The packet
 * leaves rewritten as ctLookup does, with FLAG_CT_NEW. Returns connections created.
 */
export function ctInsert(n: i32, now: f64): i32 {
  ensureInit();
  if (slotCap > <u32>CT_PREFETCH_SLOTS) prefetchReplies(n);
  let created = 0;
  for (let i = 0; i < n; i++) {
    if (get(F_DROP, i) != 0) continue;
    const zone = get(F_TABLE, i);
    if (zone >= <u32>CT_MAX_ZONES) { set(F_DROP, i, INVALID_PACKET); set(F_RESULT, i, 0); continue; }
    const proto = get(F_PROTO, i) & 255;
    const k0 = (zone << 8) | proto;
    const src = get(F_SRC_IP, i), dst = get(F_DST_IP, i);
    const sport = get(F_SRC_PORT, i) & 0xffff, dport = get(F_DST_PORT, i) & 0xffff;
    const oports = (sport << 16) | dport;
    const epoch = slotEpoch;
    const s = findFree(k0, src, dst, oports);
    const origFree = freeSlot;
    const ref = s == 0 ? 0 : liveRef(s, now);
    if (ref != 0) { track(i, ref >>> 1, (ref & 1) != 0, now, false); continue; }
    const zc = zoneCount + (<usize>zone << 2);
    if (load<u32>(zc) >= maxPerZone) {
      set(F_DROP, i, CT_TABLE_FULL);
      set(F_RESULT, i, 0);
      drops++;
      continue;
    }
    const dnat = get(F_DNAT_IP, i), snat = get(F_SNAT_IP, i);
    const rsrc = dnat != 0 ? dnat : dst;
    const rsport = dnat != 0 && proto != 1 ? get(F_DNAT_PORT, i) & 0xffff : dport;
    const rdst = snat != 0 ? snat : src;
    let rdport = sport;
    if (taken(k0, rsrc, rdst, (rsport << 16) | rdport, now)) {
      const lo: u32 = proto == 1 ? 0 : 1024;
      const range: u32 = 65536 - lo;
      const start = hash4(k0, src, dst, oports) % range;
      let k: u32 = 0;
      for (; k < range; k++) {
        rdport = lo + (start + k) % range;
        const rs = proto == 1 ? rdport : rsport;
        if (!taken(k0, rsrc, rdst, (rs << 16) | rdport, now)) break;
      }
      if (k == range) { set(F_DROP, i, PORT_CONFLICT); set(F_RESULT, i, 0); continue; }
    }
    const rsportFinal = proto == 1 ? rdport : rsport; // ICMP: the id sits in both port fields
    const id = allocEntry();
    const e = entries + <usize>id * ENTRY;
    let state: u32 = CT_UNREPLIED;
    if (proto == 6) state = (get(F_L4_FLAGS, i) & (TCP_SYN | TCP_ACK)) == TCP_SYN ? CT_SYN_SENT : CT_ESTABLISHED;
    let status: u32 = 0;
    if (rsrc != dst || rsportFinal != dport) status |= CT_S_DNAT;
    if (rdst != src || rdport != sport) status |= CT_S_SNAT;
    const rports = (rsportFinal << 16) | rdport;
    store<u32>(e, k0);
    store<u32>(e, src, 4);
    store<u32>(e, dst, 8);
    store<u32>(e, oports, 12);
    store<u32>(e, rsrc, 16);
    store<u32>(e, rdst, 20);
    store<u32>(e, rports, 24);
    store<u32>(e, state | status, 28);
    // The last taken() probed the reply tuple kept, but for ICMP the first probe is with
    // the original reply port, and the id then goes in both port fields.
    const replyFree = freeK3 == rports ? freeSlot : 0;
    reserveSlots();
    // The slots the probes above ended on, unless something freed or moved slots since
    // (an expired entry removed, a rehash): then probe again. The reply's slot is not
    // the original's unless both probe sequences end on the same slot.
    if (slotEpoch == epoch) {
      putAt(origFree, id << 1, k0, src, dst, oports);
      if (replyFree != 0 && replyFree != origFree) putAt(replyFree, (id << 1) | 1, k0, rsrc, rdst, rports);
      else place((id << 1) | 1, k0, rsrc, rdst, rports);
    } else {
      place(id << 1, k0, src, dst, oports);
      place((id << 1) | 1, k0, rsrc, rdst, rports);
    }
    store<u32>(zc, load<u32>(zc) + 1);
    live++;
    created++;
    track(i, id, false, now, true);
  }
  return created;
}

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
    memory.fill(entries, 0, <usize>nextId * ENTRY);
    memory.fill(slots, 0, <usize>slotCap * SLOT);
    slotEpoch++;
    memory.fill(zoneCount, 0, <usize>CT_MAX_ZONES << 2);
    slotUsed = 0;
    slotDead = 0;
    nextId = 1;
    freeId = 0;
    live = 0;
    return <i32>removed;
  }
  let removed = 0;
  for (let id: u32 = 1; id < nextId; id++) {
    const e = entries + <usize>id * ENTRY;
    if ((load<u32>(e, 28) & 255) != 0 && (zone == ALL_ZONES || load<u32>(e) >>> 8 == zone)) { removeEntry(id); removed++; }
  }
  return removed;
}

/** Connections of `zone` (ALL_ZONES: all), expired ones not yet swept included. */
export function ctCount(zone: u32): u32 {
  ensureInit();
  return zone == ALL_ZONES ? live : load<u32>(zoneCount + (<usize>zone << 2));
}

/** Set the per-zone maximum (nf_conntrack_max); existing connections stay. */
export function ctSetMax(max: u32): void { maxPerZone = max; }
/** Packets dropped because their zone's table was full. */
export function ctDrops(): u32 { return drops; }
/** Address of entry 0 (entries are 48 bytes apart), for dumps. */
export function ctEntries(): usize { ensureInit(); return entries; }
/** One past the highest entry id ever used, for dumps. */
export function ctIdLimit(): u32 { return nextId; }
/** Bytes held by the connection table (entries and hash slots). */
export function ctBytes(): f64 { return <f64>entryCap * <f64>ENTRY + <f64>slotCap * <f64>SLOT; }
