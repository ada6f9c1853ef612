import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventCodec } from '../../../engine/codec/index.js';
import { EventLog } from '../../../engine/log/index.js';
import { decodeSnapshot, encodeSnapshot, Replayer, type Projection } from '../../../engine/replay/index.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
let n = 0;
const fresh = () => EventLog.open(join(dir, `snap-${++n}.db`));
const codec = () => new EventCodec().register({ type: 'Set', version: 1, fields: ['key', 'value'] }, { type: 'Unset', version: 1, fields: ['key'] });

interface Kv { entries: Map<string, number>; sum: number }
const kv: Projection<Kv> = {
  name: 'kv', version: 1,
  initialState: () => ({ entries: new Map(), sum: 0 }),
  evolve: (s, e) => {
    if (e.type === 'Set') { s.entries.set(e.data.key as string, e.data.value as number); s.sum += e.data.value as number; }
    if (e.type === 'Unset') s.entries.delete(e.data.key as string);
    return s;
  },
  toSnapshot: (s) => ({ entries: [...s.entries], sum: s.sum }),
  fromSnapshot: (d) => { const x = d as { entries: [string, number][]; sum: number }; return { entries: new Map(x.entries), sum: x.sum }; },
};
const plain = (s: Kv) => ({ entries: [...s.entries], sum: s.sum });

/** A log of `count` events over 50 keys, appended in batches of varied size. */
function build(log: EventLog, count: number, seed: number): void {
  const c = codec();
  let x = seed;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let done = 0; done < count;) {
    const batch = Array.from({ length: Math.min(count - done, 1 + (rnd() % 700)) }, (_, i) => {
      const k = `k${rnd() % 50}`;
      return rnd() % 5 === 0 ? c.encode(done + i, 'Unset', `kv/${k}`, { key: k }) : c.encode(done + i, 'Set', `kv/${k}`, { key: k, value: rnd() % 1000 });
    });
    log.append(batch);
    done += batch.length;
  }
}

