// How a PodTable finds a pod's slot by its key (`namespace/name`) with no key string and
// no Map: open addressing with linear probing over the keys' FNV-1a hashes (hashChars,
// continued from the namespace's state), in typed arrays, at most half full. A Map of
// 150,000 fresh key strings was most of a replay's cost (see PodTable).

/** Who can tell whether a slot holds a key: asked only about slots whose key has the hash sought. */
export interface KeyHolder {
  /** Whether `slot` holds the pod named `name` in the namespace with code `nc`. */
  holds(slot: number, nc: number, name: string): boolean;
}

/** Slots by key hash (see the head comment); slots are the PodTable's. */
export class PodKeyIndex {
  /** Per slot: its key's hash (what a rebuild or a delete needs). */
  hashes: Int32Array;
  /** Per entry: slot + 1, 0 free, -1 deleted. */
  private table: Int32Array;
  /** Entries taken, deleted ones included. */
  private used = 0;

  constructor(cap: number) {
    this.hashes = new Int32Array(cap);
    this.table = new Int32Array(tableSize(cap));
  }

  /** The slot holding a key whose hash is `h` (`holder` tells which), or -1. */
  find(h: number, holder: KeyHolder, nc: number, name: string): number {
    const t = this.table;
    const mask = t.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = t[i]!;
      if (e === 0) return -1;
      if (e > 0 && this.hashes[e - 1] === h && holder.holds(e - 1, nc, name)) return e - 1;
    }
  }

  /**
   * Index a new slot whose key hashes to `h`. When that would make the table more than
   * half full, it is rebuilt from the live slots instead (`alive[0..count)`, this one included).
   */
  add(slot: number, h: number, alive: Uint8Array, count: number, live: number): void {
    this.hashes[slot] = h;
    if ((this.used + 1) * 2 > this.table.length) { this.rebuild(alive, count, live, this.hashes.length); return; }
    this.put(slot, h);
    this.used++;
  }

  /** Drop a slot's entry (it stays taken, as deleted, until a rebuild). */
  remove(slot: number): void {
    const t = this.table;
    const mask = t.length - 1;
    for (let i = this.hashes[slot]! & mask; ; i = (i + 1) & mask) {
      if (t[i] === slot + 1) { t[i] = -1; return; }
    }
  }

  /** Room for `cap` slots, keeping the hashes of the first `n`. */
  grow(cap: number, n: number): void {
    const hashes = new Int32Array(cap);
    hashes.set(this.hashes.subarray(0, n));
    this.hashes = hashes;
  }

  /** An index of the live slots only (`alive[s] === 1` for s < count), sized for `cap` slots. */
  rebuild(alive: Uint8Array, count: number, live: number, cap: number): void {
    this.table = new Int32Array(tableSize(Math.max(cap, live * 2)));
    for (let s = 0; s < count; s++) if (alive[s] === 1) this.put(s, this.hashes[s]!);
    this.used = live;
  }

  private put(slot: number, h: number): void {
    const t = this.table;
    const mask = t.length - 1;
    let i = h & mask;
    while (t[i] !== 0) i = (i + 1) & mask;
    t[i] = slot + 1;
  }
}

/** Entries for `n` keys: a power of two at least twice `n`. */
function tableSize(n: number): number {
  let size = 16;
  while (size < 2 * n) size *= 2;
  return size;
}
