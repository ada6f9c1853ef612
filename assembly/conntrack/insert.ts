// ctInsert: new connections, and the NAT port choice that keeps every reply tuple
// unique (nf_nat's get_unique_tuple).
import { F_TABLE, F_SRC_IP, F_DST_IP, F_SRC_PORT, F_DST_PORT, F_PROTO, F_RESULT, F_DROP, F_DNAT_IP, F_DNAT_PORT,
  F_SNAT_IP, CT_MAX_ZONES, CT_PREFETCH_SLOTS } from '../shared/vector';
import { CT_TABLE_FULL, PORT_CONFLICT, INVALID_PACKET } from '../shared/drop';
import { get, set } from '../vector';
import { slotCap, slotEpoch, freeSlot, touched, hash4, slotWord, findFree, linkSlots } from './slots';
import { zoneCount, ensureInit, liveRef, newEntry } from './entries';
import { firstState, track } from './track';
import { key0 } from './lookup';

/** replyPort's answer when every port is taken. */
// @ts-ignore: decorator
@inline const NO_PORT: u32 = 0xffffffff;

let drops: u32 = 0;
let maxPerZone: u32 = 262144;

/** Set the per-zone maximum (nf_conntrack_max); existing connections stay. */
export function ctSetMax(max: u32): void { maxPerZone = max; }
/** Packets dropped because their zone's table was full. */
export function ctDrops(): u32 { return drops; }

/** Is the reply tuple taken by a live connection? (freeSlot: where it would go, while slotEpoch stands.) */
function taken(k0: u32, k1: u32, k2: u32, k3: u32, now: f64): bool {
  const s = findFree(k0, k1, k2, k3);
  return s != 0 && liveRef(s, now) != 0;
}

/** Packet i's reply tuple source port (its DNAT IP `dnat`, 0 for none): the DNAT port when it has one (ICMP: the echo id stays). */
// @ts-ignore: decorator
@inline function replySport(i: i32, proto: u32, dnat: u32): u32 {
  return dnat != 0 && proto != 1 ? get(F_DNAT_PORT, i) & 0xffff : get(F_DST_PORT, i) & 0xffff;
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
    const rsrc = dnat != 0 ? dnat : get(F_DST_IP, i), rdst = snat != 0 ? snat : get(F_SRC_IP, i);
    const rsport = replySport(i, get(F_PROTO, i) & 255, dnat);
    sum += slotWord(hash4(key0(i), rsrc, rdst, (rsport << 16) | (get(F_SRC_PORT, i) & 0xffff)) & mask);
  }
  touched = sum;
}

/**
 * The reply tuple's destination port for a connection with key word k0 and original
 * tuple (src, dst, oports) whose reply goes from (rsrc, rsport) to rdst: like nf_nat's
 * get_unique_tuple, the original source port when that reply tuple is free, else the
 * first free port from a hash-chosen start in 1024..65535 (ICMP: the echo id in
 * 0..65535, in both port fields). NO_PORT when every one is taken.
 */
function replyPort(k0: u32, src: u32, dst: u32, oports: u32, rsrc: u32, rsport: u32, rdst: u32, now: f64): u32 {
  const sport = oports >>> 16;
  if (!taken(k0, rsrc, rdst, (rsport << 16) | sport, now)) return sport;
  const icmp = (k0 & 255) == 1;
  const lo: u32 = icmp ? 0 : 1024;
  const range: u32 = 65536 - lo;
  const start = hash4(k0, src, dst, oports) % range;
  for (let k: u32 = 0; k < range; k++) {
    const p = lo + (start + k) % range;
    if (!taken(k0, rsrc, rdst, ((icmp ? p : rsport) << 16) | p, now)) return p;
  }
  return NO_PORT;
}

/** Drop packet i with `code`. */
// @ts-ignore: decorator
@inline function dropPacket(i: i32, code: u32): void { set(F_DROP, i, code); set(F_RESULT, i, 0); }

/**
 * Create connections for live packets 0..n-1 that have none (a packet whose tuple is
 * already tracked just follows its connection). NAT comes from F_DNAT_IP/F_DNAT_PORT
 * (DNAT to a Service endpoint) and F_SNAT_IP (masquerade); the reply tuple must be
 * unique (replyPort). A zone id >= CT_MAX_ZONES drops the packet with INVALID_PACKET.
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
    if (zone >= <u32>CT_MAX_ZONES) { dropPacket(i, INVALID_PACKET); continue; }
    const proto = get(F_PROTO, i) & 255;
    const k0 = (zone << 8) | proto;
    const src = get(F_SRC_IP, i), dst = get(F_DST_IP, i);
    const oports = (get(F_SRC_PORT, i) << 16) | (get(F_DST_PORT, i) & 0xffff);
    const epoch = slotEpoch;
    const s = findFree(k0, src, dst, oports);
    const origFree = freeSlot;
    const ref = s == 0 ? 0 : liveRef(s, now);
    if (ref != 0) { track(i, ref >>> 1, (ref & 1) != 0, now, false); continue; }
    if (load<u32>(zoneCount + (<usize>zone << 2)) >= maxPerZone) { dropPacket(i, CT_TABLE_FULL); drops++; continue; }
    const dnat = get(F_DNAT_IP, i), snat = get(F_SNAT_IP, i);
    const rsrc = dnat != 0 ? dnat : dst, rsport = replySport(i, proto, dnat), rdst = snat != 0 ? snat : src;
    const rdport = replyPort(k0, src, dst, oports, rsrc, rsport, rdst, now);
    if (rdport == NO_PORT) { dropPacket(i, PORT_CONFLICT); continue; }
    const rports = ((proto == 1 ? rdport : rsport) << 16) | rdport; // ICMP: the id sits in both port fields
    const id = newEntry(k0, src, dst, oports, rsrc, rdst, rports, firstState(proto, i));
    linkSlots(id, origFree, epoch, k0, src, dst, oports, rsrc, rdst, rports);
    track(i, id, false, now, true);
    created++;
  }
  return created;
}
