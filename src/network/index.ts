export { ClusterNetwork, CALICO_GATEWAY, CALICO_HOST_MAC, type NodeNet, type PodNet } from './ClusterNetwork.js';
