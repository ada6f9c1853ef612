import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EventCodec } from '../../../engine/codec/index.js';
import { EventLog } from '../../../engine/log/index.js';
import { PAGE_SIZE } from '../../../engine/log/EventLog.js';
import { ConcurrencyError, CorruptLogError, PodnetError } from '../../../engine/errors.js';
import { Replayer, type Projection } from '../../../engine/replay/index.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
let n = 0;
const fresh = () => EventLog.open(join(dir, `log-${++n}.db`));

const codec = () => new EventCodec().register(
  { type: 'Added', version: 1, fields: ['key', 'value'] },
  { type: 'Removed', version: 2, fields: ['key', 'why'], oldFields: { 1: ['key'] }, upcasters: { 1: (d) => ({ ...d, why: 'unknown' }) } },
);

/** A tiny projection: a key -> value map. */
const kv: Projection<Map<string, unknown>> = {
  name: 'kv', version: 1,
  initialState: () => new Map(),
  evolve: (s, e) => {
    if (e.type === 'Added') s.set(e.data.key as string, e.data.value);
    if (e.type === 'Removed') s.delete(e.data.key as string);
    return s;
  },
  toSnapshot: (s) => [...s],
  fromSnapshot: (d) => new Map(d as [string, unknown][]),
};

describe('EventLog', () => {
  it('round-trips a batch: sequence, time, type, stream and data', () => {
    const log = fresh();
    const c = codec();
    const last = log.append([c.encode(0, 'Added', 'k/a', { key: 'a', value: 1 }), c.encode(1500, 'Added', 'k/b', { key: 'b', value: { x: [1, 2] } })]);
    expect(last).toBe(2);
    const rows = [...log.read()];
    expect(rows.map((r) => [r.seq, r.time, r.type, r.stream])).toEqual([[1, 0, 'Added', 'k/a'], [2, 1500, 'Added', 'k/b']]);
    expect(c.decode(rows[1]!.type, rows[1]!.version, rows[1]!.payload)).toEqual({ key: 'b', value: { x: [1, 2] } });
    expect(log.readStream('k/b').map((r) => r.seq)).toEqual([2]);
    expect(log.seqAtTime(1000)).toBe(1);
    log.close();
  });

  it('refuses an append that expected another head, and writes nothing', () => {
    const log = fresh();
    const c = codec();
    log.append([c.encode(0, 'Added', 'k/a', { key: 'a', value: 1 })]);
    expect(() => log.append([c.encode(0, 'Added', 'k/b', { key: 'b', value: 2 })], 0)).toThrow(ConcurrencyError);
    expect(log.lastSeq()).toBe(1);
    expect(log.append([c.encode(0, 'Added', 'k/b', { key: 'b', value: 2 })], 1)).toBe(2);
    log.close();
  });

  it('upcasts an event stored with an older schema version', () => {
    const log = fresh();
    const old = new EventCodec().register({ type: 'Removed', version: 1, fields: ['key'] });
    log.append([old.encode(0, 'Removed', 'k/a', { key: 'a' })]);
    const row = [...log.read()][0]!;
    expect(row.version).toBe(1);
    expect(codec().decode(row.type, row.version, row.payload)).toEqual({ key: 'a', why: 'unknown' });
    log.close();
  });

  it('creates new logs with large pages and leaves an existing file its own', () => {
    const pageSize = (path: string) => { const db = new Database(path, { readonly: true }); try { return db.pragma('page_size', { simple: true }); } finally { db.close(); } };
    const path = join(dir, `log-${++n}.db`);
    const c = codec();
    const log = EventLog.open(path);
    log.append([c.encode(0, 'Added', 'k/a', { key: 'a', value: 1 })]);
    log.close();
    expect(PAGE_SIZE).toBe(16384);
    expect(pageSize(path)).toBe(PAGE_SIZE);
    // A log created with 4 KB pages (by an earlier podnet) keeps them and still appends.
    const small = join(dir, `log-${++n}.db`);
    const db = new Database(small);
    db.pragma('page_size = 4096');
    db.pragma('journal_mode = WAL');
    db.close();
    const older = EventLog.open(small);
    older.append([c.encode(0, 'Added', 'k/a', { key: 'a', value: 1 })]);
    older.close();
    expect(pageSize(small)).toBe(4096);
    const reader = EventLog.open(small, { readonly: true });
    expect([...reader.read()].map((r) => r.seq)).toEqual([1]);
    reader.close();
  });

  it('says so when a file is not a podnet log', () => {
    const notDb = join(dir, 'text.db');
    writeFileSync(notDb, 'hello, I am a text file, not a database at all........'.repeat(20));
    expect(() => EventLog.open(notDb)).toThrow(/not a podnet event log/);
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => EventLog.open(other)).toThrow(PodnetError);
    expect(() => EventLog.open(join(dir, 'missing.db'), { readonly: true })).toThrow(/no such event log/);
  });
});