describe('snapshots', () => {
  it('snapshot + tail equals a full replay at random points', () => {
    const log = fresh();
    build(log, 5000, 1);
    const auto = new Replayer(log, codec(), kv, { snapshotEvery: 600 });
    auto.stateAt(); // leaves snapshots at 600, 1200, ...
    expect(log.snapshotSeqs('kv')).toEqual([600, 1200, 1800, 2400, 3000, 3600, 4200, 4800]);
    const full = new Replayer(log, codec(), { ...kv, name: 'kv-none' }, { snapshotEvery: 0 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), (seq) => {
      const a = auto.stateAt({ seq });
      const b = full.stateAt({ seq });
      expect(a.seq).toBe(seq);
      expect(a.fromSnapshot).toBe(Math.floor(seq / 600) * 600);
      expect(plain(a.state)).toEqual(plain(b.state));
    }), { numRuns: 60 });
    log.close();
  });

  it('ignores a snapshot of another projection version and rebuilds from events', () => {
    const log = fresh();
    build(log, 1000, 2);
    new Replayer(log, codec(), kv, { snapshotEvery: 400 }).stateAt();
    const v2 = { ...kv, version: 2 };
    const s = new Replayer(log, codec(), v2, { snapshotEvery: 0 }).stateAt({ seq: 900 });
    expect(s.fromSnapshot).toBe(0);
    expect(plain(s.state)).toEqual(plain(new Replayer(log, codec(), { ...kv, name: 'x' }, { snapshotEvery: 0 }).stateAt({ seq: 900 }).state));
    log.close();
  });

  it('a writable replay retakes snapshots of another projection version at the current one', () => {
    const log = fresh();
    build(log, 1000, 4);
    new Replayer(log, codec(), kv, { snapshotEvery: 100 }).stateAt();
    const v2 = { ...kv, version: 2 };
    new Replayer(log, codec(), v2, { snapshotEvery: 100 }).stateAt(); // more stale ones than it looks at (and deletes) first
    expect(log.snapshotSeqs('kv', 2)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    log.close();
    const ro = EventLog.open(log.path, { readonly: true });
    const at = new Replayer(ro, codec(), v2).stateAt({ seq: 700 });
    expect(at.fromSnapshot).toBe(700);
    expect(plain(at.state)).toEqual(plain(new Replayer(ro, codec(), { ...kv, name: 'x' }).stateAt({ seq: 700 }).state));
    ro.close();
  });

  it('takes no snapshots on a read-only log', () => {
    const log = fresh();
    build(log, 1000, 3);
    log.close();
    const ro = EventLog.open(log.path, { readonly: true });
    new Replayer(ro, codec(), kv, { snapshotEvery: 100 }).stateAt();
    expect(ro.snapshotSeqs('kv')).toEqual([]);
    ro.close();
  });

  it('the snapshot body round-trips plain data', () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string({ unit: 'grapheme' }), fc.integer(), fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0)), fc.boolean(), fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(fc.property(value, (v) => { expect(decodeSnapshot(encodeSnapshot(v))).toEqual(v); }), { numRuns: 300 });
    expect(() => decodeSnapshot(encodeSnapshot({ a: 1 }).subarray(0, 5))).toThrow();
  });

  it('round-trips integers near 2^53 exactly (zigzag would double them past exactness)', () => {
    const big = [2 ** 52 - 1, 2 ** 52, 2 ** 52 + 1, -(2 ** 52) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 60];
    expect(decodeSnapshot(encodeSnapshot({ big }))).toEqual({ big });
  });

  it('keeps undefined members, and a part shared by neighbours stays shared', () => {
    const labels = { app: 'web' };
    const rows = Array.from({ length: 300 }, (_, i) => ({ name: `web-${i}`, labels, node: undefined, ip: `10.0.${i >> 8}.${i & 255}` }));
    const back = decodeSnapshot(encodeSnapshot({ rows })) as { rows: typeof rows };
    expect(back.rows).toEqual(rows);
    expect(Object.keys(back.rows[7]!)).toEqual(['name', 'labels', 'node', 'ip']);
    expect(back.rows[7]!.labels).toBe(back.rows[8]!.labels);
  });

  it('reads string and integer members of one to three varint bytes, and a body cut anywhere in them is an error', () => {
    // 40,000 unique names: string indexes past 127 and 16,383 take two and three varint bytes.
    const shared = { app: 'web' };
    const rows = Array.from({ length: 40_000 }, (_, i) => ({
      ns: 'default', name: `pod-${i}`, gone: undefined, n: i, neg: -i - 1, big: i * 1e6 + 0.5 * (i % 2), labels: i % 4 < 2 ? shared : { app: `x${i}` }, tags: i % 3 ? undefined : ['a'],
    }));
    const body = encodeSnapshot({ rows });
    const back = decodeSnapshot(body) as { rows: typeof rows };
    expect(back.rows).toEqual(rows);
    expect(back.rows[39_999]!.name).toBe('pod-39999');
    expect(Object.keys(back.rows[1]!)).toEqual(['ns', 'name', 'gone', 'n', 'neg', 'big', 'labels', 'tags']);
    expect(back.rows[5]!.labels).toBe(back.rows[4]!.labels); // neighbours: T_SAME
    // Cuts in the last rows land inside one- to three-byte string indexes and other members.
    for (let cut = body.length - 1; cut > body.length - 40; cut--) expect(() => decodeSnapshot(body.subarray(0, cut)), `cut at ${cut}`).toThrow(/snapshot/);
    // A string index past the table (a corrupt body) is an error, not an undefined member.
    const one = encodeSnapshot([{ s: 'x' }]);
    const bad = Uint8Array.from(one);
    expect(bad[bad.length - 2]).toBe(5); // T_STR, then the index of 'x'
    bad[bad.length - 1] = 0x7f;
    expect(() => decodeSnapshot(bad)).toThrow(/string index out of range/);
  });
});
