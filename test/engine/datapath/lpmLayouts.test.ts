// LPM layout switches, on both backends: the route store moves a table between an
// inline list, a narrow trie, 16-8-8 and DIR-24-8 as its route count crosses the
// thresholds, and lookups answer the same before, during and after every switch.
import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath, LPM_MISS, prefixMask, type Datapath } from '../../../engine/datapath/index.js';
import { LPM_INLINE_MAX, LPM_INLINE_RETURN, LPM_DIR24_ROUTES, LPM_DIR24_RETURN } from '../../../assembly/shared/lpm.js';

interface Route { prefix: number; len: number; value: number }

/** Longest match over a route list: the reference. */
function naive(routes: Route[], dst: number): [number, number] {
  let best: Route | undefined;
  for (const r of routes) if (((dst & prefixMask(r.len)) >>> 0) === r.prefix && (!best || r.len > best.len)) best = r;
  return best ? [best.value, best.len] : [0, LPM_MISS];
}

function lookup(dp: Datapath, table: number, dsts: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < dsts.length; k += 256) {
    const chunk = dsts.slice(k, k + 256);
    chunk.forEach((d, i) => { dp.vec.table[i] = table; dp.vec.dstIp[i] = d; });
    dp.lpmLookup(chunk.length);
    chunk.forEach((_, i) => out.push([dp.vec.result[i]!, dp.vec.result2[i]!]));
  }
  return out;
}

/** Nested routes under 10.244.0.0/16: lengths 16..32 so a spilled trie has plies at every level. */
function nested(count: number): Route[] {
  return Array.from({ length: count }, (_, i) => {
    const len = 16 + (i % 17);
    return { prefix: ((0x0af40000 | (i * 0x0101)) & prefixMask(len)) >>> 0, len, value: 500 + i };
  });
}

