// A node's main route table as `ip route` prints it, per CNI mode, derived from the
// cluster (never stored). The routes are what the plugins install:
// - flannel vxlan: `10.244.Y.0/24 via 10.244.Y.0 dev flannel.1 onlink` per remote
//   node (flanneld's route to each lease, next hop the remote VTEP address), plus the
//   kernel route of cni0 for the node's own /24;
// - flannel host-gw: `10.244.Y.0/24 via NODE_Y dev eth0` (needs L2 adjacency);
// - calico: BIRD-learned `/26 via NODE_Y dev eth0 proto bird` per affine IPAM block,
//   `blackhole` for the node's own blocks (so a stale address never leaks out), and a
//   `/32 dev caliXXXX scope link` per local pod.
// Every node also has the node subnet on eth0 and a default route to the VPC gateway.
import { formatIp, maskOf, parseCidr, subnet, type Cidr } from '../../engine/net/index.js';
import type { ClusterNetwork, NodeNet } from './ClusterNetwork.js';

/** What a route does with a packet; the pipeline's next step follows from it. */
export type RouteKind = 'default' | 'node-subnet' | 'bridge' | 'vxlan' | 'host-gw' | 'bgp' | 'cali' | 'blackhole';

/** One route. `node` is the node index a remote route leads to; `pod` the pod key of a cali /32. */
export interface NodeRoute {
  prefix: number;
  len: number;
  kind: RouteKind;
  dev: string;
  via?: number;
  node?: number;
  pod?: string;
}

/** Calico's IPAM block size (blockSize 26: 64 addresses per block). */
export const CALICO_BLOCK_LEN = 26;

/** The VPC subnet's gateway: its first address, as clouds reserve it. */
export function vpcGateway(net: ClusterNetwork): number {
  return (parseCidr(net.state.config!.nodeNetwork).base + 1) >>> 0;
}

/** Routes every node shares (the cluster-wide part): node subnet, default, remote pod networks. */
export function sharedRoutes(net: ClusterNetwork): NodeRoute[] {
  const vpc = parseCidr(net.state.config!.nodeNetwork);
  const out: NodeRoute[] = [
    { prefix: 0, len: 0, kind: 'default', dev: 'eth0', via: vpcGateway(net) },
    { prefix: vpc.base, len: vpc.len, kind: 'node-subnet', dev: 'eth0' },
  ];
  for (const n of net.state.nodes.values()) {
    const nn = net.node(n.name)!;
    for (const c of podBlocks(net, nn)) out.push(remoteRoute(net, nn, c));
  }
  return out;
}

function remoteRoute(net: ClusterNetwork, nn: NodeNet, c: Cidr): NodeRoute {
  const node = nn.node.index;
  if (net.cni === 'flannel-vxlan') return { prefix: c.base, len: c.len, kind: 'vxlan', dev: 'flannel.1', via: c.base, node };
  if (net.cni === 'flannel-host-gw') return { prefix: c.base, len: c.len, kind: 'host-gw', dev: 'eth0', via: nn.ip, node };
  return { prefix: c.base, len: c.len, kind: 'bgp', dev: 'eth0', via: nn.ip, node };
}

/**
 * The pod address blocks a node owns: its podCIDR under flannel; under Calico the /26
 * blocks of that range it holds addresses in (the first one always: Calico claims a
 * block when the node's first workload starts).
 */
export function podBlocks(net: ClusterNetwork, nn: NodeNet): Cidr[] {
  const cidr = parseCidr(nn.node.podCidr);
  if (net.cni !== 'calico' || cidr.len >= CALICO_BLOCK_LEN) return [cidr];
  const used = new Set<number>([0]);
  for (const p of net.podsOn(nn.node.name)) used.add(((p.ip - cidr.base) >>> 0) >>> (32 - CALICO_BLOCK_LEN));
  return [...used].sort((a, b) => a - b).map((i) => subnet(cidr, CALICO_BLOCK_LEN, i));
}

/** Routes only this node has, overriding the shared ones of the same prefix. */
export function ownRoutes(net: ClusterNetwork, nn: NodeNet): NodeRoute[] {
  if (net.cni !== 'calico') {
    const c = parseCidr(nn.node.podCidr);
    return [{ prefix: c.base, len: c.len, kind: 'bridge', dev: nn.bridge!.name }];
  }
  const out: NodeRoute[] = podBlocks(net, nn).map((c) => ({ prefix: c.base, len: c.len, kind: 'blackhole' as const, dev: '' }));
  for (const p of net.podsOn(nn.node.name)) out.push({ prefix: p.ip, len: 32, kind: 'cali', dev: p.hostIf, pod: p.key });
  return out;
}

/** The address the kernel picks as source on a route's device (`src` in `ip route`, MASQUERADE's choice). */
export function routeSource(net: ClusterNetwork, nn: NodeNet, r: NodeRoute): number {
  if (r.kind === 'bridge') return nn.bridge!.ip;
  // flannel.1 carries the node's /24 network address (the VTEP address flanneld sets).
  if (r.kind === 'vxlan') return parseCidr(nn.node.podCidr).base;
  return nn.ip;
}

/** One route in `ip route` syntax, as the node whose table it is would print it. */
export function formatRoute(net: ClusterNetwork, nn: NodeNet, r: NodeRoute): string {
  const dst = r.len === 0 ? 'default' : r.len === 32 ? formatIp(r.prefix) : `${formatIp(r.prefix)}/${r.len}`;
  switch (r.kind) {
    case 'default': return `default via ${formatIp(r.via!)} dev eth0 proto dhcp src ${formatIp(nn.ip)} metric 100`;
    case 'node-subnet': return `${dst} dev eth0 proto kernel scope link src ${formatIp(nn.ip)}`;
    case 'bridge': return `${dst} dev ${r.dev} proto kernel scope link src ${formatIp(nn.bridge!.ip)}`;
    case 'vxlan': return `${dst} via ${formatIp(r.via!)} dev flannel.1 onlink`;
    case 'host-gw': return `${dst} via ${formatIp(r.via!)} dev eth0`;
    case 'bgp': return `${dst} via ${formatIp(r.via!)} dev eth0 proto bird`;
    case 'blackhole': return `blackhole ${dst} proto bird`;
    case 'cali': return `${dst} dev ${r.dev} scope link`;
  }
}

/** True when `ip` falls in prefix/len. */
export function routeCovers(r: { prefix: number; len: number }, ip: number): boolean {
  return ((ip & maskOf(r.len)) >>> 0) === r.prefix;
}
