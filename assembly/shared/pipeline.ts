// The pipeline's per-packet state codes (src/packet/PacketMeta.ts), shared with the
// fast-path kernels that finish established packets. Plain integer constants only:
// valid AssemblyScript and TypeScript alike.

/** Phase: sent by a local pod, through its veth into the node. */
export const PHASE_FROM_POD = 1;
/** Phase: sent by a process of the node itself (hostNetwork pods, the node, an ingress controller). */
export const PHASE_FROM_HOST = 2;
/** Phase: arrived from another node (VXLAN decapsulated, or routed on the VPC). */
export const PHASE_FROM_NODE = 3;
/** Phase: arrived on eth0 from the cloud (internet gateway or load balancer). */
export const PHASE_FROM_CLOUD = 4;
/** Phase: on the internet, heading for the cloud edge. */
export const PHASE_CLOUD_IN = 5;
/** Phase: left a node through its default route, heading for the cloud edge. */
export const PHASE_CLOUD_OUT = 6;
/** Phase: routed out the node's bridge to a local pod (the deliver stage takes it). */
export const PHASE_TO_BRIDGE = 7;
/** Phase: bridged between two pods of one bridge (br_netfilter still runs conntrack on it, no routing). */
export const PHASE_BRIDGED = 8;

/** Verdict: still travelling. */
export const VERDICT_IN_FLIGHT = 0;
/** Verdict: a pod received it. */
export const VERDICT_DELIVERED_POD = 1;
/** Verdict: a node's own stack received it. */
export const VERDICT_DELIVERED_HOST = 2;
/** Verdict: it left for the internet. */
export const VERDICT_DELIVERED_INTERNET = 3;
/** Verdict: dropped (F_DROP holds the reason). */
export const VERDICT_DROPPED = 4;

/** F_DROP value of a packet that left the pipeline delivered: non-zero so kernels skip it, above every drop code. */
export const PIPE_DONE = 0x100;
/** Node hops recorded per packet (flow log node path). */
export const PIPE_MAX_PATH = 6;
/** F_LOC of a packet that is outside every node. */
export const PIPE_CLOUD = -1;
