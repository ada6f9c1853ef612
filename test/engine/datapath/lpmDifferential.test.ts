// Differential property test: random sequences of route inserts, deletes and batched
// lookups give identical results on both backends, and agree with a naive reference
// (every route's CIDR range checked with ip-num, the longest containing one wins).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IPv4, IPv4CidrRange, IPv4Prefix } from 'ip-num';
import { createDatapath, LPM_MISS, prefixMask, type Datapath } from '../../../engine/datapath/index.js';

type Op =
  | { kind: 'insert'; table: number; prefix: number; len: number; value: number }
  | { kind: 'delete'; table: number; prefix: number; len: number }
  | { kind: 'lookup'; table: number; dsts: number[] }
  | { kind: 'mixed'; packets: [number, number][] }
  | { kind: 'rederive'; table: number };

// Addresses drawn from a few narrow regions so prefixes overlap and nest often.
const address = fc.tuple(fc.constantFrom(10, 172, 192), fc.constantFrom(0, 244), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }))
  .map(([a, b, c, d]) => (((a << 24) | (b << 16) | (c << 8) | d) >>> 0));
const TABLES = [1, 2, 101, 102, 201];
const table = fc.constantFrom(...TABLES);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), table, prefix: address, len: fc.integer({ min: 0, max: 32 }), value: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), table, prefix: address, len: fc.integer({ min: 0, max: 32 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lookup' as const), table, dsts: fc.array(address, { minLength: 1, maxLength: 40 }) }) },
  // a vector whose packets name different tables (the kernels take another path than for one table)
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mixed' as const), packets: fc.array(fc.tuple(table, address), { minLength: 2, maxLength: 40 }) }) },
  // a node leaves and comes back: its derived table dropped with its routes (their overlay owners go) and made anew
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rederive' as const), table: fc.constantFrom(101, 102, 201) }) },
);

/** Base of a derived table: 101 and 102 on table 1 (a 16-8-8 trie), 201 on table 2 (inline while small, then 8-8-8-8). */
const baseOf = (t: number): number | undefined => (t > 200 ? 2 : t > 100 ? 1 : undefined);

/** The naive reference: route maps per table, derived ones over their base's. */
class Reference {
  readonly own = new Map<number, Map<string, { range: IPv4CidrRange; len: number; value: number }>>();
  constructor() { for (const t of TABLES) this.own.set(t, new Map()); }
  insert(t: number, prefix: number, len: number, value: number): void {
    const p = (prefix & prefixMask(len)) >>> 0;
    this.own.get(t)!.set(`${p}/${len}`, { range: new IPv4CidrRange(IPv4.fromNumber(p), IPv4Prefix.fromNumber(BigInt(len))), len, value });
  }
  delete(t: number, prefix: number, len: number): boolean {
    return this.own.get(t)!.delete(`${(prefix & prefixMask(len)) >>> 0}/${len}`);
  }
  lookup(t: number, dst: number): [number, number] {
    const base = baseOf(t);
    const merged = new Map(base ? this.own.get(base) : []);
    for (const [k, r] of this.own.get(t)!) merged.set(k, r);
    const a = IPv4.fromNumber(dst);
    let best: { len: number; value: number } | undefined;
    for (const r of merged.values()) if (r.range.contains(a) && (!best || r.len > best.len)) best = r;
    return best ? [best.value, best.len] : [0, LPM_MISS];
  }
}

function setup(dp: Datapath): void {
  dp.lpmCreateTable(1, 'wide');
  dp.lpmCreateTable(2, 'narrow');
  dp.lpmDeriveTable(101, 1);
  dp.lpmDeriveTable(102, 1);
  dp.lpmDeriveTable(201, 2);
}

function lookup(dp: Datapath, packets: [number, number][]): [number, number][] {
  const v = dp.vec;
  packets.forEach(([t, d], i) => { v.table[i] = t; v.dstIp[i] = d; });
  dp.lpmLookup(packets.length);
  return packets.map((_, i) => [dp.vec.result[i]!, dp.vec.result2[i]!]);
}

describe('LPM differential (wasm vs ts vs ip-num reference)', () => {
  it('agrees on random sequences of inserts, deletes and lookups', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
      const wasm = createDatapath('wasm'), ts = createDatapath('ts'), ref = new Reference();
      setup(wasm); setup(ts);
      for (const o of ops) {
        if (o.kind === 'insert') {
          ref.insert(o.table, o.prefix, o.len, o.value);
          expect(wasm.lpmInsert(o.table, o.prefix, o.len, o.value)).toBe(ts.lpmInsert(o.table, o.prefix, o.len, o.value));
        } else if (o.kind === 'rederive') {
          ref.own.set(o.table, new Map());
          for (const dp of [wasm, ts]) { dp.lpmDropTable(o.table); dp.lpmDeriveTable(o.table, baseOf(o.table)!); }
        } else if (o.kind === 'delete') {
          const r = ref.delete(o.table, o.prefix, o.len);
          expect(wasm.lpmDelete(o.table, o.prefix, o.len)).toBe(r);
          expect(ts.lpmDelete(o.table, o.prefix, o.len)).toBe(r);
        } else {
          const packets: [number, number][] = o.kind === 'lookup' ? o.dsts.map((d) => [o.table, d]) : o.packets;
          const expected = packets.map(([t, d]) => ref.lookup(t, d));
          expect(lookup(wasm, packets)).toEqual(expected);
          expect(lookup(ts, packets)).toEqual(expected);
        }
      }
      for (const t of TABLES) expect(wasm.lpmRoutes(t)).toEqual(ts.lpmRoutes(t));
      expect(wasm.lpmBytes()).toBe(ts.lpmBytes());
    }), { numRuns: 150 });
  });
});
