export { parseAt } from './at.js';
export { clusterAt, openForQuery } from './openCluster.js';
export { objectStream } from './objectStream.js';
export { history, type HistoryEntry } from './history.js';
export { readEvents, type EventFilter, type LogEntry } from './events.js';
export { diffClusters, type ClusterDiff, type ObjectChange } from './diff.js';
export { verifyLog, type VerifyReport } from './verify.js';
