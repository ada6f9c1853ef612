// Address management: node pod CIDRs and node IPs, pod IPs from a node's CIDR, Service
// ClusterIPs, NodePorts and LoadBalancer IPs. Every choice is the lowest free value,
// so the same history always allocates the same addresses.
import { cidrContains, cidrSize, formatCidr, formatIp, parseCidr, parseIp, subnet, type Cidr } from '../../engine/net/index.js';
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

/** Parsed pod CIDRs by node (a node's CIDR never changes): parsing per pod showed in profiles. */
const podCidrs = new WeakMap<Node, Cidr>();

function podCidrOf(node: Node): Cidr {
  let c = podCidrs.get(node);
  if (!c) podCidrs.set(node, (c = parseCidr(node.podCidr)));
  return c;
}

/**
 * Lowest free pod IP in the node's CIDR: skips the network address, the gateway (.1)
 * and the broadcast address. Undefined when the CIDR is full.
 */
export function allocatePodIp(s: ClusterState, node: Node): string | undefined {
  const c = podCidrOf(node);
  const last = c.base + cidrSize(c) - 1;
  // Only pods on this node hold addresses of its CIDR: look at those, not every pod IP.
  const used = s.index.podIpsByNode.get(node.name) ?? new Set<number>();
  const floors = s.index.podIpFloor;
  // Everything below the floor is taken, so the search can start there and still find
  // the lowest. A floor outside the CIDR is a node of that name that left: ignore it.
  const floor = floors.get(node.name);
  for (let ip = floor !== undefined && floor > c.base + 2 && floor < last ? floor : c.base + 2; ip < last; ip++) {
    if (used.has(ip)) continue;
    floors.set(node.name, ip);
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

/**
 * What one apply has handed out so far but not yet recorded. The cursors remember
 * where the last search stopped: everything below them is taken, so 10,000 Services
 * in one apply do not each rescan the addresses the ones before them took.
 */
export class AddressPlan {
  readonly ips = new Set<string>();
  readonly ports = new Set<number>();
  clusterIpCursor = 0;
  nodePortCursor = 0;
}

/** The apiserver's ClusterIP and the DNS Service's (kubeadm: the range's .1 and .10). */
export function wellKnownServiceIps(serviceCidr: string): { apiServer: string; dns?: string } {
  const c = parseCidr(serviceCidr);
  return { apiServer: formatIp(c.base + 1), ...(cidrSize(c) > 12 ? { dns: formatIp(c.base + 10) } : {}) };
}

/** Lowest free ClusterIP (.1 is the kubernetes Service, .10 kube-dns, as kubeadm sets them). */
export function allocateClusterIp(s: ClusterState, plan: AddressPlan = new AddressPlan()): string | undefined {
  const c = parseCidr(s.config!.serviceCidr);
  const last = c.base + cidrSize(c) - 1;
  for (let ip = Math.max(c.base + 1, plan.clusterIpCursor); ip < last; ip++) {
    const text = formatIp(ip);
    if (!s.serviceIps.has(text) && !plan.ips.has(text)) { plan.clusterIpCursor = ip + 1; return text; }
  }
  return undefined;
}

/** Lowest free NodePort. */
export function allocateNodePort(s: ClusterState, plan: AddressPlan = new AddressPlan()): number | undefined {
  for (let p = Math.max(NODE_PORT_MIN, plan.nodePortCursor); p <= NODE_PORT_MAX; p++) {
    if (!s.nodePorts.has(p) && !plan.ports.has(p)) { plan.nodePortCursor = p + 1; return p; }
  }
  return undefined;
}

/** Lowest free LoadBalancer IP from the pool (skipping its network and .1). */
export function allocateLoadBalancerIp(s: ClusterState, plan: AddressPlan = new AddressPlan()): string | undefined {
  const c = parseCidr(s.config!.loadBalancerPool);
  const last = c.base + cidrSize(c) - 1;
  for (let ip = c.base + 2; ip < last; ip++) {
    const text = formatIp(ip);
    if (!s.serviceIps.has(text) && !plan.ips.has(text)) return text;
  }
  return undefined;
}
