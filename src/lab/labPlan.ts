// The lab's plan: every namespace, device, address, route and rule needed to build a
// cluster's network in Linux, as a list of commands. Pure (no I/O), so it is tested
// without root; labUp runs it. Routes come from src/network exactly as `podnet routes`
// prints them, so the kernel is held to what podnet says.
import { formatIp, formatMac, macFromId, parseCidr, type Mac } from '../../engine/net/index.js';
import { ValidationError } from '../../engine/errors.js';
import type { ClusterState } from '../cluster/index.js';
import { CALICO_HOST_MAC, CloudNetwork, ClusterNetwork, INTERNET_HOST, ServiceTable, formatRoute, iptablesProbability, iptablesSave, ownRoutes, sharedRoutes, vpcGateway, type NodeNet, type PodNet } from '../network/index.js';
import { GATEWAY_NS, INTERNET_NS, nodeNs, podNs, VPC_NS, vpcPort } from './labNames.js';

/** One command: argv run as is (ip -n NS ... or ip netns exec NS ...), with optional stdin. */
export interface LabCommand {
  argv: string[];
  stdin?: string;
}

/** A pod the lab built, with where its listener runs. */
export interface LabPod {
  key: string;
  ns: string;
  node: string;
  nodeNs: string;
  ip: string;
  hostIf: string;
  /** TCP/UDP ports the probe listener binds (declared containerPorts, and 80/tcp). */
  ports: { proto: 'tcp' | 'udp'; port: number }[];
}

/** A node's root namespace, and the host ports something listens on there (the API server). */
export interface LabNode {
  name: string;
  ns: string;
  ip: string;
  ports: { proto: 'tcp' | 'udp'; port: number }[];
}

export interface LabPlan {
  namespaces: string[];
  commands: LabCommand[];
  pods: LabPod[];
  nodes: LabNode[];
}

/** Largest cluster the lab will build on one machine. */
export const LAB_MAX_NODES = 16;
export const LAB_MAX_PODS = 200;

/** The public side of the gateway: a /24 from TEST-NET-1 (RFC 5737), never routed outside. */
const GW_PUBLIC = '192.0.2.1';
const INET_LINK = '192.0.2.2';

/** flannel gives each flannel.1 a MAC of its own; the lab derives one per node. */
function vtepMac(nn: NodeNet): Mac {
  return macFromId(0x0e00, nn.node.index + 1);
}

const ip = (ns: string, ...args: string[]): LabCommand => ({ argv: ['ip', '-n', ns, ...args] });
const exec = (ns: string, ...args: string[]): LabCommand => ({ argv: ['ip', 'netns', 'exec', ns, ...args] });
const sysctl = (ns: string, key: string, value: string): LabCommand => exec(ns, 'sysctl', '-qw', `${key}=${value}`);

/**
 * The cloud load balancer in the gateway namespace: each LoadBalancer listener DNATs to
 * a healthy node's NodePort (CloudNetwork.lbTargets decides which nodes), one chosen at
 * random per connection like a flow hash, the client address kept.
 */
function loadBalancerRules(net: ClusterNetwork, services: ServiceTable): string[] {
  const cloud = new CloudNetwork(net);
  const rules: string[] = [];
  for (const e of services.ports) {
    if (e.lbIp === undefined || e.nodePort === undefined) continue;
    const p = e.proto === 17 ? 'udp' : 'tcp';
    const targets = cloud.lbTargets(e).map((i) => [...net.state.nodes.values()].find((n) => n.index === i)!);
    targets.forEach((n, i) => {
      const stat = i < targets.length - 1 ? ` -m statistic --mode random --probability ${iptablesProbability(1 / (targets.length - i))}` : '';
      rules.push(`-A PREROUTING -d ${formatIp(e.lbIp!)}/32 -i eth1 -p ${p} -m ${p} --dport ${e.port}${stat} -j DNAT --to-destination ${n.ip}:${e.nodePort}`);
    });
  }
  return rules;
}

