// Everything the pipeline stages share for one datapath: the static tables derived
// from the cluster (routes loaded into LPM, kube-proxy's Services, the cloud), flat
// per-node arrays the hot loops index by node number, the dynamic state that is not a
// kernel table (IPVS round-robin positions, ClientIP affinity, the cloud load
// balancer's flow table), counters, and the trace recorder when tracing.
import { NEXT_BRIDGE, NEXT_CLOUD, NEXT_LOCAL, NEXT_NODE, NEXT_POD, NEXT_SLOW, type Datapath } from '../../engine/datapath/index.js';
import { maskOf, parseCidr, type Cidr } from '../../engine/net/index.js';
import type { ClusterState } from '../cluster/index.js';
import { ClusterNetwork, CloudNetwork, NodeRouteTables, ServiceTable, BASE_TABLE, CALICO_HOST_MAC, nodeTable, type NodeNet, type NodeRoute, type PodNet, type ServicePortEntry } from '../network/index.js';
import { IpIndex } from '../../engine/datapath/index.js';
import { POD_MAC_HI } from './stages/deliverStage.js';
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
  /** Per node index: 1 when the node has a bridge (flannel), its FDB table id and MAC. */
  hasBridge = new Uint8Array(0);
  bridgeId = new Uint32Array(0);
  bridgeMacHi = new Uint32Array(0);
  bridgeMacLo = new Uint32Array(0);
  podsByIp = new Map<number, PodNet>();
  /** Pod IP -> index of the node running the pod (-1: no such pod), for the per-packet checks. */
  readonly podNode = new IpIndex();
  /**
   * Route value (LPM result) -> next-hop word, NEXT_* | node << 8: the table the
   * fast-path kernel is programmed with, read by the forward stage for new packets.
   */
  routeNext = new Uint32Array(0);
  /** CloudNetwork.lbTargets per Service port id, computed once per load (it walks every node). */
  private readonly lbTargetCache = new Map<number, number[]>();
  /** Run the established-flow fast path (Datapath.fastPath); off, conntrack and LPM are separate calls. Same results either way. */
  fastPath = true;
  /** Node IPs and bridge IPs -> node index (the kernel's `local` table). */
  localIps = new Map<number, number>();
  clusterCidr!: Cidr;
  serviceCidr!: Cidr;
  /** IPVS round-robin position per Service port. */
  readonly rr = new Map<number, number>();
  /** svcId * 2^32 + clientIp (exact in a double: service port ids stay far below 2^21) -> affinity. */
  readonly affinity = new Map<number, Affinity>();
  /**
   * Cloud LB flows, so replies leave from the LB address: nodeIp * 65536 + nodePort ->
   * client * 65536 + clientPort -> LB ip:port (numeric keys, exact below 2^48: no
   * strings built per packet).
   */
  readonly lbFlows = new Map<number, Map<number, { ip: number; port: number }>>();
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
    this.podNode.clear();
    for (const p of state.pods.values()) {
      const pn = p.hostNetwork ? undefined : net.pod(p.namespace, p.name);
      if (pn) { this.podsByIp.set(pn.ip, pn); this.podNode.set(pn.ip, net.node(pn.node)?.node.index ?? -1); }
    }
    this.programFastPath();
    this.lbTargetCache.clear();
    this.now = state.time;
  }

  /** The next-hop word of a route: what the forward stage does with a packet routed by it. */
  private static nextOf(r: NodeRoute): number {
    switch (r.kind) {
      case 'bridge': return NEXT_BRIDGE;
      case 'cali': return NEXT_POD;
      case 'vxlan': case 'host-gw': case 'bgp': return (NEXT_NODE | (r.node! << 8)) >>> 0;
      case 'default': return NEXT_CLOUD;
      default: return NEXT_SLOW; // node-subnet (the owner is found by address), blackhole
    }
  }

  /** Fill routeNext and program the datapath's fast-path tables from the loaded routes, nodes and pods. */
  private programFastPath(): void {
    const routes = this.routes.routes;
    this.routeNext = new Uint32Array(routes.length + 1);
    this.dp.fastPathClear();
    for (let k = 0; k < routes.length; k++) {
      const w = ForwardingContext.nextOf(routes[k]!);
      this.routeNext[k + 1] = w;
      if (w !== NEXT_SLOW) this.dp.fastPathSetRoute(k + 1, w & 255, w >>> 8);
    }
    for (let i = 0; i < this.nodes.length; i++) if (this.nodes[i]) this.dp.fastPathSetNode(i, this.nodeIp[i]!, this.bridgeIp[i]!, this.bridgeId[i]!, POD_MAC_HI, this.nodeReady[i] !== 0);
    for (let i = 0; i < this.nodes.length; i++) {
      if (!this.nodes[i]) continue;
      const gw = this.hasBridge[i] ? { hi: this.bridgeMacHi[i]!, lo: this.bridgeMacLo[i]! } : CALICO_HOST_MAC; // Calico: the cali veth's proxy-ARP MAC
      this.dp.fastPathSetPodNet(i, this.cidrBase[i]!, this.cidrMask[i]!, gw.hi, gw.lo);
    }
    for (const ip of this.podsByIp.keys()) this.dp.fastPathSetPod(ip, this.podNode.get(ip));
  }

  /** Nodes the cloud load balancer may send Service port `e`'s traffic to (CloudNetwork.lbTargets, cached per load). */
  lbTargets(e: ServicePortEntry): number[] {
    let t = this.lbTargetCache.get(e.id);
    if (!t) { t = this.cloud.lbTargets(e); this.lbTargetCache.set(e.id, t); }
    return t;
  }

  /** True when dst is one of node's own addresses (its IP, its bridge's IP): the kernel's `local` table. */
  isLocal(node: number, dst: number): boolean {
    const b = this.bridgeIp[node]!;
    return dst === this.nodeIp[node] || (b !== 0 && dst === b);
  }

  /** The next-hop word for a packet at `node` to `dst` routed by route value `route`, as the fast-path kernel decides it. */
  nextHop(node: number, dst: number, route: number): number {
    if (this.isLocal(node, dst)) return NEXT_LOCAL;
    return this.routeNext[route] ?? NEXT_SLOW;
  }

  private indexNodes(net: ClusterNetwork): void {
    let max = 0;
    for (const n of net.state.nodes.values()) max = Math.max(max, n.index + 1);
    this.nodes = new Array<NodeNet | undefined>(max).fill(undefined);
    this.nodeReady = new Uint8Array(max); this.nodeIp = new Uint32Array(max); this.bridgeIp = new Uint32Array(max);
    this.cidrBase = new Uint32Array(max); this.cidrMask = new Uint32Array(max);
    this.hasBridge = new Uint8Array(max); this.bridgeId = new Uint32Array(max);
    this.bridgeMacHi = new Uint32Array(max); this.bridgeMacLo = new Uint32Array(max);
    this.localIps.clear();
    for (const n of net.state.nodes.values()) {
      const nn = net.node(n.name)!;
      this.nodes[n.index] = nn;
      this.nodeReady[n.index] = n.ready ? 1 : 0;
      this.nodeIp[n.index] = nn.ip;
      this.localIps.set(nn.ip, n.index);
      const c = parseCidr(n.podCidr);
      this.cidrBase[n.index] = c.base; this.cidrMask[n.index] = maskOf(c.len);
      if (nn.bridge) {
        this.bridgeIp[n.index] = nn.bridge.ip; this.localIps.set(nn.bridge.ip, n.index);
        this.hasBridge[n.index] = 1; this.bridgeId[n.index] = nn.bridge.id;
        this.bridgeMacHi[n.index] = nn.bridge.mac.hi; this.bridgeMacLo[n.index] = nn.bridge.mac.lo;
      }
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
    const v = this.dp.vec;
    v.verdict[i] = verdict;
    v.drop[i] = DONE;
    this.counters.delivered++;
  }

  /** Finish packet i dropped with a stable reason code. */
  drop(i: number, code: number): void {
    const v = this.dp.vec;
    v.verdict[i] = Verdict.DROPPED;
    v.drop[i] = code;
    this.counters.dropped++;
  }

  /** ClientIP affinity: the remembered endpoint index, if still fresh (10800 s default timeout). */
  affinityOf(svc: number, client: number, timeoutMs: number): number | undefined {
    const a = this.affinity.get(svc * 4294967296 + client);
    return a && this.now - a.lastMs <= timeoutMs ? a.ep : undefined;
  }

  remember(svc: number, client: number, ep: number): void {
    this.affinity.set(svc * 4294967296 + client, { ep, lastMs: this.now });
  }
}
