import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { EncodedEvent } from '../codec/EventCodec.js';
import { ConcurrencyError, CorruptLogError, PodnetError } from '../errors.js';
import { Chunk, ChunkBuilder, ChunkError, CHUNK_EVENTS } from './Chunk.js';

/** One stored event, payload still encoded (a view into its chunk). */
export interface StoredEvent {
  seq: number;
  time: number;
  type: string;
  version: number;
  stream: string;
  payload: Uint8Array;
}

/** A stored projection snapshot. */
export interface StoredSnapshot {
  seq: number;
  time: number;
  name: string;
  version: number;
  payload: Uint8Array;
}

/** A chunk row before its body is parsed (for verify and error reports). */
export interface ChunkRow {
  firstSeq: number;
  lastSeq: number;
  body: Uint8Array;
}

const FORMAT = 'podnet-log';
/** Chunk rows fetched per query while scanning. */
const PAGE_CHUNKS = 32;
/** SQLite page size of a newly created log (see EventLog.open). */
export const PAGE_SIZE = 16384;
/** 1: one row per event (pre-release). 2: chunked rows with interned names (Chunk.ts). */
export const FORMAT_VERSION = 2;

// Chunk rows: the body is the last column, so row scans that only need the seq range
// and times never read its overflow pages.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chunks (
  first_seq INTEGER PRIMARY KEY,
  last_seq INTEGER NOT NULL,
  min_time INTEGER NOT NULL,
  max_time INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  version INTEGER NOT NULL,
  payload BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS snapshots_at ON snapshots(name, seq);
