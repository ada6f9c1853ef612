// An IPv4 address -> small integer map on typed arrays (open addressing, linear
// probing, power-of-two capacity), built once per ForwardingContext load so the
// per-packet stage loops never touch a Map or allocate; the TS fast path's pod table
// too (assembly/fastpath/tables.ts has its WASM twin, same hash). Address 0 marks an empty
// slot (0.0.0.0 is never a pod's or a node's address).

/** Map from IPv4 address to a non-negative integer; get returns -1 when absent. */
export class IpIndex {
  private keys: Uint32Array;
  private vals: Int32Array;
  private mask: number;
  /** 32 - log2(capacity): Fibonacci hashing keeps the top bits of the product. */
  private shift: number;
  private used = 0;

  constructor(capacity = 64) {
    let c = 64;
    while (c < capacity * 2) c *= 2;
    this.keys = new Uint32Array(c);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
    this.shift = 32 - Math.log2(c);
  }

  /** Home slot of ip: the top bits of ip * 2^32/phi, so neighbouring addresses spread over every slot. */
  private static slot(ip: number, shift: number): number {
    return Math.imul(ip, 0x9e3779b1) >>> shift;
  }

  /** Set ip -> value (value >= 0); ip 0 is ignored. */
  set(ip: number, value: number): void {
    ip >>>= 0;
    if (ip === 0) return;
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys, mask = this.mask;
    let s = IpIndex.slot(ip, this.shift);
    while (keys[s] !== 0 && keys[s] !== ip) s = (s + 1) & mask;
    if (keys[s] === 0) { keys[s] = ip; this.used++; }
    this.vals[s] = value;
  }

  /** The value of ip, or -1. */
  get(ip: number): number {
    ip >>>= 0;
    if (ip === 0) return -1; // 0 marks empty slots
    const keys = this.keys, mask = this.mask;
    let s = IpIndex.slot(ip, this.shift);
    for (;;) {
      const k = keys[s]!;
      if (k === ip) return this.vals[s]!;
      if (k === 0) return -1;
      s = (s + 1) & mask;
    }
  }

  /**
   * The longest probe sequence: how many slots past its home the farthest entry sits,
   * plus one. Stays small while the hash spreads the keys; clustering shows here
   * (a deterministic measure, where a timing would depend on the machine).
   */
  maxProbe(): number {
    const keys = this.keys, mask = this.mask, shift = this.shift;
    let max = 0;
    for (let s = 0; s < keys.length; s++) {
      const k = keys[s]!;
      if (k !== 0) max = Math.max(max, ((s - IpIndex.slot(k, shift)) & mask) + 1);
    }
    return max;
  }

  /** Remove every entry. */
  clear(): void {
    this.keys.fill(0);
    this.used = 0;
  }

  private grow(): void {
    const oldK = this.keys, oldV = this.vals;
    this.keys = new Uint32Array(oldK.length * 2);
    this.vals = new Int32Array(oldK.length * 2);
    this.mask = this.keys.length - 1;
    this.shift = 32 - Math.log2(this.keys.length);
    this.used = 0;
    for (let s = 0; s < oldK.length; s++) if (oldK[s] !== 0) this.set(oldK[s]!, oldV[s]!);
  }
}
