// What each node's kernel holds for pod networking, derived from cluster state (never
// stored: replay rebuilds it). Device names and MACs are deterministic functions of
// the objects, as the real plugins make them from random or hashed values.
import { createHash } from 'node:crypto';
import { formatIp, macFromId, macFromIp, parseCidr, parseIp, type Cidr, type Mac } from '../../engine/net/index.js';
import { nsKey, type ClusterState, type Node, type Pod } from '../cluster/index.js';

/** A pod's end of the network: its eth0 and the host side of its veth pair. */
export interface PodNet {
  pod: Pod;
  key: string;
  node: string;
  ip: number;
  mac: Mac;
  /** Host-side interface: veth* on a bridge (flannel), cali* routed (Calico). */
  hostIf: string;
  /** Port number of hostIf on the node's bridge (flannel modes). */
  bridgePort: number;
}

/** A node's root namespace devices. */
export interface NodeNet {
  node: Node;
  ip: number;
  mac: Mac;
  /** The bridge (cni0), absent under Calico. */
  bridge?: { name: string; id: number; ip: number; mac: Mac };
  /** The pod gateway pods route through: the bridge IP, or 169.254.1.1 under Calico. */
  gateway: number;
}

/** Calico's fixed gateway, answered by proxy ARP on the cali* veths. */
export const CALICO_GATEWAY = parseIp('169.254.1.1');
/** Calico sets every cali* host interface to this MAC. */
export const CALICO_HOST_MAC: Mac = { hi: 0xeeee, lo: 0xeeeeeeee };

function hex(text: string, n: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, n);
}

/** The derived network of a cluster at one point in its history. */
export class ClusterNetwork {
  readonly state: ClusterState;
  private readonly nodes = new Map<string, NodeNet>();
  private readonly pods = new Map<string, PodNet>();

  constructor(state: ClusterState) {
    this.state = state;
  }

  get cni() {
    return this.state.config!.cni;
  }

  /** A node's devices, or undefined for an unknown node. */
  node(name: string): NodeNet | undefined {
    let n = this.nodes.get(name);
    if (n) return n;
    const node = this.state.nodes.get(name);
    if (!node) return undefined;
    const cidr = parseCidr(node.podCidr);
    const gwIp = cidr.base + 1;
    n = {
      node,
      ip: parseIp(node.ip),
      mac: macFromId(0x0200, node.index + 1),
      gateway: this.cni === 'calico' ? CALICO_GATEWAY : gwIp,
    };
    if (this.cni !== 'calico') n.bridge = { name: 'cni0', id: node.index + 1, ip: gwIp, mac: macFromId(0x0a58, gwIp) };
    this.nodes.set(name, n);
    return n;
  }

  /** A running pod's network end, or undefined when the pod has no IP or node. */
  pod(namespace: string, name: string): PodNet | undefined {
    const key = nsKey(namespace, name);
    let p = this.pods.get(key);
    if (p) return p;
    const pod = this.state.pods.get(key);
    if (!pod?.ip || !pod.node) return undefined;
    const node = this.state.nodes.get(pod.node);
    if (!node) return undefined;
    const ip = parseIp(pod.ip);
    p = {
      pod, key, node: pod.node, ip,
      mac: pod.hostNetwork ? this.node(pod.node)!.mac : macFromIp(ip),
      hostIf: this.cni === 'calico' ? `cali${hex(key, 11)}` : `veth${hex(key, 8)}`,
      bridgePort: (ip - parseCidr(node.podCidr).base) >>> 0,
    };
    this.pods.set(key, p);
    return p;
  }

  /** The running pod holding an IP, if any. */
  podByIp(ip: number): PodNet | undefined {
    const key = this.state.podIps.get(formatIp(ip));
    if (!key) return undefined;
    const pod = this.state.pods.get(key);
    return pod ? this.pod(pod.namespace, pod.name) : undefined;
  }

  /** Pods on a node, in bridge port order. */
  podsOn(node: string): PodNet[] {
    const out: PodNet[] = [];
    for (const p of this.state.pods.values()) {
      if (p.node !== node || p.hostNetwork) continue;
      const pn = this.pod(p.namespace, p.name);
      if (pn) out.push(pn);
    }
    return out.sort((a, b) => a.bridgePort - b.bridgePort);
  }
}

const cidrCache = new WeakMap<NodeNet, Cidr>();

/** A node's pod CIDR, parsed once per NodeNet (hot loops call this per packet). */
export function parseNodeCidr(nn: NodeNet): Cidr {
  let c = cidrCache.get(nn);
  if (!c) { c = parseCidr(nn.node.podCidr); cidrCache.set(nn, c); }
  return c;
}
