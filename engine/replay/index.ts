export type { Projection } from './Projection.js';
export { Replayer, decodeEvent, type LogPoint, type StateAt } from './Replayer.js';
export { canonicalJson, digestOf } from './digest.js';
