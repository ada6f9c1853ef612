export * from './types.js';
export * from './events.js';
export { type ClusterState, initialClusterState } from './ClusterState.js';
export { evolveCluster, API_SERVER_SERVICE } from './evolve.js';
export { ClusterIndex } from './ClusterIndex.js';
export { clusterProjection, clusterDigest } from './clusterProjection.js';
export { clusterCodec } from './clusterCodec.js';
export { PodTable, type PodTableSnapshot } from './PodTable.js';