describe.each(BACKENDS)('LPM layouts (%s)', (backend) => {
  it('spills a narrow and a derived table past the inline limit and takes them back inline', () => {
    const dp = createDatapath(backend);
    dp.lpmCreateTable(1, 'wide');
    dp.lpmInsert(1, 0, 0, 1);
    dp.lpmInsert(1, 0x0af40000, 24, 2);
    const baseOnly = dp.lpmBytes();
    dp.lpmCreateTable(2, 'narrow');
    dp.lpmDeriveTable(3, 1);
    let inline = 0; // bytes once table 3's first route made its base's owner index (one chunk: every route is in one /24)
    const routes = nested(LPM_INLINE_MAX + 4);
    const dsts = Array.from({ length: 600 }, (_, i) => (0x0af40000 + i * 97) >>> 0);
    const base = [{ prefix: 0, len: 0, value: 1 }, { prefix: 0x0af40000, len: 24, value: 2 }];
    const check = (live: Route[]) => {
      expect(lookup(dp, 2, dsts)).toEqual(dsts.map((d) => naive(live, d)));
      // the overlay wins a tie with its base
      expect(lookup(dp, 3, dsts)).toEqual(dsts.map((d) => naive([...base.filter((b) => !live.some((r) => r.prefix === b.prefix && r.len === b.len)), ...live], d)));
    };
    for (let k = 0; k < routes.length; k++) {
      for (const t of [2, 3]) dp.lpmInsert(t, routes[k]!.prefix, routes[k]!.len, routes[k]!.value);
      check(routes.slice(0, k + 1));
      if (k === 0) inline = dp.lpmBytes();
      if (k === LPM_INLINE_MAX - 1) expect(dp.lpmBytes()).toBe(inline); // still inline: descriptors only
      if (k === LPM_INLINE_MAX) expect(dp.lpmBytes()).toBeGreaterThan(inline); // spilled into tries
    }
    for (let k = routes.length - 1; k >= 0; k--) {
      for (const t of [2, 3]) expect(dp.lpmDelete(t, routes[k]!.prefix, routes[k]!.len)).toBe(true);
      check(routes.slice(0, k));
      if (k === LPM_INLINE_RETURN) expect(dp.lpmBytes()).toBe(inline); // back inline
    }
    dp.lpmDropTable(3);
    dp.lpmDropTable(2);
    expect(lookup(dp, 2, dsts.slice(0, 3))).toEqual([[0, LPM_MISS], [0, LPM_MISS], [0, LPM_MISS]]);
    expect(dp.lpmBytes()).toBe(baseOnly); // the base's overlay owner index went with its last derived table
  });

  it('turns a wide table into DIR-24-8 past the threshold and back, answers unchanged', () => {
    const dp = createDatapath(backend);
    dp.lpmCreateTable(1, 'wide');
    dp.lpmDeriveTable(2, 1);
    dp.lpmInsert(2, 0x0b000000, 8, 7);
    // /24s in 20.0.0.0/8 and up, with a /28 and a /32 under every 64th so plies hang below the root
    const routes: Route[] = [{ prefix: 0, len: 0, value: 1 }];
    for (let i = 0; routes.length < LPM_DIR24_ROUTES; i++) {
      const p = ((20 << 24) + i * 256) >>> 0;
      routes.push({ prefix: p, len: 24, value: 10 + i });
      if (i % 64 === 0) routes.push({ prefix: (p + 16) >>> 0, len: 28, value: 1e6 + i }, { prefix: (p + 33) >>> 0, len: 32, value: 2e6 + i });
    }
    routes.length = LPM_DIR24_ROUTES;
    for (const r of routes) dp.lpmInsert(1, r.prefix, r.len, r.value);
    const dsts = [0x0b010203, 0x01020304];
    for (let i = 0; i < 3000; i++) dsts.push(((20 << 24) + i * 5471 + (i % 64)) >>> 0);
    const before = lookup(dp, 1, dsts);
    const small = dp.lpmBytes();
    expect(lookup(dp, 1, dsts.slice(2, 300))).toEqual(dsts.slice(2, 300).map((d) => naive(routes, d)));
    const extra = { prefix: 0xc0a80000, len: 16, value: 99 };
    dp.lpmInsert(1, extra.prefix, extra.len, extra.value); // one more: DIR-24-8
    expect(dp.lpmBytes()).toBeGreaterThan(small + 127 * 1048576);
    expect(lookup(dp, 1, dsts)).toEqual(before);
    expect(lookup(dp, 1, [0xc0a81234])).toEqual([[99, 16]]);
    expect(lookup(dp, 2, [0x0b010203, 0xc0a81234])).toEqual([[7, 8], [99, 16]]); // the overlay follows its base
    // updates while DIR-24-8 are seen by the next lookup: a /12 over many /16s, a /28 below
    // a /24 (a ply), a value too big for the root shadow, then their deletes
    const now = [...routes, extra];
    const probes = [0x14000010, 0x14000011, 0x14000021, 0x140f0000, 0x1e1e1e1e, 0x1e2f0001, 0xc0a81234, 0x14000a0b];
    const updates = [
      { prefix: 0x1e100000, len: 12, value: 12 }, { prefix: 0x14000a00, len: 28, value: 28 },
      { prefix: 0x1e2f0000, len: 24, value: 0xfedcba98 }, { prefix: 0x140f0000, len: 16, value: 2 ** 25 },
    ];
    const mixed = () => { // one vector over both tables: the path that reads the root, not the shadow
      probes.forEach((d, i) => { dp.vec.table[i] = 1 + (i & 1); dp.vec.dstIp[i] = d; });
      dp.lpmLookup(probes.length);
      return probes.map((_, i) => [dp.vec.result[i]!, dp.vec.result2[i]!]);
    };
    const expectLive = () => {
      const want = probes.map((d) => naive(now, d));
      expect(lookup(dp, 1, probes)).toEqual(want);
      expect(mixed().filter((_, i) => (i & 1) === 0)).toEqual(want.filter((_, i) => (i & 1) === 0));
    };
    for (const u of updates) {
      dp.lpmInsert(1, u.prefix, u.len, u.value);
      const at = now.findIndex((r) => r.prefix === u.prefix && r.len === u.len);
      if (at >= 0) now.splice(at, 1);
      now.push(u);
      expectLive();
    }
    for (const u of updates) {
      dp.lpmDelete(1, u.prefix, u.len);
      now.splice(now.indexOf(u), 1);
      expectLive();
    }
    expect(lookup(dp, 1, dsts.slice(0, 300))).toEqual(dsts.slice(0, 300).map((d) => naive(now, d)));
    // deletes down to the return threshold go back to 16-8-8
    dp.lpmDelete(1, extra.prefix, extra.len);
    let live = routes.length;
    for (let k = routes.length - 1; live > LPM_DIR24_RETURN; k--, live--) dp.lpmDelete(1, routes[k]!.prefix, routes[k]!.len);
    expect(dp.lpmBytes()).toBeLessThan(small);
    const kept = routes.slice(0, live);
    expect(lookup(dp, 1, dsts.slice(0, 400))).toEqual(dsts.slice(0, 400).map((d) => naive(kept, d)));
  });
});
