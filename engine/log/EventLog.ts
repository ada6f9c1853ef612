import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { EncodedEvent } from '../codec/EventCodec.js';
import { ConcurrencyError, PodnetError } from '../errors.js';

/** One stored event row, payload still encoded. */
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

const FORMAT = 'podnet-log';
const FORMAT_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  type TEXT NOT NULL,
  version INTEGER NOT NULL,
  stream TEXT NOT NULL,
  payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_stream ON events(stream, seq);
CREATE INDEX IF NOT EXISTS events_time ON events(time, seq);
CREATE TABLE IF NOT EXISTS snapshots (
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  version INTEGER NOT NULL,
  payload BLOB NOT NULL,
  PRIMARY KEY (name, seq)
) WITHOUT ROWID;
`;

/** Options for opening a log. */
export interface OpenOptions {
  /** Open for reading only; the file must exist. */
  readonly?: boolean;
  /** Start a new, empty log: an existing file at that path is an error unless `overwrite`. */
  create?: boolean;
}

/**
 * The append-only event log in SQLite (WAL mode). The only module that touches the
 * database. Appends are batched in one transaction with prepared statements; a reader
 * in another process sees a consistent prefix (WAL snapshot isolation).
 */
export class EventLog {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly headStmt: Database.Statement;
  private head: number;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.insertStmt = db.prepare('INSERT INTO events (seq, time, type, version, stream, payload) VALUES (?, ?, ?, ?, ?, ?)');
    this.headStmt = db.prepare('SELECT coalesce(max(seq), 0) AS head FROM events').pluck();
    this.head = this.headStmt.get() as number;
  }

  /** Open (or create) a log file. Throws a PodnetError naming the file when it is not a podnet log. */
  static open(path: string, opts: OpenOptions = {}): EventLog {
    if (opts.readonly && !existsSync(path)) {
      throw new PodnetError('NOT_FOUND', `${path}: no such event log; run 'podnet demo' or 'podnet replay SCENARIO --db ${path}' first`);
    }
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
      db.pragma('busy_timeout = 5000');
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      if (tables.length > 0 && !tables.includes('meta')) {
        db.close();
        throw new PodnetError('NOT_A_LOG', `${path}: is an SQLite database but not a podnet event log; choose another --db file`);
      }
      if (tables.length === 0) {
        if (opts.readonly) throw new PodnetError('NOT_A_LOG', `${path}: is empty, not a podnet event log`);
        db.exec(SCHEMA);
        db.prepare('INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)').run('format', FORMAT, 'formatVersion', String(FORMAT_VERSION));
      }
      const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
      if (meta.get('format') !== FORMAT) throw new PodnetError('NOT_A_LOG', `${path}: is not a podnet event log`);
      const fv = Number(meta.get('formatVersion'));
      if (fv > FORMAT_VERSION) throw new PodnetError('NOT_A_LOG', `${path}: log format ${fv} is newer than this podnet reads (${FORMAT_VERSION}); upgrade podnet`);
    } catch (e) {
      if (e instanceof PodnetError) throw e;
      const msg = (e as Error).message;
      if (/not a database|file is encrypted/i.test(msg)) throw new PodnetError('NOT_A_LOG', `${path}: is not a podnet event log (not an SQLite database)`);
      throw new PodnetError('IO', `${path}: cannot open event log: ${msg}`);
    }
    return new EventLog(path, db);
  }

  /** Sequence number of the last event (0 for an empty log). */
  lastSeq(): number {
    return this.head;
  }

  /** Re-read the head from disk (another process may have appended). */
  refresh(): number {
    this.head = this.headStmt.get() as number;
    return this.head;
  }

  /**
   * Append a batch in one transaction. With `expectedSeq`, the batch is written only
   * if the log still ends at that sequence; otherwise ConcurrencyError, nothing written.
   * Returns the sequence number of the last appended event.
   */
  append(events: readonly EncodedEvent[], expectedSeq?: number): number {
    const run = this.db.transaction((batch: readonly EncodedEvent[]) => {
      const head = this.headStmt.get() as number;
      if (expectedSeq !== undefined && head !== expectedSeq) throw new ConcurrencyError(expectedSeq, head);
      let seq = head;
      for (const e of batch) {
        this.insertStmt.run(++seq, e.time, e.type, e.version, e.stream, e.payload);
      }
      return seq;
    });
    try {
      this.head = run.immediate(events);
    } catch (e) {
      if (e instanceof PodnetError) throw e;
      throw new PodnetError('IO', `${this.path}: append failed, nothing written: ${(e as Error).message}`);
    }
    return this.head;
  }

  /** Events with fromSeq <= seq <= toSeq, in order. */
  *read(fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): IterableIterator<StoredEvent> {
    const stmt = this.db.prepare('SELECT seq, time, type, version, stream, payload FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq');
    yield* stmt.iterate(fromSeq, toSeq) as IterableIterator<StoredEvent>;
  }

  /** Events about one stream (object), in order. */
  readStream(stream: string, toSeq = Number.MAX_SAFE_INTEGER): StoredEvent[] {
    return this.db.prepare('SELECT seq, time, type, version, stream, payload FROM events WHERE stream = ? AND seq <= ? ORDER BY seq').all(stream, toSeq) as StoredEvent[];
  }

  /** Streams whose name starts with a prefix (e.g. `pod/default/`). */
  streams(prefix: string): string[] {
    return this.db.prepare("SELECT DISTINCT stream FROM events WHERE stream >= ? AND stream < ? ORDER BY stream").pluck().all(prefix, prefix + '\uffff') as string[];
  }

  /** The last sequence number whose time is <= timeMs (0 when none). */
  seqAtTime(timeMs: number): number {
    return (this.db.prepare('SELECT coalesce(max(seq), 0) FROM events WHERE time <= ?').pluck().get(timeMs) as number);
  }

  /** Time of an event (undefined when out of range). */
  timeOf(seq: number): number | undefined {
    return this.db.prepare('SELECT time FROM events WHERE seq = ?').pluck().get(seq) as number | undefined;
  }

  /** A metadata value (format, source scenario, ...). */
  meta(key: string): string | undefined {
    return this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  /** Set a metadata value. */
  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** Save a projection snapshot taken at `seq`. */
  saveSnapshot(s: StoredSnapshot): void {
    this.db.prepare('INSERT OR REPLACE INTO snapshots (name, seq, time, version, payload) VALUES (?, ?, ?, ?, ?)').run(s.name, s.seq, s.time, s.version, s.payload);
  }

  /** The newest snapshots of a projection at or before `seq`, newest first. */
  snapshotsBefore(name: string, seq: number, limit = 3): StoredSnapshot[] {
    return this.db.prepare('SELECT name, seq, time, version, payload FROM snapshots WHERE name = ? AND seq <= ? ORDER BY seq DESC LIMIT ?').all(name, seq, limit) as StoredSnapshot[];
  }

  /** Delete a snapshot (found stale or corrupt). */
  deleteSnapshot(name: string, seq: number): void {
    this.db.prepare('DELETE FROM snapshots WHERE name = ? AND seq = ?').run(name, seq);
  }

  close(): void {
    this.db.close();
  }
}
