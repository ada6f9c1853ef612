// kube-proxy's view of Services: every frontend (ClusterIP:port, NodePort on every
// node address, LoadBalancer IP:port) mapped to its ready endpoints, with the chain
// names kube-proxy's iptables mode gives them. It is the same on every node; only the
// node-local endpoint subsets (externalTrafficPolicy Local) differ per node.
import { createHash } from 'node:crypto';
import { parseIp } from '../../engine/net/index.js';
import type { ClusterState, Protocol, Service } from '../cluster/index.js';

/** One ready backend of a Service port. */
export interface ServiceEndpoint {
  ip: number;
  port: number;
  pod: string;
  node: string;
  /** KUBE-SEP-<hash> */
  chain: string;
}

/** One port of a Service, with everything kube-proxy programs for it. */
export interface ServicePortEntry {
  /** Index in ServiceTable.ports. */
  id: number;
  service: Service;
  /** `ns/name` */
  key: string;
  /** `ns/name:portname` (kube-proxy's ServicePortName) */
  portName: string;
  proto: number;
  clusterIp: number;
  port: number;
  nodePort?: number;
  lbIp?: number;
  endpoints: ServiceEndpoint[];
  /** KUBE-SVC-<hash> */
  chain: string;
  /** KUBE-EXT-<hash> (NodePort / LoadBalancer entry) */
  extChain: string;
  affinity: boolean;
  localOnly: boolean;
}

/** Which frontend a packet hit. */
export type FrontendKind = 'cluster-ip' | 'node-port' | 'load-balancer';

const PROTO: Record<Protocol, number> = { TCP: 6, UDP: 17, SCTP: 132 };

/** Frontend key: address, port and protocol in one number (2^49 at most: exact in a double). */
export function frontendKey(ip: number, port: number, proto: number): number {
  return ip * 0x20000 + port * 2 + (proto === 17 ? 1 : 0);
}

/**
 * kube-proxy's chain name hash: base32(sha256(servicePortName + protocol [+ endpoint]))[:16]
 * (pkg/proxy/iptables/proxier.go portProtoHash / servicePortEndpointChainName).
 */
export function chainHash(...parts: string[]): string {
  const d = createHash('sha256').update(parts.join('')).digest();
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0, out = '';
  for (const b of d) {
    value = (value << 8) | b; bits += 8;
    while (bits >= 5 && out.length < 16) { out += A[(value >>> (bits - 5)) & 31]; bits -= 5; }
    if (out.length >= 16) break;
  }
  return out;
}

/** Every Service port of a cluster as kube-proxy programs it. */
export class ServiceTable {
  readonly ports: ServicePortEntry[] = [];
  private readonly frontends = new Map<number, { entry: ServicePortEntry; kind: FrontendKind }>();
  /**
   * The frontends again as an open-addressing table for the per-packet match: key
   * (ip, port * 2 + udp) in two typed columns, value an index into `hits` (-1: empty
   * slot). Built once from `frontends` (same keys, same last-one-wins), so a lookup
   * is a few typed-array reads: no double key, no Map hashing.
   */
  private fIp = new Uint32Array(0);
  private fPp = new Uint32Array(0);
  private fVal = new Int32Array(0);
  private fMask = 0;
  private fShift = 32;
  private readonly hits: { entry: ServicePortEntry; kind: FrontendKind }[] = [];

  constructor(state: ClusterState) {
    for (const svc of state.services.values()) this.addService(state, svc);
    this.buildIndex();
  }

  private buildIndex(): void {
    let c = 16;
    while (c < this.frontends.size * 2) c *= 2;
    this.fIp = new Uint32Array(c); this.fPp = new Uint32Array(c); this.fVal = new Int32Array(c).fill(-1);
    this.fMask = c - 1; this.fShift = 32 - Math.log2(c);
    for (const [key, hit] of this.frontends) {
      const ip = Math.floor(key / 0x20000) >>> 0, pp = key % 0x20000;
      let s = this.slot(ip, pp);
      while (this.fVal[s]! >= 0) s = (s + 1) & this.fMask;
      this.fIp[s] = ip; this.fPp[s] = pp; this.fVal[s] = this.hits.length;
      this.hits.push(hit);
    }
  }

