// Overlay owners (engine/datapath/LpmOwners.ts): what the route store pushes to a
// kernel must be, for every /24, exactly the owner the live routes of the derived
// tables give (0, the one table, or MANY), through inserts, deletes, routes shorter
// than /16 and derived tables dropped and made again. A kernel that reads an owner of 0
// where a table has a route would answer from the base alone: wrong, silently.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LpmRouteStore, prefixMask, type LpmKernel } from '../../../engine/datapath/LpmRouteStore.js';
import { LPM_OWNER_MANY, LPM_OWNER_SLOT } from '../../../assembly/shared/lpm.js';

/** A kernel that only keeps owners, as the real ones lay them out: /16 chunks, shared all-0 / all-MANY or private. */
class OwnerKernel implements LpmKernel {
  /** base -> /16 -> shared value (0 or MANY) or private slots over a shared fill. */
  readonly index = new Map<number, Map<number, { fill: number; slots?: Map<number, number> }>>();
  drops = 0;
  tableInit(): void {}
  tableFree(): void {}
  insert(): void {}
  remove(): void {}
  bytes(): number { return 0; }
  ownerSet(base: number, slot: number, bits: number, owner: number): void {
    let idx = this.index.get(base);
    if (!idx) { idx = new Map(); this.index.set(base, idx); }
    if (bits !== LPM_OWNER_SLOT) {
      if (owner !== 0 && owner !== LPM_OWNER_MANY) throw new Error(`a whole /16 set to owner ${owner}`);
      idx.set(slot, { fill: owner });
      return;
    }
    const hi = slot >>> 8;
    const ch = idx.get(hi) ?? { fill: 0 };
    ch.slots ??= new Map();
    ch.slots.set(slot & 255, owner);
    idx.set(hi, ch);
  }
  ownerDrop(base: number): void { this.index.delete(base); this.drops++; }
  /** The owner a lookup reads for address a under base 1 (no index: MANY, every overlay read). */
  ownerAt(a: number): number {
    const idx = this.index.get(1);
    if (!idx) return LPM_OWNER_MANY;
    const ch = idx.get(a >>> 16);
    if (!ch) return 0;
    return ch.slots?.get((a >>> 8) & 255) ?? ch.fill;
  }
}

type Route = { t: number; prefix: number; len: number };

/** The owner of address a's /24 from the live routes, by definition. */
function expectedOwner(routes: Route[], a: number): number {
  const hits = new Set<number>();
  for (const r of routes) {
    if (r.len < 16) { if (((a & prefixMask(r.len)) >>> 0) === r.prefix) return LPM_OWNER_MANY; continue; }
    if (((a & prefixMask(16)) >>> 0) !== ((r.prefix & prefixMask(16)) >>> 0)) continue; // not in a's /16
    const l = Math.min(r.len, 24); // the route and a's /24 intersect when they agree on the shorter of the two
    if (((a & prefixMask(l)) >>> 0) === ((r.prefix & prefixMask(l)) >>> 0)) hits.add(r.t);
  }
  if (hits.size === 0) return 0;
  return hits.size > 1 ? LPM_OWNER_MANY : [...hits][0]!;
}

type Op = { kind: 'insert' | 'delete'; t: number; prefix: number; len: number } | { kind: 'rederive'; t: number };
const address = fc.tuple(fc.constantFrom(10, 11), fc.constantFrom(0, 1, 244), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }))
  .map(([a, b, c, d]) => (((a << 24) | (b << 16) | (c << 8) | d) >>> 0));
const t = fc.constantFrom(101, 102, 103);
// Mostly /14../32 around the /16 and /24 edges; now and then a short one (a /0 marks all 65,536 /16s).
const len = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 14, max: 32 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 7, 8) });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), t, prefix: address, len }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), t, prefix: address, len }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rederive' as const), t }) },
);

describe('LPM overlay owners', () => {
  it('pushes exactly the owners the live routes give, for every /24 they touch', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 50 }), fc.array(address, { minLength: 20, maxLength: 20 }), (ops, probes) => {
      const k = new OwnerKernel();
      const store = new LpmRouteStore(k);
      store.create(1, 'wide');
      for (const d of [101, 102, 103]) store.derive(d, 1);
      let live: Route[] = [];
      const seen: number[] = [...probes];
      for (const o of ops) {
        if (o.kind === 'rederive') {
          store.drop(o.t); store.derive(o.t, 1);
          live = live.filter((r) => r.t !== o.t);
          continue;
        }
        const prefix = (o.prefix & prefixMask(o.len)) >>> 0;
        const had = live.some((r) => r.t === o.t && r.prefix === prefix && r.len === o.len);
        if (o.kind === 'insert') {
          store.insert(o.t, prefix, o.len, 7);
          if (!had) live.push({ t: o.t, prefix, len: o.len });
        } else {
          expect(store.delete(o.t, prefix, o.len)).toBe(had);
          live = live.filter((r) => !(r.t === o.t && r.prefix === prefix && r.len === o.len));
        }
        seen.push(o.prefix, (o.prefix | 0xff) >>> 0);
      }
      if (!k.index.has(1)) { expect(live).toEqual([]); return; } // nothing pushed yet: the kernel reads every overlay
      for (const a of seen) expect(k.ownerAt(a), `owner of ${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.x`).toBe(expectedOwner(live, a));
    }), { numRuns: 150 });
  });

  it('frees a base\'s index with its last derived table, and starts from none after', () => {
    const k = new OwnerKernel();
    const store = new LpmRouteStore(k);
    store.create(1, 'wide');
    store.derive(2, 1);
    store.derive(3, 1);
    store.insert(2, 0x0a800100, 24, 5);
    store.insert(3, 0x0a800100, 24, 6);
    expect(k.ownerAt(0x0a800101)).toBe(LPM_OWNER_MANY);
    store.drop(3);
    expect(k.ownerAt(0x0a800101)).toBe(2);
    store.drop(2);
    expect(k.drops).toBe(1);
    expect(k.ownerAt(0x0a800101)).toBe(LPM_OWNER_MANY); // no index: every overlay is read
    store.derive(4, 1);
    store.insert(4, 0x0a800200, 24, 7);
    expect(k.ownerAt(0x0a800201)).toBe(4);
    expect(k.ownerAt(0x0a800101)).toBe(0);
  });
});
