export * from './types.js';
export * from './events.js';
export { type ClusterState, initialClusterState, workloadKey } from './ClusterState.js';
export { evolveCluster } from './evolve.js';
export { clusterProjection, clusterDigest } from './clusterProjection.js';
export { clusterCodec } from './clusterCodec.js';
