export type { Projection, DirectFold } from './Projection.js';
export { Replayer, decodeEvent, DEFAULT_SNAPSHOT_EVERY, type LogPoint, type StateAt, type ReplayerOptions } from './Replayer.js';
export { encodeSnapshot, decodeSnapshot } from './SnapshotCodec.js';
export { canonicalJson, digestOf } from './digest.js';
