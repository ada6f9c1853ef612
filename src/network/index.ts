export { ClusterNetwork, CALICO_GATEWAY, CALICO_HOST_MAC, parseNodeCidr, type NodeNet, type PodNet } from './ClusterNetwork.js';
export { sharedRoutes, ownRoutes, podBlocks, formatRoute, routeSource, vpcGateway, CALICO_BLOCK_LEN, type NodeRoute, type RouteKind } from './nodeRoutes.js';
export { NodeRouteTables, BASE_TABLE, nodeTable } from './NodeRouteTables.js';
export { ServiceTable, chainHash, frontendKey, type ServicePortEntry, type ServiceEndpoint, type FrontendKind } from './ServiceTable.js';
export { CloudNetwork, INTERNET_HOST, EXCLUDE_LB_LABEL } from './CloudNetwork.js';
export { DnsRecords, KUBE_DNS, type DnsAnswer } from './dns.js';
export { matchIngress, INGRESS_CONTROLLER_LABEL, type IngressMatch } from './IngressRules.js';
export { iptablesSave, iptablesProbability } from './iptablesSave.js';