`;

/** Options for opening a log. */
export interface OpenOptions {
  /** Open for reading only; the file must exist. */
  readonly?: boolean;
  /** Start a new, empty log: an existing file at that path is an error unless `overwrite`. */
  create?: boolean;
  /** A quota on the file's size: appends that would grow it past this fail as on a full disk. */
  maxBytes?: number;
}

/**
 * The append-only event log in SQLite (WAL mode). The only module that touches the
 * database. Events are stored in chunks (see Chunk.ts); one append is one transaction
 * with prepared statements, and a reader in another process sees a consistent prefix
 * (WAL snapshot isolation: a chunk is either wholly there or not at all).
 */
export class EventLog {
  readonly path: string;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly builder = new ChunkBuilder();
  private readonly stmt: ReturnType<typeof prepare>;
  private head: number;

  private constructor(path: string, db: Database.Database, readonly: boolean) {
    this.path = path;
    this.db = db;
    this.readonly = readonly;
    this.stmt = prepare(db);
    this.head = this.readHead();
  }

  /** Open (or create) a log file. Throws a PodnetError naming the file when it is not a podnet log. */
  static open(path: string, opts: OpenOptions = {}): EventLog {
    if (opts.readonly && !existsSync(path)) {
      throw new PodnetError('NOT_FOUND', `${path}: no such event log; run 'podnet demo' or 'podnet replay SCENARIO --db ${path}' first`);
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
      db.pragma('busy_timeout = 5000');
      if (!opts.readonly) {
        // Pages of a new file (an existing one keeps its own): a chunk of a thousand
        // events is ~60 KB, which 4 KB pages wrote as 15 overflow pages, each its own
        // WAL frame, checksum and write. 16 KB pages took a quarter off an append's CPU
        // time; 64 KB saved no more and would make every tiny commit write 64 KB frames.
        db.pragma(`page_size = ${PAGE_SIZE}`);
        db.pragma('journal_mode = WAL');
        // WAL + NORMAL: a commit survives the process being killed (it is in the WAL
        // the OS holds); only a power loss may drop the last commits.
        db.pragma('synchronous = NORMAL');
        if (opts.maxBytes) db.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxBytes / (db.pragma('page_size', { simple: true }) as number)))}`);
      }
      checkFormat(path, db, !!opts.readonly);
      return new EventLog(path, db, !!opts.readonly);
    } catch (e) {
      db?.close();
      if (e instanceof PodnetError) throw e;
      const msg = (e as Error).message;
      if (/not a database|file is encrypted/i.test(msg)) throw new PodnetError('NOT_A_LOG', `${path}: is not a podnet event log (not an SQLite database)`);
      throw new PodnetError('IO', `${path}: cannot open event log: ${msg}`);
    }
  }

  /** Sequence number of the last event (0 for an empty log). */
  lastSeq(): number {
    return this.head;
  }

  /** Re-read the head from disk (another process may have appended). */
  refresh(): number {
    this.head = this.readHead();
    return this.head;
  }

  /**
   * Append a batch in one transaction. With `expectedSeq`, the batch is written only
   * if the log still ends at that sequence; otherwise ConcurrencyError, nothing written.
   * Returns the sequence number of the last appended event.
   */
  append(events: readonly EncodedEvent[], expectedSeq?: number): number {
    if (this.readonly) throw new PodnetError('READ_ONLY', `${this.path}: opened read-only; nothing was written`);
    const run = this.db.transaction((batch: readonly EncodedEvent[]) => {
      const head = this.readHead();
      if (expectedSeq !== undefined && head !== expectedSeq) throw new ConcurrencyError(expectedSeq, head);
      for (let from = 0; from < batch.length; from += CHUNK_EVENTS) this.insertChunk(batch, from, Math.min(batch.length, from + CHUNK_EVENTS), head + from + 1);
      return head + batch.length;
    });
    try {
      this.head = run.immediate(events);
    } catch (e) {
      if (e instanceof PodnetError) throw e;
      throw new PodnetError('IO', `${this.path}: append failed, nothing written: ${ioAdvice((e as Error).message)}`);
    }
    return this.head;
  }

  private insertChunk(batch: readonly EncodedEvent[], from: number, to: number, firstSeq: number): void {
    let min = Infinity;
    let max = -Infinity;
    for (let i = from; i < to; i++) {
      const t = batch[i]!.time;
      if (t < min) min = t;
      if (t > max) max = t;
    }
    this.stmt.insert.run(firstSeq, firstSeq + (to - from) - 1, min, max, this.builder.build(batch, from, to));
  }

  /**
   * The chunks holding fromSeq..toSeq, in order, parsed. A chunk that does not parse
   * is a CorruptLogError naming the first sequence number it holds.
   */
  *chunks(fromSeq = 1, toSeq = this.head): IterableIterator<Chunk> {
    for (const row of this.chunkRows(fromSeq, toSeq)) yield parseChunk(row);
  }

  /**
   * The raw chunk rows holding fromSeq..toSeq, in order (for verify). Read in pages,
   * not through one open cursor, so a caller may write (a snapshot) between chunks.
   */
  *chunkRows(fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): IterableIterator<ChunkRow> {
    let start = (this.stmt.chunkAt.get(fromSeq) as number | null) ?? 1;
    for (;;) {
      const page = this.stmt.range.all(start, toSeq, PAGE_CHUNKS) as ChunkRow[];
      yield* page;
      if (page.length < PAGE_CHUNKS) return;
      start = page[page.length - 1]!.firstSeq + 1;
    }
  }

  /**
   * Events with fromSeq <= seq <= toSeq, in order. Reads stop at the head this handle
   * last saw (open, append or refresh), so one read is one consistent prefix even while
   * another process appends.
   */
  *read(fromSeq = 1, toSeq = this.head): IterableIterator<StoredEvent> {
    for (const c of this.chunks(fromSeq, toSeq)) {
      const lo = Math.max(0, fromSeq - c.firstSeq);
      const hi = Math.min(c.count, toSeq - c.firstSeq + 1);
      for (let i = lo; i < hi; i++) yield storedEvent(c, i);
    }
  }

  /** Events about one stream (object), in order. Scans chunk dictionaries, decodes nothing else. */
  readStream(stream: string, toSeq = this.head): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const c of this.chunks(1, toSeq)) {
      const s = c.findStream(stream);
      if (s < 0) continue;
      const hi = Math.min(c.count, toSeq - c.firstSeq + 1);
      for (let i = 0; i < hi; i++) if (c.streamIdx[i] === s) out.push(storedEvent(c, i));
    }
    return out;
  }

  /** Distinct streams whose name starts with a prefix (e.g. `pod/default/`), sorted. */
  streams(prefix: string): string[] {
    const found = new Set<string>();
    for (const c of this.chunks()) {
      for (let i = 0; i < c.count; i++) {
        const name = c.streamName(i);
        if (name.startsWith(prefix)) found.add(name);
      }
    }
    return [...found].sort();
  }

  /** The last sequence number whose time is <= timeMs (0 when none). */
  seqAtTime(timeMs: number): number {
    // The newest chunk holding any event at or before timeMs holds the answer: no later
    // chunk has one (its min_time is later), so only that chunk is parsed.
    const row = this.stmt.chunkAtTime.get(timeMs) as ChunkRow | undefined;
    if (!row) return 0;
    const c = parseChunk(row);
    for (let i = c.count - 1; i >= 0; i--) if (c.times[i]! <= timeMs) return c.firstSeq + i;
    return 0;
  }

  /** Time of an event (undefined when out of range). */
  timeOf(seq: number): number | undefined {
    if (seq < 1 || seq > this.head) return undefined;
    for (const c of this.chunks(seq, seq)) if (seq - c.firstSeq < c.count) return c.times[seq - c.firstSeq];
    return undefined;
  }

  /** A metadata value (format, source scenario, ...). */
  meta(key: string): string | undefined {
    return this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  /** Set a metadata value. */
  setMeta(key: string, value: string): void {
    this.write(() => this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value));
  }

  /** Save a projection snapshot taken at `seq`. */
  saveSnapshot(s: StoredSnapshot): void {
    this.write(() => this.stmt.saveSnapshot.run(s.name, s.seq, s.time, s.version, s.payload));
  }

  /**
   * The newest snapshots of a projection at or before `seq`, newest first, read one at
   * a time: the caller usually stops at the first, and each is megabytes.
   */
  *snapshotsBefore(name: string, seq: number, limit = 3): Generator<StoredSnapshot> {
    let atOrBelow = seq;
    for (let i = 0; i < limit; i++) {
      const snap = this.stmt.snapshotBefore.get(name, atOrBelow) as StoredSnapshot | undefined;
      if (!snap) return;
      yield snap;
      atOrBelow = snap.seq - 1;
    }
  }

  /** Every snapshot of every projection, oldest first (for verify). */
  allSnapshots(): StoredSnapshot[] {
    return this.db.prepare('SELECT name, seq, time, version, payload FROM snapshots ORDER BY name, seq').all() as StoredSnapshot[];
  }

  /** Sequence numbers of a projection's snapshots (of one projection version, if given), ascending. */
  snapshotSeqs(name: string, version?: number): number[] {
    if (version === undefined) return this.db.prepare('SELECT seq FROM snapshots WHERE name = ? ORDER BY seq').pluck().all(name) as number[];
    return this.db.prepare('SELECT seq FROM snapshots WHERE name = ? AND version = ? ORDER BY seq').pluck().all(name, version) as number[];
  }

  /** Delete a snapshot (found stale or corrupt). */
  deleteSnapshot(name: string, seq: number): void {
    this.write(() => this.db.prepare('DELETE FROM snapshots WHERE name = ? AND seq = ?').run(name, seq));
  }

  close(): void {
    this.db.close();
  }

  private readHead(): number {
    return (this.stmt.head.get() as number | undefined) ?? 0;
  }

  private write(f: () => unknown): void {
    if (this.readonly) throw new PodnetError('READ_ONLY', `${this.path}: opened read-only; nothing was written`);
    try {
      f();
    } catch (e) {
      throw new PodnetError('IO', `${this.path}: write failed, nothing written: ${ioAdvice((e as Error).message)}`);
    }
  }
}