function cloudCommands(net: ClusterNetwork, services: ServiceTable): LabCommand[] {
  const c = net.state.config!;
  const vpc = parseCidr(c.nodeNetwork);
  const gw = formatIp(vpcGateway(net));
  const out: LabCommand[] = [
    ip(VPC_NS, 'link', 'add', 'vpc0', 'type', 'bridge'), ip(VPC_NS, 'link', 'set', 'vpc0', 'up'), ip(VPC_NS, 'link', 'set', 'lo', 'up'),
    ip(VPC_NS, 'link', 'add', 'vpc-gw', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', GATEWAY_NS),
    ip(VPC_NS, 'link', 'set', 'vpc-gw', 'master', 'vpc0', 'up'),
    ip(GATEWAY_NS, 'addr', 'add', `${gw}/${vpc.len}`, 'dev', 'eth0'), ip(GATEWAY_NS, 'link', 'set', 'eth0', 'up'), ip(GATEWAY_NS, 'link', 'set', 'lo', 'up'),
    ip(GATEWAY_NS, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', INTERNET_NS),
    ip(GATEWAY_NS, 'addr', 'add', `${GW_PUBLIC}/30`, 'dev', 'eth1'), ip(GATEWAY_NS, 'link', 'set', 'eth1', 'up'),
    sysctl(GATEWAY_NS, 'net.ipv4.ip_forward', '1'),
    ip(INTERNET_NS, 'addr', 'add', `${INET_LINK}/30`, 'dev', 'eth0'), ip(INTERNET_NS, 'link', 'set', 'eth0', 'up'), ip(INTERNET_NS, 'link', 'set', 'lo', 'up'),
    ip(INTERNET_NS, 'addr', 'add', `${formatIp(INTERNET_HOST)}/32`, 'dev', 'lo'),
    ip(INTERNET_NS, 'route', 'add', c.publicNetwork, 'via', GW_PUBLIC), ip(INTERNET_NS, 'route', 'add', c.loadBalancerPool, 'via', GW_PUBLIC),
    ip(GATEWAY_NS, 'route', 'add', `${formatIp(INTERNET_HOST)}/32`, 'via', INET_LINK),
  ];
  // The internet gateway: each node's private IP <-> its public IP, 1:1, no port change.
  const rules = ['*nat', ':PREROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...loadBalancerRules(net, services)];
  for (const n of net.state.nodes.values()) {
    rules.push(`-A PREROUTING -d ${n.publicIp}/32 -i eth1 -j DNAT --to-destination ${n.ip}`);
    rules.push(`-A POSTROUTING -s ${n.ip}/32 -o eth1 -j SNAT --to-source ${n.publicIp}`);
  }
  rules.push('COMMIT', '');
  out.push({ ...exec(GATEWAY_NS, 'iptables-restore'), stdin: rules.join('\n') });
  return out;
}

function nodeCommands(net: ClusterNetwork, nn: NodeNet): LabCommand[] {
  const ns = nodeNs(nn);
  const vpc = parseCidr(net.state.config!.nodeNetwork);
  const out: LabCommand[] = [
    ip(ns, 'link', 'set', 'lo', 'up'),
    ip(VPC_NS, 'link', 'add', vpcPort(nn), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns),
    ip(VPC_NS, 'link', 'set', vpcPort(nn), 'master', 'vpc0', 'up'),
    ip(ns, 'link', 'set', 'eth0', 'address', formatMac(nn.mac)),
    ip(ns, 'addr', 'add', `${formatIp(nn.ip)}/${vpc.len}`, 'dev', 'eth0'),
    ip(ns, 'link', 'set', 'eth0', 'up'),
    sysctl(ns, 'net.ipv4.ip_forward', '1'),
    sysctl(ns, 'net.bridge.bridge-nf-call-iptables', '1'),
  ];
  if (nn.bridge) {
    out.push(ip(ns, 'link', 'add', nn.bridge.name, 'type', 'bridge'), ip(ns, 'link', 'set', nn.bridge.name, 'address', formatMac(nn.bridge.mac)));
    out.push(ip(ns, 'addr', 'add', `${formatIp(nn.bridge.ip)}/${parseCidr(nn.node.podCidr).len}`, 'dev', nn.bridge.name), ip(ns, 'link', 'set', nn.bridge.name, 'up'));
  }
  if (net.cni === 'flannel-vxlan') out.push(...vxlanCommands(net, nn, ns));
  return out;
}

/** flannel.1 and what flanneld programs for every other node: neighbour + FDB entries. */
function vxlanCommands(net: ClusterNetwork, nn: NodeNet, ns: string): LabCommand[] {
  const out: LabCommand[] = [
    ip(ns, 'link', 'add', 'flannel.1', 'type', 'vxlan', 'id', '1', 'local', formatIp(nn.ip), 'dev', 'eth0', 'dstport', '8472', 'nolearning'),
    ip(ns, 'link', 'set', 'flannel.1', 'address', formatMac(vtepMac(nn)), 'mtu', '1450'),
    ip(ns, 'addr', 'add', `${formatIp(parseCidr(nn.node.podCidr).base)}/32`, 'dev', 'flannel.1'),
    ip(ns, 'link', 'set', 'flannel.1', 'up'),
  ];
  for (const other of net.state.nodes.values()) {
    if (other.name === nn.node.name) continue;
    const o = net.node(other.name)!;
    const mac = formatMac(vtepMac(o));
    out.push(ip(ns, 'neigh', 'replace', formatIp(parseCidr(other.podCidr).base), 'lladdr', mac, 'dev', 'flannel.1', 'nud', 'permanent'));
    out.push(exec(ns, 'bridge', 'fdb', 'append', mac, 'dev', 'flannel.1', 'dst', formatIp(o.ip)));
  }
  return out;
}

/** The node's routes from src/network, minus the ones the kernel adds with an address. */
function routeCommands(net: ClusterNetwork, nn: NodeNet): LabCommand[] {
  const own = ownRoutes(net, nn);
  const key = (r: { prefix: number; len: number }) => `${r.prefix}/${r.len}`;
  const ownKeys = new Set(own.map(key));
  const routes = [...sharedRoutes(net).filter((r) => !ownKeys.has(key(r))), ...own];
  return routes
    .filter((r) => r.kind !== 'node-subnet' && r.kind !== 'bridge')
    .map((r) => ip(nodeNs(nn), 'route', 'replace', ...formatRoute(net, nn, r).split(' ')));
}

function podCommands(net: ClusterNetwork, nn: NodeNet, pn: PodNet): LabCommand[] {
  const ns = podNs(pn, nn.node.index);
  const node = nodeNs(nn);
  const calico = net.cni === 'calico';
  const out: LabCommand[] = [
    ip(ns, 'link', 'set', 'lo', 'up'),
    ip(node, 'link', 'add', pn.hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns),
    ip(ns, 'link', 'set', 'eth0', 'address', formatMac(pn.mac)),
    ip(ns, 'addr', 'add', `${formatIp(pn.ip)}/${calico ? 32 : parseCidr(nn.node.podCidr).len}`, 'dev', 'eth0'),
    ip(ns, 'link', 'set', 'eth0', 'up'),
  ];
  if (calico) {
    out.push(ip(node, 'link', 'set', pn.hostIf, 'address', formatMac(CALICO_HOST_MAC)), ip(node, 'link', 'set', pn.hostIf, 'up'));
    out.push(sysctl(node, `net.ipv4.conf.${pn.hostIf}.proxy_arp`, '1'));
    out.push(ip(ns, 'route', 'add', formatIp(nn.gateway), 'dev', 'eth0', 'scope', 'link'));
    out.push(ip(ns, 'route', 'add', 'default', 'via', formatIp(nn.gateway), 'dev', 'eth0'));
  } else {
    out.push(ip(node, 'link', 'set', pn.hostIf, 'master', nn.bridge!.name), ip(node, 'link', 'set', pn.hostIf, 'up'));
    // flannel's CNI config sets hairpinMode: a pod reaching itself through its Service
    // gets the frame back out of the port it came in on.
    out.push(exec(node, 'bridge', 'link', 'set', 'dev', pn.hostIf, 'hairpin', 'on'));
    out.push(ip(ns, 'route', 'add', 'default', 'via', formatIp(nn.gateway), 'dev', 'eth0'));
  }
  return out;
}

function listenPorts(pn: PodNet): LabPod['ports'] {
  const ports = new Map<string, LabPod['ports'][number]>([['tcp/80', { proto: 'tcp', port: 80 }]]);
  for (const c of pn.pod.containers) for (const p of c.ports) {
    if (p.protocol === 'SCTP') continue;
    const proto = p.protocol === 'UDP' ? 'udp' : 'tcp';
    ports.set(`${proto}/${p.containerPort}`, { proto, port: p.containerPort });
  }
  return [...ports.values()];
}

/**
 * Plan the lab for a cluster state. Refuses clusters too big for one machine and
 * Pods with hostNetwork (they would share the node namespace: not modelled in the lab).
 */
export function planLab(state: ClusterState): LabPlan {
  const net = new ClusterNetwork(state);
  if (state.config!.kubeProxy !== 'iptables') {
    throw new ValidationError(`lab: kube-proxy mode ${state.config!.kubeProxy} is not built in the lab (it needs ipvsadm and ipsets); use kubeProxy: iptables in the scenario`);
  }
  const running = [...state.pods.values()].filter((p) => p.phase === 'Running' && p.ip && !p.hostNetwork);
  if (state.nodes.size > LAB_MAX_NODES || running.length > LAB_MAX_PODS) {
    throw new ValidationError(`lab: the cluster has ${state.nodes.size} nodes and ${running.length} pods; the lab builds at most ${LAB_MAX_NODES} nodes and ${LAB_MAX_PODS} pods on one machine (use --at to pick an earlier, smaller point, or a smaller scenario)`);
  }
  const plan: LabPlan = { namespaces: [VPC_NS, GATEWAY_NS, INTERNET_NS], commands: [], pods: [], nodes: [] };
  const nodes = [...state.nodes.values()].map((n) => net.node(n.name)!);
  for (const nn of nodes) plan.namespaces.push(nodeNs(nn));
  for (const p of running) {
    const pn = net.pod(p.namespace, p.name)!;
    const nn = net.node(pn.node)!;
    plan.namespaces.push(podNs(pn, nn.node.index));
    plan.pods.push({ key: pn.key, ns: podNs(pn, nn.node.index), node: pn.node, nodeNs: nodeNs(nn), ip: p.ip!, hostIf: pn.hostIf, ports: listenPorts(pn) });
  }
  const services = new ServiceTable(state);
  plan.commands.push(...cloudCommands(net, services));
  for (const nn of nodes) {
    // kubeadm's API server listens on the control plane's node IP, port 6443.
    plan.nodes.push({ name: nn.node.name, ns: nodeNs(nn), ip: formatIp(nn.ip), ports: nn.node.role === 'control-plane' ? [{ proto: 'tcp', port: 6443 }] : [] });
    plan.commands.push(...nodeCommands(net, nn));
  }
  for (const p of running) {
    const pn = net.pod(p.namespace, p.name)!;
    plan.commands.push(...podCommands(net, net.node(pn.node)!, pn));
  }
  for (const nn of nodes) {
    plan.commands.push(...routeCommands(net, nn));
    // The nat table exactly as `podnet iptables NODE` prints it.
    plan.commands.push({ ...exec(nodeNs(nn), 'iptables-restore'), stdin: `${iptablesSave(net, services, nn.node.name)}\n` });
  }
  return plan;
}
