// Per-packet pipeline state that the kernels never read, kept beside the packet
// vector as JS typed arrays (same struct-of-arrays shape, same VEC_MAX slots): where
// each packet is, how it entered that node, what kube-proxy decided, its outcome.
import { VEC_MAX } from '../../engine/datapath/index.js';

/** How a packet entered the node it is at (decides which stages apply). */
export const Phase = {
  /** Sent by a local pod: through its veth into the node. */
  FROM_POD: 1,
  /** Sent by a process of the node itself (hostNetwork pods, the node, an ingress controller). */
  FROM_HOST: 2,
  /** Arrived from another node (VXLAN decapsulated, or routed on the VPC). */
  FROM_NODE: 3,
  /** Arrived on eth0 from the cloud (internet gateway or load balancer). */
  FROM_CLOUD: 4,
  /** On the internet, heading for the cloud edge. */
  CLOUD_IN: 5,
  /** Left a node through its default route, heading for the cloud edge. */
  CLOUD_OUT: 6,
  /** Routed out the node's bridge to a local pod (the deliver stage takes it). */
  TO_BRIDGE: 7,
  /** Bridged between two pods of one bridge: br_netfilter still runs conntrack on it (kube-proxy requires bridge-nf-call-iptables=1), no routing. */
  BRIDGED: 8,
} as const;

/** Outcome of a packet. */
export const Verdict = { IN_FLIGHT: 0, DELIVERED_POD: 1, DELIVERED_HOST: 2, DELIVERED_INTERNET: 3, DROPPED: 4 } as const;
export type VerdictCode = (typeof Verdict)[keyof typeof Verdict];

/** F_DROP value of a packet that left the pipeline delivered: non-zero so kernels skip it, above every drop code. */
export const DONE = 0x100;
/** F_DROP value that hides a live packet from one kernel call (restored right after). */
export const PARKED = 0x200;
/** Node hops recorded per packet (flow log node path). */
export const MAX_PATH = 6;
/** Location of a packet that is outside every node. */
export const CLOUD = -1;

/** The side columns. */
export class PacketMeta {
  readonly loc = new Int32Array(VEC_MAX);
  readonly phase = new Uint8Array(VEC_MAX);
  readonly verdict = new Uint8Array(VEC_MAX);
  /** Bridge port (flannel) of the sending pod while Phase.FROM_POD. */
  readonly inPort = new Uint32Array(VEC_MAX);
  /** Service port id kube-proxy matched, -1 for none. */
  readonly svc = new Int32Array(VEC_MAX);
  /** KUBE-MARK-MASQ (0x4000 mark) or a CNI masquerade rule asked for SNAT. */
  readonly masq = new Uint8Array(VEC_MAX);
  /** Conntrack had no entry at this node: NAT decisions and ctInsert apply. */
  readonly isNew = new Uint8Array(VEC_MAX);
  /** Destination before kube-proxy's DNAT choice (restored for ctInsert, which applies it). */
  readonly preDst = new Uint32Array(VEC_MAX);
  readonly preDport = new Uint32Array(VEC_MAX);
  /** LPM route id at the current node. */
  readonly route = new Uint32Array(VEC_MAX);
  readonly ttl = new Uint8Array(VEC_MAX);
  /** The packet as its sender wrote it (flow records). */
  readonly origSrc = new Uint32Array(VEC_MAX);
  readonly origDst = new Uint32Array(VEC_MAX);
  readonly origSport = new Uint32Array(VEC_MAX);
  readonly origDport = new Uint32Array(VEC_MAX);
  readonly path = new Int32Array(VEC_MAX * MAX_PATH);
  readonly pathLen = new Uint8Array(VEC_MAX);

  /** Reset slot i for a new packet at `loc` entering by `phase`. */
  reset(i: number, loc: number, phase: number, inPort = 0): void {
    this.loc[i] = loc; this.phase[i] = phase; this.verdict[i] = Verdict.IN_FLIGHT; this.inPort[i] = inPort;
    this.svc[i] = -1; this.masq[i] = 0; this.isNew[i] = 0; this.route[i] = 0; this.ttl[i] = 64; this.pathLen[i] = 0;
    if (loc >= 0) this.visit(i, loc);
  }

  /** Record that packet i reached node `loc`. */
  visit(i: number, loc: number): void {
    const k = this.pathLen[i]!;
    if (k < MAX_PATH) { this.path[i * MAX_PATH + k] = loc; this.pathLen[i] = k + 1; }
  }
}
