import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventCodec, MsgpackWriter, type EncodedEvent } from '../../../engine/codec/index.js';
import { CorruptLogError } from '../../../engine/errors.js';
import { EventLog } from '../../../engine/log/index.js';
import { Replayer, type Projection } from '../../../engine/replay/index.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
let n = 0;
const fresh = () => EventLog.open(join(dir, `direct-${++n}.db`));
// Version 2 of Tagged added `tags`; version-1 payloads are upcast with no tags.
const codec = () => new EventCodec().register(
  { type: 'Tagged', version: 2, fields: ['key', 'value', 'tags'], oldFields: { 1: ['key', 'value'] }, upcasters: { 1: (d) => ({ ...d, tags: ['v1'] }) } },
  { type: 'Dropped', version: 1, fields: ['key'] },
);

interface Kv { rows: [string, unknown, unknown][]; direct: number; seq: number; time: number }
const evolveTagged = (s: Kv, key: unknown, value: unknown, tags: unknown) => { s.rows.push([key as string, value, tags]); };
/** A projection that says which events it folded directly (`direct`), so tests can tell the paths apart. */
const kv = (withDirect: boolean): Projection<Kv> => ({
  name: 'kv', version: 1,
  initialState: () => ({ rows: [], direct: 0, seq: 0, time: 0 }),
  evolve: (s, e) => {
    if (e.type === 'Tagged') evolveTagged(s, e.data.key, e.data.value, e.data.tags);
    s.seq = e.seq;
    s.time = e.time;
    return s;
  },
  direct: withDirect ? {
    Tagged: {
      fields: ['key', 'value', 'tags'],
      fold(s, c, seq, time) {
        const key = c.str(), value = c.value(), tags = c.value();
        if (!c.done()) return false;
        evolveTagged(s, key, value, tags);
        s.direct++;
        s.seq = seq;
        s.time = time;
        return true;
      },
    },
  } : undefined,
  toSnapshot: (s) => s,
  fromSnapshot: (d) => d as Kv,
});

/** A version-1 Tagged payload, as an older podnet wrote it. */
function v1(time: number, key: string, value: unknown): EncodedEvent {
  const w = new MsgpackWriter();
  w.begin();
  w.value([key, value]);
  return { time, type: 'Tagged', version: 1, stream: `kv/${key}`, payload: w.end().slice() };
}

function replay(log: EventLog, withDirect: boolean): Kv {
  return new Replayer(log, codec(), kv(withDirect), { snapshotEvery: 0 }).stateAt().state;
}

