// Everything the pipeline stages share for one datapath: the static tables derived
// from the cluster (routes loaded into LPM, kube-proxy's Services, the cloud), flat
// per-node arrays the hot loops index by node number, the dynamic state that is not a
// kernel table (IPVS round-robin positions, ClientIP affinity, the cloud load
// balancer's flow table), counters, and the trace recorder when tracing.
import type { Datapath } from '../../engine/datapath/index.js';
import { maskOf, parseCidr, type Cidr } from '../../engine/net/index.js';
import type { ClusterState } from '../cluster/index.js';
import { ClusterNetwork, CloudNetwork, NodeRouteTables, ServiceTable, BASE_TABLE, nodeTable, type NodeNet, type PodNet } from '../network/index.js';
import { DONE, PacketMeta, Verdict } from './PacketMeta.js';
import type { TraceRecorder } from './Trace.js';

/** Disposition counters of the pipeline, per reason for drops. */
export interface PipelineCounters {
  delivered: number;
  dropped: number;
  byReason: Record<string, number>;
}

/** One ClientIP affinity record (kube-proxy `-m recent`, IPVS persistence). */
interface Affinity { ep: number; lastMs: number }

const contexts = new WeakMap<Datapath, ForwardingContext>();

/** The shared state of one forwarding run. */
export class ForwardingContext {
  readonly dp: Datapath;
  net!: ClusterNetwork;
  routes!: NodeRouteTables;
  services!: ServiceTable;
  cloud!: CloudNetwork;
  readonly meta = new PacketMeta();
  /** Per node index. */
  nodes: (NodeNet | undefined)[] = [];
  nodeReady = new Uint8Array(0);
  nodeIp = new Uint32Array(0);
  bridgeIp = new Uint32Array(0);
  /** Per node index: pod CIDR network and mask (flannel's on-link subnet, bridge port numbering). */
  cidrBase = new Uint32Array(0);
  cidrMask = new Uint32Array(0);
  podsByIp = new Map<number, PodNet>();
  /** Node IPs and bridge IPs -> node index (the kernel's `local` table). */
  localIps = new Map<number, number>();
  clusterCidr!: Cidr;
  serviceCidr!: Cidr;
  /** IPVS round-robin position per Service port. */
  readonly rr = new Map<number, number>();
  /** `svcId:clientIp` -> affinity. */
  readonly affinity = new Map<string, Affinity>();
  /** Cloud LB flows: `nodeIp:nodePort>client:port` -> LB ip:port, so replies leave from the LB address. */
  readonly lbFlows = new Map<string, { ip: number; port: number }>();
  readonly counters: PipelineCounters = { delivered: 0, dropped: 0, byReason: {} };
  now = 0;
  rec?: TraceRecorder;

  /**
   * The context of a datapath, loaded with `state`: one per datapath, so the routes
   * loaded into its LPM and the dynamic state (affinity, round robin, LB flows) carry
   * over between traces and vectors on the same datapath.
   */
  static of(dp: Datapath, state: ClusterState): ForwardingContext {
    let ctx = contexts.get(dp);
    if (!ctx) { ctx = new ForwardingContext(dp, state); contexts.set(dp, ctx); return ctx; }
    if (ctx.net.state !== state) ctx.load(state);
    ctx.rec = undefined;
    return ctx;
  }

  private constructor(dp: Datapath, state: ClusterState) {
    this.dp = dp;
    this.load(state);
  }

  /** (Re)derive the static state from a cluster state; dynamic state (FDB, conntrack, affinity) stays. */
  load(state: ClusterState): void {
    if (this.routes) this.unloadRoutes();
    const net = new ClusterNetwork(state);
    this.net = net;
    this.routes = NodeRouteTables.load(this.dp, net);
    this.services = new ServiceTable(state);
    this.cloud = new CloudNetwork(net);
    this.clusterCidr = parseCidr(state.config!.podCidr);
    this.serviceCidr = parseCidr(state.config!.serviceCidr);
    this.indexNodes(net);
    this.podsByIp.clear();
    for (const p of state.pods.values()) {
      const pn = p.hostNetwork ? undefined : net.pod(p.namespace, p.name);
      if (pn) this.podsByIp.set(pn.ip, pn);
    }
    this.now = state.time;
  }

  private indexNodes(net: ClusterNetwork): void {
    let max = 0;
    for (const n of net.state.nodes.values()) max = Math.max(max, n.index + 1);
    this.nodes = new Array<NodeNet | undefined>(max).fill(undefined);
    this.nodeReady = new Uint8Array(max); this.nodeIp = new Uint32Array(max); this.bridgeIp = new Uint32Array(max);
    this.cidrBase = new Uint32Array(max); this.cidrMask = new Uint32Array(max);
    this.localIps.clear();
    for (const n of net.state.nodes.values()) {
      const nn = net.node(n.name)!;
      this.nodes[n.index] = nn;
      this.nodeReady[n.index] = n.ready ? 1 : 0;
      this.nodeIp[n.index] = nn.ip;
      this.localIps.set(nn.ip, n.index);
      const c = parseCidr(n.podCidr);
      this.cidrBase[n.index] = c.base; this.cidrMask[n.index] = maskOf(c.len);
      if (nn.bridge) { this.bridgeIp[n.index] = nn.bridge.ip; this.localIps.set(nn.bridge.ip, n.index); }
    }
  }

  private unloadRoutes(): void {
    for (const nn of this.nodes) if (nn) this.dp.lpmDropTable(nodeTable(nn.node.index));
    this.dp.lpmDropTable(BASE_TABLE);
  }

  /** A node's name by index. */
  nodeName(i: number): string {
    return this.nodes[i]?.node.name ?? `node#${i}`;
  }

  /** Name of port `port` of node `node`'s bridge: the bridge itself (0) or a pod's veth. */
  portName(node: number, port: number): string {
    if (port === 0) return this.nodes[node]?.bridge?.name ?? 'cni0';
    return this.podsByIp.get((this.cidrBase[node]! + port) >>> 0)?.hostIf ?? `port ${port}`;
  }

  /** Finish packet i delivered (verdict) and take it out of every later kernel call. */
  deliver(i: number, verdict: number): void {
    this.meta.verdict[i] = verdict;
    this.dp.vec.drop[i] = DONE;
    this.counters.delivered++;
  }

  /** Finish packet i dropped with a stable reason code. */
  drop(i: number, code: number): void {
    this.meta.verdict[i] = Verdict.DROPPED;
    this.dp.vec.drop[i] = code;
    this.counters.dropped++;
  }

  /** ClientIP affinity: the remembered endpoint index, if still fresh (10800 s default timeout). */
  affinityOf(svc: number, client: number, timeoutMs: number): number | undefined {
    const a = this.affinity.get(`${svc}:${client}`);
    return a && this.now - a.lastMs <= timeoutMs ? a.ep : undefined;
  }

  remember(svc: number, client: number, ep: number): void {
    this.affinity.set(`${svc}:${client}`, { ep, lastMs: this.now });
  }
}
