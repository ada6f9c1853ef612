// Connection tracking and NAT, TypeScript backend. Same algorithm, hash, probe order,
// id recycling and port choice as assembly/conntrack/ (see its files for the design
// notes), over typed arrays so nothing is allocated per packet, and so both backends
// hand out the same connection ids and NAT ports.
import {
  FLAG_CT_REPLY, FLAG_CT_NEW, FLAG_NAT_DST, FLAG_NAT_SRC, FLAG_CT_MASK, CT_MAX_ZONES, CT_PREFETCH_SLOTS, CT_FIN_WAIT, CT_REPLIED, VEC_MAX,
} from '../../../assembly/shared/vector.js';
import { CT_TABLE_FULL, PORT_CONFLICT, INVALID_PACKET } from '../../../assembly/shared/drop.js';
import type { PacketVector } from '../PacketVector.js';
import { CT_S_FIN_REPLY, firstState, tcpNext, timeoutMs } from './tcpNext.js';

const SLOT = 5; // words
const ENTRY = 12; // words; expiry lives in its own Float64Array
const DEAD = 0xffffffff;
const MIN_SLOTS = 1024;
const MIN_ENTRIES = 256;
const CT_S_DNAT = 0x100;
const CT_S_SNAT = 0x200;
/** replyPort's answer when every port is taken. */
const NO_PORT = 0xffffffff;
/** ctFlush/ctCount zone meaning "every zone". */
export const ALL_ZONES = 0xffffffff;