describe('direct folds', () => {
  it('give the state the decoded path gives, sharing parts the same way, upcast old versions included', () => {
    const log = fresh();
    const c = codec();
    const tags = ['a', { b: 1 }];
    log.append([
      c.encode(1, 'Tagged', 'kv/a', { key: 'a', value: 1, tags }),
      v1(2, 'b', 2),
      c.encode(3, 'Tagged', 'kv/c', { key: 'c', value: { deep: [1, 2] }, tags }),
      c.encode(4, 'Dropped', 'kv/a', { key: 'a' }),
      c.encode(5, 'Tagged', 'kv/d', { key: 'd', value: 'x' }), // tags absent
      c.encode(6, 'Tagged', 'kv/e', { key: 'e', value: 7, tags: ['other'] }),
    ]);
    const fast = replay(log, true);
    const slow = replay(log, false);
    expect(fast.rows).toEqual(slow.rows);
    expect(fast.rows[1]).toEqual(['b', 2, ['v1']]); // the upcaster ran
    expect(fast.direct).toBe(4); // every current-version Tagged, not the version-1 one
    expect(slow.direct).toBe(0);
    expect([fast.seq, fast.time]).toEqual([6, 6]);
    expect(fast.rows[2]![2]).toBe(fast.rows[0]![2]); // equal parts are one object, as a shared decode gives them
    expect(slow.rows[2]![2]).toBe(slow.rows[0]![2]);
    log.close();
  });

  it('leave a field of an unexpected type to the decoded path', () => {
    const log = fresh();
    const c = codec();
    log.append([c.encode(1, 'Tagged', 'kv/a', { key: 'a', value: 1 }), c.encode(2, 'Tagged', 'kv/7', { key: 7, value: 2 })]);
    const fast = replay(log, true);
    expect(fast.rows).toEqual([['a', 1, undefined], [7, 2, undefined]]);
    expect(fast.direct).toBe(1);
    log.close();
  });

  it('stop at a corrupt payload with the decoded path\'s error, naming its sequence number', () => {
    const c = codec();
    const good = c.encode(1, 'Tagged', 'kv/a', { key: 'a', value: 1, tags: ['t'] });
    const bad: [string, Uint8Array][] = [
      ['malformed msgpack', Uint8Array.of(0x93, 0xa1, 0x61, 0xc1, 0xc0)],
      ['truncated', good.payload.slice(0, good.payload.length - 1)],
      ['bytes after the last field', Uint8Array.of(...good.payload, 0xc0)],
      ['too few fields', Uint8Array.of(0x92, 0xa1, 0x61, 0x01)],
    ];
    for (const [what, payload] of bad) {
      const log = fresh();
      log.append([good, { ...good, time: 2 }, { ...good, time: 3, payload }, { ...good, time: 4 }]);
      const fast = new Replayer(log, c, kv(true), { snapshotEvery: 0 });
      const slow = new Replayer(log, codec(), kv(false), { snapshotEvery: 0 });
      let err: unknown;
      try { fast.stateAt(); } catch (e) { err = e; }
      expect(err, what).toBeInstanceOf(CorruptLogError);
      expect((err as CorruptLogError).seq, what).toBe(3);
      expect(() => slow.stateAt(), what).toThrow((err as Error).message);
      expect(fast.stateAt({ seq: 2 }).state.direct, what).toBe(2);
      log.close();
    }
  });

  it('read a string field as bytes, short and long, and leave one too long for that to the decoded path', () => {
    const log = fresh();
    const c = codec();
    const keys = ['k', 'x'.repeat(31), 'y'.repeat(40), 'z'.repeat(300), 'é'.repeat(3)]; // fixstr, fixstr, str8, str16, UTF-8
    log.append(keys.map((key, i) => c.encode(i, 'Tagged', `kv/${i}`, { key, value: i })));
    const seen: string[] = [];
    const bytesKv: Projection<Kv> = {
      ...kv(false),
      direct: {
        Tagged: {
          fields: ['key', 'value', 'tags'],
          fold(st, f, seq, time) {
            const len = f.strBytes(), at = f.at, value = f.value(), tags = f.value();
            if (!f.done()) return false;
            seen.push(Buffer.from(f.bytes.subarray(at, at + len)).toString('utf8'));
            evolveTagged(st, f.text(at, len), value, tags);
            st.direct++;
            st.seq = seq;
            st.time = time;
            return true;
          },
        },
      },
    };
    const s = new Replayer(log, c, bytesKv, { snapshotEvery: 0 }).stateAt().state;
    expect(s.rows.map((r) => r[0])).toEqual(keys);
    expect(seen).toEqual(keys.filter((k) => k.length !== 300));
    expect(s.direct).toBe(4);
    log.close();
  });

  it('are not used when the schema\'s fields differ from the ones the fold reads', () => {
    const log = fresh();
    const other = new EventCodec().register({ type: 'Tagged', version: 2, fields: ['value', 'key', 'tags'] }, { type: 'Dropped', version: 1, fields: ['key'] });
    log.append([other.encode(1, 'Tagged', 'kv/a', { key: 'a', value: 1 })]);
    const s = new Replayer(log, other, kv(true), { snapshotEvery: 0 }).stateAt().state;
    expect(s.rows).toEqual([['a', 1, undefined]]);
    expect(s.direct).toBe(0);
    log.close();
  });
});