  private slot(ip: number, pp: number): number {
    return Math.imul(ip ^ Math.imul(pp, 0x85ebca77), 0x9e3779b1) >>> this.fShift;
  }

  /** The frontend stored for (ip, port, proto) as frontendKey folds them, or undefined. */
  private find(ip: number, port: number, proto: number): { entry: ServicePortEntry; kind: FrontendKind } | undefined {
    ip >>>= 0;
    const pp = port * 2 + (proto === 17 ? 1 : 0);
    const fIp = this.fIp, fPp = this.fPp, fVal = this.fVal, mask = this.fMask;
    let s = this.slot(ip, pp);
    for (;;) {
      const v = fVal[s]!;
      if (v < 0) return undefined;
      if (fIp[s] === ip && fPp[s] === pp) return this.hits[v];
      s = (s + 1) & mask;
    }
  }

  private addService(state: ClusterState, svc: Service): void {
    if (svc.clusterIP === 'None') return; // headless: DNS only, kube-proxy ignores it
    const key = `${svc.namespace}/${svc.name}`;
    const eps = state.endpoints.get(key)?.endpoints ?? [];
    for (const sp of svc.ports) {
      const proto = sp.protocol.toLowerCase();
      const portName = sp.name ? `${key}:${sp.name}` : key;
      const entry: ServicePortEntry = {
        id: this.ports.length, service: svc, key, portName, proto: PROTO[sp.protocol], clusterIp: parseIp(svc.clusterIP), port: sp.port,
        nodePort: svc.type === 'ClusterIP' ? undefined : sp.nodePort, lbIp: svc.loadBalancerIP ? parseIp(svc.loadBalancerIP) : undefined,
        endpoints: [], chain: `KUBE-SVC-${chainHash(portName, proto)}`, extChain: `KUBE-EXT-${chainHash(portName, proto)}`,
        affinity: svc.sessionAffinity === 'ClientIP', localOnly: svc.externalTrafficPolicy === 'Local',
      };
      for (const ep of eps) {
        const p = ep.ports.find((x) => x.name === (sp.name ?? '') && x.protocol === sp.protocol) ?? ep.ports.find((x) => x.protocol === sp.protocol);
        if (!p) continue;
        const text = `${ep.ip}:${p.port}`;
        entry.endpoints.push({ ip: parseIp(ep.ip), port: p.port, pod: ep.pod, node: ep.node, chain: `KUBE-SEP-${chainHash(portName, proto, text)}` });
      }
      this.ports.push(entry);
      this.frontends.set(frontendKey(entry.clusterIp, sp.port, entry.proto), { entry, kind: 'cluster-ip' });
      if (entry.nodePort !== undefined) this.frontends.set(frontendKey(0, entry.nodePort, entry.proto), { entry, kind: 'node-port' });
      if (entry.lbIp !== undefined) this.frontends.set(frontendKey(entry.lbIp, sp.port, entry.proto), { entry, kind: 'load-balancer' });
    }
  }

  /** The frontend a destination hits; `nodeLocal` says dst is one of the node's own addresses (NodePort matches then). */
  match(dstIp: number, dstPort: number, proto: number, nodeLocal: boolean): { entry: ServicePortEntry; kind: FrontendKind } | undefined {
    const hit = this.find(dstIp, dstPort, proto);
    if (hit) return hit;
    return nodeLocal ? this.find(0, dstPort, proto) : undefined;
  }

  /** The Service port behind a LoadBalancer IP and port (the cloud load balancer's listener). */
  loadBalancer(ip: number, port: number, proto: number): ServicePortEntry | undefined {
    const hit = this.frontends.get(frontendKey(ip, port, proto));
    return hit?.kind === 'load-balancer' ? hit.entry : undefined;
  }

  /** Service ports by `ns/name`. */
  byService(key: string): ServicePortEntry[] {
    return this.ports.filter((p) => p.key === key);
  }
}
