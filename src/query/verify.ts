import type { EventCodec, EventEnvelope } from '../../engine/codec/index.js';
import { Chunk, ChunkError, type EventLog } from '../../engine/log/index.js';
import { decodeSnapshot, digestOf, Replayer, type Projection } from '../../engine/replay/index.js';
import { PodnetError } from '../../engine/errors.js';

/** What `podnet verify` found. `problems` is empty for a sound log. */
export interface VerifyReport {
  events: number;
  chunks: number;
  snapshots: number;
  problems: string[];
}

const MAX_PROBLEMS = 20;

/**
 * Check a log end to end: chunks follow each other without gaps or overlaps, every
 * chunk parses and every payload decodes; then one replay from the start compares
 * every stored snapshot with the state the events give at its sequence number.
 */
export function verifyLog<S>(log: EventLog, codec: EventCodec, projection: Projection<S>): VerifyReport {
  const report: VerifyReport = { events: 0, chunks: 0, snapshots: 0, problems: [] };
  const problem = (p: string) => { if (report.problems.length < MAX_PROBLEMS) report.problems.push(p); };
  const decodable = checkEvents(log, codec, report, problem);
  checkSnapshots(log, codec, projection, decodable, report, problem);
  return report;
}

/** Continuity and decoding; returns the last sequence number up to which everything decodes. */
function checkEvents(log: EventLog, codec: EventCodec, report: VerifyReport, problem: (p: string) => void): number {
  let expected = 1;
  let sound = -1;
  for (const row of log.chunkRows()) {
    report.chunks++;
    if (row.firstSeq !== expected) problem(`sequence ${expected}: ${row.firstSeq > expected ? `missing events ${expected}..${row.firstSeq - 1} (gap)` : `chunk ${row.firstSeq}..${row.lastSeq} overlaps the one before`}`);
    if (row.firstSeq > expected && sound < 0) sound = expected - 1;
    expected = row.lastSeq + 1;
    let c: Chunk;
    try {
      c = new Chunk(row.firstSeq, row.body);
      if (c.count !== row.lastSeq - row.firstSeq + 1) throw new Error(`holds ${c.count} events, its row says ${row.lastSeq - row.firstSeq + 1}`);
    } catch (e) {
      const at = row.firstSeq + (e instanceof ChunkError ? e.index : 0);
      problem(`sequence ${at}: chunk ${row.firstSeq}..${row.lastSeq} does not parse: ${(e as Error).message}`);
      if (sound < 0) sound = row.firstSeq - 1;
      continue;
    }
    for (let i = 0; i < c.count; i++) {
      report.events++;
      try {
        codec.decodeRange(c.typeName(i), c.versions[i]!, c.body, c.payloadStart[i]!, c.payloadEnd[i]!);
      } catch (e) {
        problem(`sequence ${c.firstSeq + i}: ${(e as Error).message}`);
        if (sound < 0) sound = c.firstSeq + i - 1;
      }
    }
  }
  return sound < 0 ? expected - 1 : sound;
}

/** Each snapshot must decode, pass its checksum and equal the replayed state at its sequence. */
function checkSnapshots<S>(log: EventLog, codec: EventCodec, projection: Projection<S>, decodable: number, report: VerifyReport, problem: (p: string) => void): void {
  const wanted = new Map<number, { digest: string }>();
  const replayer = new Replayer(log, codec, projection, { snapshotEvery: 0 });
  for (const snap of log.allSnapshots()) {
    if (snap.name !== projection.name) continue;
    report.snapshots++;
    const where = `snapshot '${snap.name}' at sequence ${snap.seq}`;
    if (snap.version !== projection.version) { problem(`${where}: projection version ${snap.version}, this podnet's is ${projection.version} (stale: it is ignored and may be deleted)`); continue; }
    if (replayer.trySnapshot(snap.version, snap.payload) === undefined) { problem(`${where}: checksum or body does not match (corrupt: it is ignored, replays rebuild from events)`); continue; }
    if (snap.seq > decodable) { problem(`${where}: lies past sequence ${decodable}, where the events stop being readable`); continue; }
    wanted.set(snap.seq, { digest: digestOf(decodeSnapshot(snap.payload.subarray(20))) });
  }
  if (wanted.size === 0) return;
  const last = Math.max(...wanted.keys());
  try {
    replayer.fold({ state: projection.initialState(), seq: 0, time: 0, fromSnapshot: 0 }, last, (e: EventEnvelope, state: S) => {
      const w = wanted.get(e.seq);
      if (w && digestOf(projection.toSnapshot(state)) !== w.digest) problem(`snapshot '${projection.name}' at sequence ${e.seq}: differs from the state its events replay to`);
    });
  } catch (e) {
    if (e instanceof PodnetError) problem(e.message);
    else throw e;
  }
}