function hash4(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ Math.imul(c, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) ^ Math.imul(d, 0x165667b1);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The connection table over typed arrays. */
export class TsConntrack {
  private slots = new Uint32Array(MIN_SLOTS * SLOT);
  private slotCap = MIN_SLOTS;
  private slotUsed = 0;
  private slotDead = 0;
  /** Entry words (layout of assembly/conntrack/entries.ts, word 10 = next free id). */
  entries = new Uint32Array(MIN_ENTRIES * ENTRY);
  expires = new Float64Array(MIN_ENTRIES);
  private entryCap = MIN_ENTRIES;
  nextId = 1;
  private freeId = 0;
  private live = 0;
  drops = 0;
  maxPerZone = 262144;
  private readonly zoneCount = new Uint32Array(CT_MAX_ZONES);
  /** See assembly/conntrack/slots.ts: bumped when a slot is freed or moved other than by an insert; the first free slot of the last findFree and its key's last word. */
  private slotEpoch = 0;
  private freeSlot = -1;
  private freeK3 = 0;
  /** Home slot of every packet's tuple (lookup's first pass). */
  private readonly home = new Uint32Array(VEC_MAX);
  /** Sum of the words the first passes load, kept so the loads are not optimised away. */
  private touched = 0;

  /** Word index of the slot holding the key, or -1. */
  private find(k0: number, k1: number, k2: number, k3: number): number {
    return this.findFrom(hash4(k0, k1, k2, k3) & (this.slotCap - 1), k0, k1, k2, k3);
  }

  /** find from home slot s (hash4 & (slotCap - 1), computed by the caller). */
  private findFrom(s: number, k0: number, k1: number, k2: number, k3: number): number {
    const slots = this.slots, mask = this.slotCap - 1;
    for (;;) {
      const w = s * SLOT;
      const r = slots[w]!;
      if (r === 0) return -1;
      if (r !== DEAD && slots[w + 1] === k0 && slots[w + 2] === k1 && slots[w + 3] === k2 && slots[w + 4] === k3) return w;
      s = (s + 1) & mask;
    }
  }

  /** find, also remembering in freeSlot the slot place would fill for this key (see assembly/conntrack/slots.ts findFree). */
  private findFree(k0: number, k1: number, k2: number, k3: number): number {
    const slots = this.slots, mask = this.slotCap - 1;
    let s = hash4(k0, k1, k2, k3) & mask, free = -1;
    this.freeK3 = k3;
    for (;;) {
      const w = s * SLOT;
      const r = slots[w]!;
      if (r === 0) { this.freeSlot = free >= 0 ? free : w; return -1; }
      if (r === DEAD) { if (free < 0) free = w; }
      else if (slots[w + 1] === k0 && slots[w + 2] === k1 && slots[w + 3] === k2 && slots[w + 4] === k3) { this.freeSlot = -1; return w; }
      s = (s + 1) & mask;
    }
  }

  /** Fill free slot word w (from findFree) with ref and the key, as place would. */
  private putAt(w: number, ref: number, k0: number, k1: number, k2: number, k3: number): void {
    const slots = this.slots;
    if (slots[w] === DEAD) this.slotDead--;
    slots[w] = ref; slots[w + 1] = k0; slots[w + 2] = k1; slots[w + 3] = k2; slots[w + 4] = k3;
    this.slotUsed++;
  }

  private place(ref: number, k0: number, k1: number, k2: number, k3: number): void {
    const slots = this.slots, mask = this.slotCap - 1;
    let s = hash4(k0, k1, k2, k3) & mask;
    for (;;) {
      const w = s * SLOT;
      const r = slots[w]!;
      if (r === 0 || r === DEAD) { this.putAt(w, ref, k0, k1, k2, k3); return; }
      s = (s + 1) & mask;
    }
  }

  private reserveSlots(): void {
    if ((this.slotUsed + this.slotDead + 2) * 2 <= this.slotCap) return;
    const old = this.slots, oldCap = this.slotCap;
    let c = oldCap;
    while ((this.slotUsed + 2) * 2 > c) c *= 2;
    this.slots = new Uint32Array(c * SLOT);
    this.slotEpoch++;
    this.slotCap = c; this.slotUsed = 0; this.slotDead = 0;
    for (let w = 0; w < oldCap * SLOT; w += SLOT) {
      const r = old[w]!;
      if (r !== 0 && r !== DEAD) this.place(r, old[w + 1]!, old[w + 2]!, old[w + 3]!, old[w + 4]!);
    }
  }

  private allocEntry(): number {
    if (this.freeId !== 0) {
      const id = this.freeId;
      this.freeId = this.entries[id * ENTRY + 10]!;
      return id;
    }
    if (this.nextId >= this.entryCap) {
      const c = this.entryCap * 2;
      const e = new Uint32Array(c * ENTRY); e.set(this.entries); this.entries = e;
      const x = new Float64Array(c); x.set(this.expires); this.expires = x;
      this.entryCap = c;
    }
    return this.nextId++;
  }

  private killSlot(k0: number, k1: number, k2: number, k3: number): void {
    const w = this.find(k0, k1, k2, k3);
    if (w >= 0) { this.slots[w] = DEAD; this.slotUsed--; this.slotDead++; this.slotEpoch++; }
  }

  private removeEntry(id: number): void {
    const en = this.entries, w = id * ENTRY, k0 = en[w]!;
    this.killSlot(k0, en[w + 1]!, en[w + 2]!, en[w + 3]!);
    this.killSlot(k0, en[w + 4]!, en[w + 5]!, en[w + 6]!);
    this.zoneCount[k0 >>> 8]!--;
    this.live--;
    en[w + 7] = 0;
    en[w + 10] = this.freeId;
    this.freeId = id;
  }

  private liveRef(slotWord: number, now: number): number {
    const ref = this.slots[slotWord]!;
    const id = ref >>> 1;
    if (this.expires[id]! <= now) { this.removeEntry(id); return 0; }
    return ref;
  }

  private track(v: PacketVector, i: number, id: number, reply: boolean, now: number, isNew: boolean): void {
    const en = this.entries, w = id * ENTRY;
    const proto = en[w]! & 255;
    let state = en[w + 7]! & 255;
    let status = en[w + 7]! & ~255;
    if (!isNew) {
      if (proto === 6) {
        const next = tcpNext(state, status, reply, v.l4Flags[i]!);
        if (next === CT_FIN_WAIT && state !== CT_FIN_WAIT && reply) status |= CT_S_FIN_REPLY;
        state = next;
      } else if (reply) {
        state = CT_REPLIED;
      }
      en[w + 7] = (state | status) >>> 0;
    }
    this.expires[id] = now + timeoutMs(proto, state);
    const src = v.srcIp[i]!, dst = v.dstIp[i]!, sport = v.srcPort[i]! & 0xffff, dport = v.dstPort[i]! & 0xffff;
    const t = w + (reply ? 1 : 4);
    const nsrc = en[t + 1]!, ndst = en[t]!, op = en[t + 2]!;
    const nsport = op & 0xffff, ndport = op >>> 16;
    let fl = v.flags[i]! & ~FLAG_CT_MASK;
    if (reply) fl |= FLAG_CT_REPLY;
    if (isNew) fl |= FLAG_CT_NEW;
    if (nsrc !== src || nsport !== sport) fl |= FLAG_NAT_SRC;
    if (ndst !== dst || ndport !== dport) fl |= FLAG_NAT_DST;
    v.srcIp[i] = nsrc; v.dstIp[i] = ndst; v.srcPort[i] = nsport; v.dstPort[i] = ndport;
    v.flags[i] = fl;
    v.result[i] = id;
    v.result2[i] = state;
  }

  /** Same contract as assembly/conntrack/lookup.ts ctLookup, with the same two passes (misses of a large table overlap). */
  lookup(v: PacketVector, n: number, now: number): void {
    const home = this.home, slots = this.slots, mask = this.slotCap - 1;
    const table = v.table, proto = v.proto, srcIp = v.srcIp, dstIp = v.dstIp, srcPort = v.srcPort, dstPort = v.dstPort;
    const prefetch = this.slotCap > CT_PREFETCH_SLOTS;
    if (prefetch) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const h = hash4(((table[i]! << 8) | (proto[i]! & 255)) >>> 0, srcIp[i]!, dstIp[i]!, ((srcPort[i]! << 16) | (dstPort[i]! & 0xffff)) >>> 0) & mask;
        home[i] = h;
        sum ^= slots[h * SLOT]!;
      }
      this.touched = sum;
    }
    for (let i = 0; i < n; i++) {
      if (v.drop[i] !== 0) continue;
      const k0 = ((table[i]! << 8) | (proto[i]! & 255)) >>> 0, k1 = srcIp[i]!, k2 = dstIp[i]!;
      const k3 = ((srcPort[i]! << 16) | (dstPort[i]! & 0xffff)) >>> 0;
      const s = this.findFrom(prefetch ? home[i]! : hash4(k0, k1, k2, k3) & mask, k0, k1, k2, k3);
      const ref = s < 0 ? 0 : this.liveRef(s, now);
      if (ref === 0) { v.result[i] = 0; v.result2[i] = 0; v.flags[i] = v.flags[i]! & ~FLAG_CT_MASK; continue; }
      this.track(v, i, ref >>> 1, (ref & 1) !== 0, now, false);
    }
  }

  private taken(k0: number, k1: number, k2: number, k3: number, now: number): boolean {
    const s = this.findFree(k0, k1, k2, k3);
    return s >= 0 && this.liveRef(s, now) !== 0;
  }

  /** ctInsert's first pass, as assembly/conntrack/insert.ts prefetchReplies: load every reply tuple's home slot. */
  private prefetchReplies(v: PacketVector, n: number): void {
    const slots = this.slots, mask = this.slotCap - 1;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (v.drop[i] !== 0) continue;
      const dnat = v.dnatIp[i]!, snat = v.snatIp[i]!, proto = v.proto[i]! & 255;
      const rsrc = dnat !== 0 ? dnat : v.dstIp[i]!;
      const rsport = dnat !== 0 && proto !== 1 ? v.dnatPort[i]! & 0xffff : v.dstPort[i]! & 0xffff;
      const rdst = snat !== 0 ? snat : v.srcIp[i]!;
      const k0 = ((v.table[i]! << 8) | proto) >>> 0;
      sum ^= slots[(hash4(k0, rsrc, rdst, ((rsport << 16) | (v.srcPort[i]! & 0xffff)) >>> 0) & mask) * SLOT]!;
    }
    this.touched = sum;
  }

  /**
   * The reply tuple's destination port, as assembly/conntrack/insert.ts replyPort: the
   * original source port when that reply tuple is free, else the first free port from a
   * hash-chosen start (ICMP: in both port fields); NO_PORT when every one is taken.
   */
  private replyPort(k0: number, src: number, dst: number, oports: number, rsrc: number, rsport: number, rdst: number, now: number): number {
    const sport = oports >>> 16;
    if (!this.taken(k0, rsrc, rdst, ((rsport << 16) | sport) >>> 0, now)) return sport;
    const icmp = (k0 & 255) === 1;
    const lo = icmp ? 0 : 1024;
    const range = 65536 - lo;
    const start = hash4(k0, src, dst, oports) % range;
    for (let k = 0; k < range; k++) {
      const p = lo + (start + k) % range;
      if (!this.taken(k0, rsrc, rdst, (((icmp ? p : rsport) << 16) | p) >>> 0, now)) return p;
    }
    return NO_PORT;
  }

  /** A new connection, as assembly/conntrack/entries.ts newEntry: written, counted in its zone; returns its id. */
  private newEntry(k0: number, src: number, dst: number, oports: number, rsrc: number, rdst: number, rports: number, state: number): number {
    const id = this.allocEntry();
    let status = 0;
    if (rsrc !== dst || rports >>> 16 !== (oports & 0xffff)) status |= CT_S_DNAT;
    if (rdst !== src || (rports & 0xffff) !== oports >>> 16) status |= CT_S_SNAT;
    const en = this.entries, w = id * ENTRY;
    en[w] = k0; en[w + 1] = src; en[w + 2] = dst; en[w + 3] = oports;
    en[w + 4] = rsrc; en[w + 5] = rdst; en[w + 6] = rports; en[w + 7] = state | status;
    this.zoneCount[k0 >>> 8]!++;
    this.live++;
    return id;
  }

  /** Put connection id's two tuples in the hash, as assembly/conntrack/slots.ts linkSlots: in the free slots the probes ended on unless slots moved since `epoch`. */
  private linkSlots(id: number, origFree: number, epoch: number, k0: number, src: number, dst: number, oports: number, rsrc: number, rdst: number, rports: number): void {
    const replyFree = this.freeK3 === rports ? this.freeSlot : -1;
    this.reserveSlots();
    if (this.slotEpoch === epoch) {
      this.putAt(origFree, id * 2, k0, src, dst, oports);
      if (replyFree >= 0 && replyFree !== origFree) this.putAt(replyFree, id * 2 + 1, k0, rsrc, rdst, rports);
      else this.place(id * 2 + 1, k0, rsrc, rdst, rports);
    } else {
      this.place(id * 2, k0, src, dst, oports);
      this.place(id * 2 + 1, k0, rsrc, rdst, rports);
    }
  }

  /** Same contract as assembly/conntrack/insert.ts ctInsert. */
  insert(v: PacketVector, n: number, now: number): number {
    if (this.slotCap > CT_PREFETCH_SLOTS) this.prefetchReplies(v, n);
    let created = 0;
    for (let i = 0; i < n; i++) {
      if (v.drop[i] !== 0) continue;
      const zone = v.table[i]!;
      if (zone >= CT_MAX_ZONES) { v.drop[i] = INVALID_PACKET; v.result[i] = 0; continue; }
      const proto = v.proto[i]! & 255;
      const k0 = ((zone << 8) | proto) >>> 0;
      const src = v.srcIp[i]!, dst = v.dstIp[i]!;
      const oports = ((v.srcPort[i]! << 16) | (v.dstPort[i]! & 0xffff)) >>> 0;
      const epoch = this.slotEpoch;
      const s = this.findFree(k0, src, dst, oports);
      const origFree = this.freeSlot;
      const ref = s < 0 ? 0 : this.liveRef(s, now);
      if (ref !== 0) { this.track(v, i, ref >>> 1, (ref & 1) !== 0, now, false); continue; }
      if (this.zoneCount[zone]! >= this.maxPerZone) { v.drop[i] = CT_TABLE_FULL; v.result[i] = 0; this.drops++; continue; }
      const dnat = v.dnatIp[i]!, snat = v.snatIp[i]!;
      const rsrc = dnat !== 0 ? dnat : dst;
      const rsport = dnat !== 0 && proto !== 1 ? v.dnatPort[i]! & 0xffff : v.dstPort[i]! & 0xffff;
      const rdst = snat !== 0 ? snat : src;
      const rdport = this.replyPort(k0, src, dst, oports, rsrc, rsport, rdst, now);
      if (rdport === NO_PORT) { v.drop[i] = PORT_CONFLICT; v.result[i] = 0; continue; }
      const rports = (((proto === 1 ? rdport : rsport) << 16) | rdport) >>> 0; // ICMP: the id sits in both port fields
      const id = this.newEntry(k0, src, dst, oports, rsrc, rdst, rports, firstState(proto, v.l4Flags[i]!));
      this.linkSlots(id, origFree, epoch, k0, src, dst, oports, rsrc, rdst, rports);
      this.track(v, i, id, false, now, true);
      created++;
    }
    return created;
  }

  expire(now: number): number {
    let removed = 0;
    for (let id = 1; id < this.nextId; id++) {
      if ((this.entries[id * ENTRY + 7]! & 255) !== 0 && this.expires[id]! <= now) { this.removeEntry(id); removed++; }
    }
    return removed;
  }

  /** See assembly/conntrack/sweep.ts ctFlush: flushing every zone empties the table outright. */
  flush(zone: number): number {
    if (zone === ALL_ZONES) {
      const removed = this.live;
      this.entries.fill(0, 0, this.nextId * ENTRY);
      this.expires.fill(0, 0, this.nextId);
      this.slots.fill(0);
      this.slotEpoch++;
      this.zoneCount.fill(0);
      this.slotUsed = 0; this.slotDead = 0; this.nextId = 1; this.freeId = 0; this.live = 0;
      return removed;
    }
    let removed = 0;
    for (let id = 1; id < this.nextId; id++) {
      const w = id * ENTRY;
      if ((this.entries[w + 7]! & 255) !== 0 && (zone === ALL_ZONES || this.entries[w]! >>> 8 === zone)) { this.removeEntry(id); removed++; }
    }
    return removed;
  }

  count(zone: number): number {
    return zone === ALL_ZONES ? this.live : this.zoneCount[zone] ?? 0;
  }

  bytes(): number {
    return this.entryCap * ENTRY * 4 + this.slotCap * SLOT * 4;
  }
}
