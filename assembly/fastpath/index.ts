// The fast-path kernels and their tables: established.ts finishes packets of known
// connections in one call per vector, podTx.ts does a pod's transmit and its bridge's
// learning, tables.ts holds what the datapath programs for them.
export { fastPath, fastPathRoutesChanged } from './established';
export { fastPathPodTx } from './podTx';
export { fastPathSetRoute, fastPathSetNode, fastPathSetPod, fastPathSetPodNet, fastPathClear } from './tables';
