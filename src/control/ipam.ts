// Address management: node pod CIDRs and node IPs, pod IPs from a node's CIDR, Service
// ClusterIPs, NodePorts and LoadBalancer IPs. Every choice is the lowest free value,
// so the same history always allocates the same addresses.
import { cidrContains, cidrSize, formatCidr, formatIp, parseCidr, parseIp, subnet } from '../../engine/net/index.js';
import type { ClusterState, Node } from '../cluster/index.js';

/** NodePort range (kube-apiserver --service-node-port-range default). */
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

/** The pod CIDR and addresses for the n-th node to join (n = join index). */
export function nodeAddresses(s: ClusterState, index: number): { podCidr: string; ip: string; publicIp: string } | undefined {
  const c = s.config!;
  const pool = parseCidr(c.podCidr);
  if (c.nodeCidrMaskSize < pool.len || index >= 2 ** (c.nodeCidrMaskSize - pool.len)) return undefined;
  const net = parseCidr(c.nodeNetwork);
  const pub = parseCidr(c.publicNetwork);
  // .1 of each network is its gateway; nodes start at .2
  if (index + 2 >= cidrSize(net) - 1 || index + 2 >= cidrSize(pub) - 1) return undefined;
  return {
    podCidr: formatCidr(subnet(pool, c.nodeCidrMaskSize, index)),
    ip: formatIp(net.base + index + 2),
    publicIp: formatIp(pub.base + index + 2),
  };
}

/** The gateway address of a node's pod CIDR (the bridge's IP, cni0 / cbr0). */
export function podGateway(node: Node): string {
  return formatIp(parseCidr(node.podCidr).base + 1);
}

/**
 * Lowest free pod IP in the node's CIDR: skips the network address, the gateway (.1)
 * and the broadcast address. Undefined when the CIDR is full.
 */
export function allocatePodIp(s: ClusterState, node: Node): string | undefined {
  const c = parseCidr(node.podCidr);
  const last = c.base + cidrSize(c) - 1;
  for (let ip = c.base + 2; ip < last; ip++) {
    const text = formatIp(ip);
    if (!s.podIps.has(text)) return text;
  }
  return undefined;
}

/** A requested ClusterIP is valid when it is in the service CIDR and free. */
export function checkClusterIp(s: ClusterState, ip: string, key: string): string | undefined {
  const c = parseCidr(s.config!.serviceCidr);
  const v = parseIp(ip);
  if (!cidrContains(c, v)) return `clusterIP ${ip} is not in the service CIDR ${s.config!.serviceCidr}`;
  const owner = s.serviceIps.get(ip);
  if (owner && owner !== key) return `clusterIP ${ip} is already allocated to service ${owner}`;
  return undefined;
}

/** Lowest free ClusterIP (.1 is the kubernetes Service, .10 kube-dns by convention, both handed out in order). */
export function allocateClusterIp(s: ClusterState, taken: Set<string> = new Set()): string | undefined {
  const c = parseCidr(s.config!.serviceCidr);
  const last = c.base + cidrSize(c) - 1;
  for (let ip = c.base + 1; ip < last; ip++) {
    const text = formatIp(ip);
    if (!s.serviceIps.has(text) && !taken.has(text)) return text;
  }
  return undefined;
}

/** Lowest free NodePort. */
export function allocateNodePort(s: ClusterState, taken: Set<number> = new Set()): number | undefined {
  for (let p = NODE_PORT_MIN; p <= NODE_PORT_MAX; p++) if (!s.nodePorts.has(p) && !taken.has(p)) return p;
  return undefined;
}

/** Lowest free LoadBalancer IP from the pool (skipping its network and .1). */
export function allocateLoadBalancerIp(s: ClusterState): string | undefined {
  const c = parseCidr(s.config!.loadBalancerPool);
  const last = c.base + cidrSize(c) - 1;
  for (let ip = c.base + 2; ip < last; ip++) {
    const text = formatIp(ip);
    if (!s.serviceIps.has(text)) return text;
  }
  return undefined;
}
