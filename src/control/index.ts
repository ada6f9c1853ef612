export * from './commands.js';
export { decide, KIND_ALIASES } from './decide.js';
export { reconcile } from './reconcile.js';
export { LiveCluster, LIVE_SNAPSHOT_EVERY, type LiveClusterOptions } from './LiveCluster.js';
export { matchesSelector, matchesLabels, formatSelector } from './labels.js';
export { podGateway } from './ipam.js';
export type { Emit } from './scheduler.js';
export { withLiveCluster, COMMAND_GAP_MS } from './withLiveCluster.js';
export { ownedPods } from './workloads.js';
