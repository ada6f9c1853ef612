// The cloud around the cluster: the VPC's internet gateway, which maps each node's
// private IP 1:1 to a public IP (AWS IGW / GCP external IPs: stateless, no port
// change), and the cloud load balancer in front of LoadBalancer Services, which sends
// each flow to a healthy node's NodePort (AWS NLB instance targets, GCP target pools).
import { cidrContains, parseCidr, parseIp, type Cidr } from '../../engine/net/index.js';
import type { ClusterNetwork } from './ClusterNetwork.js';
import type { ServicePortEntry } from './ServiceTable.js';

/**
 * The internet host `internet` stands for in traces: an address from TEST-NET-1
 * (RFC 5737, documentation only, never routed), so `podnet lab`, which gives it to a
 * namespace of its own, can never be mistaken for traffic to a real host.
 */
export const INTERNET_HOST = parseIp('192.0.2.80');

/** Label kubeadm puts on control-plane nodes to keep them out of load balancer pools. */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** Static cloud state derived from the cluster. */
export class CloudNetwork {
  private readonly publicToNode = new Map<number, number>();
  /** node index -> public IP (0: none). */
  readonly publicIp: Uint32Array;
  readonly lbPool: Cidr;
  private readonly net: ClusterNetwork;

  constructor(net: ClusterNetwork) {
    this.net = net;
    let max = 0;
    for (const n of net.state.nodes.values()) max = Math.max(max, n.index + 1);
    this.publicIp = new Uint32Array(max);
    for (const n of net.state.nodes.values()) {
      const ip = parseIp(n.publicIp);
      this.publicIp[n.index] = ip;
      this.publicToNode.set(ip, n.index);
    }
    this.lbPool = parseCidr(net.state.config!.loadBalancerPool);
  }

  /** The node a public IP belongs to (inbound 1:1 NAT), or undefined. */
  nodeOfPublic(ip: number): number | undefined {
    return this.publicToNode.get(ip);
  }

  /** True for LoadBalancer pool addresses. */
  isLoadBalancerIp(ip: number): boolean {
    return cidrContains(this.lbPool, ip);
  }

  /**
   * Nodes the load balancer may send a Service's traffic to: ready workers (the
   * control plane is excluded, as kubeadm labels it); with externalTrafficPolicy Local
   * only nodes with a local endpoint, because only they pass the healthCheckNodePort probe.
   */
  lbTargets(entry: ServicePortEntry): number[] {
    const local = new Set(entry.endpoints.map((e) => e.node));
    const out: number[] = [];
    for (const n of this.net.state.nodes.values()) {
      if (!n.ready || n.role === 'control-plane' || EXCLUDE_LB_LABEL in n.labels) continue;
      if (entry.localOnly && !local.has(n.name)) continue;
      out.push(n.index);
    }
    return out;
  }
}
