// Bridge forwarding database, TypeScript backend. Same algorithm and probe order as
// assembly/fdb.ts (one open-addressing table keyed by bridge and MAC, linear probing,
// tombstones), over typed arrays so no object is made per packet. See that file for
// the design notes.
import { PORT_FLOOD, LEARN_NEW, LEARN_REFRESHED, LEARN_MOVED, LEARN_IGNORED, R_LEARN_MOVED } from '../../../assembly/shared/vector.js';
import type { PacketVector } from '../PacketVector.js';
import type { FdbEntry } from '../Datapath.js';

const DEAD = 0xffffffff;
const MIN_CAP = 1024;

function hash(bridge: number, hi: number, lo: number): number {
  let h = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca77) ^ Math.imul(bridge, 0xc2b2ae3d)) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return h >>> 0;
}

/** FDB over struct-of-arrays typed arrays. */
export class TsFdb {
  private bridge = new Uint32Array(0);
  private port = new Uint32Array(0);
  private lo = new Uint32Array(0);
  private hi = new Uint32Array(0);
  private seen = new Float64Array(0);
  private cap = 0;
  private live = 0;
  private dead = 0;

  private alloc(c: number): void {
    this.bridge = new Uint32Array(c);
    this.port = new Uint32Array(c);
    this.lo = new Uint32Array(c);
    this.hi = new Uint32Array(c);
    this.seen = new Float64Array(c);
    this.cap = c;
    this.live = 0;
    this.dead = 0;
  }

  private find(b: number, hi: number, lo: number): number {
    if (this.cap === 0) return -1;
    const mask = this.cap - 1;
    let s = hash(b, hi, lo) & mask;
    for (;;) {
      const x = this.bridge[s]!;
      if (x === 0) return -1;
      if (x === b && this.lo[s] === lo && this.hi[s] === hi) return s;
      s = (s + 1) & mask;
    }
  }

  private insertFresh(b: number, hi: number, lo: number, port: number, now: number): void {
    const mask = this.cap - 1;
    let s = hash(b, hi, lo) & mask;
    for (;;) {
      const x = this.bridge[s]!;
      if (x === 0 || x === DEAD) {
        if (x === DEAD) this.dead--;
        this.bridge[s] = b; this.port[s] = port; this.lo[s] = lo; this.hi[s] = hi; this.seen[s] = now;
        this.live++;
        return;
      }
      s = (s + 1) & mask;
    }
  }

  private grow(): void {
    const { bridge, port, lo, hi, seen, cap } = this;
    let c = cap < MIN_CAP ? MIN_CAP : cap;
    if ((this.live + 1) * 2 > c) c *= 2;
    this.alloc(c);
    for (let s = 0; s < cap; s++) {
      const b = bridge[s]!;
      if (b !== 0 && b !== DEAD) this.insertFresh(b, hi[s]!, lo[s]!, port[s]!, seen[s]!);
    }
  }

  learn(v: PacketVector, n: number, now: number): number {
    let added = 0, moved = 0;
    for (let i = 0; i < n; i++) {
      const r = this.learnOne(v.table[i]!, v.srcMacHi[i]!, v.srcMacLo[i]!, v.inPort[i]!, now);
      v.result[i] = r;
      if (r === LEARN_NEW) added++;
      else if (r === LEARN_MOVED) moved++;
    }
    v.report[R_LEARN_MOVED] = moved;
    return added;
  }

  /** Learn one source MAC (hi, lo) on (bridge b, port p), as assembly/fdb.ts fdbLearnOne: the LEARN_* result. */
  learnOne(b: number, hi: number, lo: number, p: number, now: number): number {
    if (((hi >>> 8) & 1) !== 0) return LEARN_IGNORED;
    const s = this.find(b, hi, lo);
    if (s >= 0) {
      this.seen[s] = now;
      if (this.port[s] === p) return LEARN_REFRESHED;
      this.port[s] = p;
      return LEARN_MOVED;
    }
    if ((this.live + this.dead + 1) * 2 > this.cap) this.grow();
    this.insertFresh(b, hi, lo, p, now);
    return LEARN_NEW;
  }

  lookup(v: PacketVector, n: number, now: number, ageMs: number): void {
    for (let i = 0; i < n; i++) v.outPort[i] = this.portOf(v.table[i]!, v.dstMacHi[i]!, v.dstMacLo[i]!, now, ageMs);
  }

  /** One forwarding decision, as assembly/fdb.ts fdbPort: the learned port of (hi, lo) on bridge b, or PORT_FLOOD. */
  portOf(b: number, hi: number, lo: number, now: number, ageMs: number): number {
    if (((hi >>> 8) & 1) !== 0) return PORT_FLOOD;
    const s = this.find(b, hi, lo);
    return s < 0 || now - this.seen[s]! > ageMs ? PORT_FLOOD : this.port[s]!;
  }

  age(now: number, ageMs: number): number {
    let removed = 0;
    for (let s = 0; s < this.cap; s++) {
      const b = this.bridge[s]!;
      if (b !== 0 && b !== DEAD && now - this.seen[s]! > ageMs) {
        this.bridge[s] = DEAD; this.live--; this.dead++; removed++;
      }
    }
    return removed;
  }

  flush(bridge: number, port: number): number {
    let removed = 0;
    for (let s = 0; s < this.cap; s++) {
      if (this.bridge[s] === bridge && (port === PORT_FLOOD || this.port[s] === port)) {
        this.bridge[s] = DEAD; this.live--; this.dead++; removed++;
      }
    }
    return removed;
  }

  entries(): FdbEntry[] {
    const out: FdbEntry[] = [];
    for (let s = 0; s < this.cap; s++) {
      const b = this.bridge[s]!;
      if (b !== 0 && b !== DEAD) out.push({ bridge: b, port: this.port[s]!, macHi: this.hi[s]!, macLo: this.lo[s]!, seenMs: this.seen[s]! });
    }
    return out;
  }
}