function prepare(db: Database.Database) {
  return {
    head: db.prepare('SELECT last_seq FROM chunks ORDER BY first_seq DESC LIMIT 1').pluck(),
    insert: db.prepare('INSERT INTO chunks (first_seq, last_seq, min_time, max_time, body) VALUES (?, ?, ?, ?, ?)'),
    chunkAt: db.prepare('SELECT max(first_seq) FROM chunks WHERE first_seq <= ?').pluck(),
    range: db.prepare('SELECT first_seq AS firstSeq, last_seq AS lastSeq, body FROM chunks WHERE first_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?'),
    chunkAtTime: db.prepare('SELECT first_seq AS firstSeq, last_seq AS lastSeq, body FROM chunks WHERE min_time <= ? ORDER BY first_seq DESC LIMIT 1'),
    saveSnapshot: db.prepare('INSERT OR REPLACE INTO snapshots (name, seq, time, version, payload) VALUES (?, ?, ?, ?, ?)'),
    snapshotBefore: db.prepare('SELECT name, seq, time, version, payload FROM snapshots WHERE name = ? AND seq <= ? ORDER BY seq DESC LIMIT 1'),
  };
}

/** Create the schema in an empty file, or check that a file is a podnet log this release reads. */
function checkFormat(path: string, db: Database.Database, readonly: boolean): void {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (tables.length > 0 && !tables.includes('meta')) {
    throw new PodnetError('NOT_A_LOG', `${path}: is an SQLite database but not a podnet event log; choose another --db file`);
  }
  if (tables.length === 0) {
    if (readonly) throw new PodnetError('NOT_A_LOG', `${path}: is empty, not a podnet event log`);
    db.transaction(() => {
      db.exec(SCHEMA);
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)').run('format', FORMAT, 'formatVersion', String(FORMAT_VERSION));
    }).immediate();
  }
  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  if (meta.get('format') !== FORMAT) throw new PodnetError('NOT_A_LOG', `${path}: is not a podnet event log`);
  const fv = Number(meta.get('formatVersion'));
  if (fv > FORMAT_VERSION) throw new PodnetError('NOT_A_LOG', `${path}: log format ${fv} is newer than this podnet reads (${FORMAT_VERSION}); upgrade podnet`);
  if (fv < FORMAT_VERSION) throw new PodnetError('NOT_A_LOG', `${path}: log format ${fv} was written by a pre-release podnet; re-run its scenario with 'podnet replay SCENARIO --db ${path} --force'`);
}

function parseChunk(row: ChunkRow): Chunk {
  let c: Chunk;
  try {
    c = new Chunk(row.firstSeq, row.body);
  } catch (e) {
    if (e instanceof ChunkError) throw new CorruptLogError(row.firstSeq + e.index, `stored chunk ${row.firstSeq}..${row.lastSeq} does not parse (${e.message}); see 'podnet verify'`);
    throw e;
  }
  if (c.count !== row.lastSeq - row.firstSeq + 1) {
    throw new CorruptLogError(row.firstSeq, `stored chunk ${row.firstSeq}..${row.lastSeq} holds ${c.count} events; see 'podnet verify'`);
  }
  return c;
}

function storedEvent(c: Chunk, i: number): StoredEvent {
  return { seq: c.firstSeq + i, time: c.times[i]!, type: c.typeName(i), version: c.versions[i]!, stream: c.streamName(i), payload: c.payload(i) };
}

/** SQLite's message plus what the user can do about it. */
function ioAdvice(msg: string): string {
  if (/full/i.test(msg)) return `${msg}; free disk space (or raise the quota) and retry`;
  if (/readonly|read-only|permission/i.test(msg)) return `${msg}; the file or its folder is not writable: check permissions or use another --db`;
  return msg;
}
