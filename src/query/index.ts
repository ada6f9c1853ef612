export { parseAt } from './at.js';
export { clusterAt } from './openCluster.js';
