import type { EventCodec, EncodedEvent, EventEnvelope } from '../../engine/codec/index.js';
import type { EventLog } from '../../engine/log/index.js';
import { DEFAULT_SNAPSHOT_EVERY, Replayer } from '../../engine/replay/index.js';
import { clusterProjection, evolveCluster, type ClusterEvent, type ClusterState } from '../cluster/index.js';
import type { Command } from './commands.js';
import { decide } from './decide.js';
import { reconcile } from './reconcile.js';

/**
 * Default interval of a LiveCluster's snapshots: four times a query's. A snapshot of an
 * envelope-sized cluster costs ~0.1-0.3 s to encode and write, and the run pays it
 * inline; at the query interval that was a third of `podnet replay`'s time. A query
 * that starts from one of these replays at most this many events, and (on a writable
 * log) fills in snapshots at the query interval as it goes.
 */
export const LIVE_SNAPSHOT_EVERY = 4 * DEFAULT_SNAPSHOT_EVERY;

/** How a LiveCluster keeps snapshots. */
export interface LiveClusterOptions {
  /**
   * Save a snapshot of the settled state after a command whose events cross a multiple
   * of this many events (default LIVE_SNAPSHOT_EVERY), so a query after a long run
   * starts near where it wants to be. 0 turns it off.
   */
  snapshotEvery?: number;
}

/**
 * The cluster as it runs: commands come in, controllers decide, and every decision is
 * folded into the state and appended to the log in one batch per command. A command
 * that fails leaves both the log and the state as they were.
 */
export class LiveCluster {
  readonly log: EventLog;
  readonly codec: EventCodec;
  private current: ClusterState;
  private readonly replayer: Replayer<ClusterState>;
  private readonly snapshotEvery: number;

  constructor(log: EventLog, codec: EventCodec, opts: LiveClusterOptions = {}) {
    this.log = log;
    this.codec = codec;
    this.replayer = new Replayer(log, codec, clusterProjection);
    this.snapshotEvery = log.readonly ? 0 : opts.snapshotEvery ?? LIVE_SNAPSHOT_EVERY;
    this.current = this.replay();
  }

  /**
   * The state at the log's head. Every batch in the log ended with the controllers
   * settled, so nothing folded from it is stale: the endpoints work list starts empty.
   */
  private replay(): ClusterState {
    const s = this.replayer.stateAt().state;
    s.index.dirtyServices.clear();
    s.index.dirtyWorkloads.clear();
    s.index.nodesChanged = false;
    s.index.lostNodes.clear();
    return s;
  }

  /** The current cluster (do not modify). */
  get state(): ClusterState {
    return this.current;
  }

  /** Run a command at scenario time `time` (ms). Returns the events it produced. */
  execute(command: Command, time: number): EventEnvelope[] {
    const head = this.log.lastSeq();
    const made: EventEnvelope[] = [];
    const encoded: EncodedEvent[] = [];
    const emit = (e: ClusterEvent): void => {
      const env: EventEnvelope = { seq: head + made.length + 1, time, type: e.type, stream: e.stream, data: e.data as unknown as Record<string, unknown> };
      encoded.push(this.codec.encode(time, e.type, e.stream, env.data));
      made.push(env);
      evolveCluster(this.current, env);
    };
    try {
      decide(this.current, command, emit);
      reconcile(this.current, emit);
      if (encoded.length) this.log.append(encoded, head);
    } catch (e) {
      // Some events may have been folded already: rebuild the state from the log.
      if (made.length) this.current = this.replay();
      throw e;
    }
    this.snapshotIfDue(head, head + made.length, time);
    return made;
  }

  /** The batch (head, seq] crossed a multiple of the interval: snapshot its settled end. */
  private snapshotIfDue(head: number, seq: number, time: number): void {
    const every = this.snapshotEvery;
    if (every <= 0 || Math.floor(seq / every) === Math.floor(head / every)) return;
    this.replayer.saveSnapshot({ state: this.current, seq, time, fromSnapshot: 0 });
  }
}