describe('Replayer', () => {
  it('gives the same state from a snapshot plus the tail as from a full replay', () => {
    const log = fresh();
    const c = codec();
    const events = Array.from({ length: 50 }, (_, i) => (i % 7 === 6 ? c.encode(i, 'Removed', `k/${i - 3}`, { key: `k${i - 3}`, why: 'x' }) : c.encode(i, 'Added', `k/${i}`, { key: `k${i}`, value: i })));
    log.append(events);
    const r = new Replayer(log, c, kv);
    for (const at of [10, 20, 30]) r.saveSnapshot(r.stateAt({ seq: at }));
    for (const target of [5, 10, 25, 31, 50]) {
      const viaSnap = r.stateAt({ seq: target });
      const full = new Replayer(log, c, { ...kv, name: 'kv-nosnap' }).stateAt({ seq: target });
      expect([...viaSnap.state]).toEqual([...full.state]);
      expect(viaSnap.seq).toBe(target);
    }
    expect(r.stateAt({ seq: 25 }).fromSnapshot).toBe(20);
    log.close();
  });

  it('ignores a corrupt snapshot and rebuilds from events', () => {
    const path = join(dir, 'snapcorrupt.db');
    const log = EventLog.open(path);
    const c = codec();
    log.append(Array.from({ length: 10 }, (_, i) => c.encode(i, 'Added', `k/${i}`, { key: `k${i}`, value: i })));
    const r = new Replayer(log, c, kv);
    r.saveSnapshot(r.stateAt({ seq: 8 }));
    const db = new Database(path);
    db.prepare("UPDATE snapshots SET payload = x'deadbeef' WHERE name = 'kv'").run();
    db.close();
    const s = r.stateAt({ seq: 10 });
    expect(s.fromSnapshot).toBe(0);
    expect(s.state.size).toBe(10);
    log.close();
  });

  it('stops at a payload that does not decode, naming its sequence number', () => {
    const log = fresh();
    const c = codec();
    const events = Array.from({ length: 5 }, (_, i) => c.encode(i, 'Added', `k/${i}`, { key: `k${i}`, value: i }));
    events[2] = { ...events[2]!, payload: new Uint8Array([0xc1]) };
    log.append(events);
    const r = new Replayer(log, c, kv);
    expect(() => r.stateAt()).toThrow(CorruptLogError);
    expect(() => r.stateAt()).toThrow(/sequence 3: Added payload does not decode/);
    expect(r.stateAt({ seq: 2 }).state.size).toBe(2);
    log.close();
  });

  it('stops at an unknown event type and at a sequence gap', () => {
    const path = join(dir, 'gap.db');
    const log = EventLog.open(path);
    const c = codec();
    const added = (i: number) => c.encode(i, 'Added', `k/${i}`, { key: `k${i}`, value: i });
    log.append([added(0), { ...added(1), type: 'Exploded' }]);
    expect(() => new Replayer(log, c, kv).stateAt()).toThrow(/sequence 2: unknown event type 'Exploded'/);
    const gap = EventLog.open(join(dir, 'gap2.db'));
    for (let i = 0; i < 5; i++) gap.append([added(i)]);
    const db = new Database(gap.path);
    db.prepare('DELETE FROM chunks WHERE first_seq = 4').run();
    db.close();
    expect(() => new Replayer(gap, c, kv).stateAt({ seq: 5 })).toThrow(/sequence 4: missing: sequence gap/);
    log.close();
    gap.close();
  });
});
