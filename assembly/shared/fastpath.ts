// The established-flow fast path's next-stage codes, shared by assembly/fastpath/,
// engine/datapath/ts/TsFastPath.ts and the pipeline's forward stage. A route value
// is programmed with one of these (fastPathSetRoute); the kernel writes it to F_NEXT
// for every conntrack hit, after checking the node's own addresses. Plain integer
// constants only: valid AssemblyScript and TypeScript alike.

/** Not decided by the fast path: a conntrack miss, or a route the JS stages handle (node-subnet, blackhole, none). */
export const NEXT_SLOW = 0;
/** The destination is one of the node's own addresses: its IP stack receives it. */
export const NEXT_LOCAL = 1;
/** Out the node's bridge (cni0) to a local pod: the deliver stage. */
export const NEXT_BRIDGE = 2;
/** To another node (F_NEXT_NODE) over VXLAN, host-gw or BGP routes. */
export const NEXT_NODE = 3;
/** A Calico /32 to a local pod's cali* veth. */
export const NEXT_POD = 4;
/** The default route: out eth0 to the VPC gateway. */
export const NEXT_CLOUD = 5;
/** Route values the fast path's next-hop table can hold (LPM values are the caller's u32; larger ones stay NEXT_SLOW). */
export const FAST_MAX_ROUTES = 1048576;
/** Entries of the fast path's route cache (a power of two): one per conntrack ref (id << 1 | direction) modulo this. */
export const FAST_ROUTE_CACHE = 16384;
/** F_NEXT of a hit the kernel already sent on to F_NEXT_NODE (fastPath with FP_FORWARD): the forward stage leaves it. */
export const NEXT_MOVED = 6;

/** fastPath mode bit: take each live packet's zone from F_LOC (written to F_TABLE first). */
export const FP_ZONE_FROM_LOC = 1;
/**
 * fastPath mode bit: finish the hits the pipeline's forward stage would finish without
 * a trace: on to a ready node (NEXT_NODE: F_TTL - 1, F_LOC, F_PHASE, F_MASQ 0, F_PATH;
 * F_NEXT becomes NEXT_MOVED) and out the bridge to a pod of this node (NEXT_BRIDGE:
 * F_VERDICT delivered, F_DROP PIPE_DONE). A hit in PHASE_BRIDGED is left alone.
 */
export const FP_FORWARD = 2;

// Words of F_REPORT after a fastPath call.
/** Live packets with a zone in range and no connection. */
export const R_MISSES = 0;
/** Live packets with a zone out of range (outside every node). */
export const R_NO_ZONE = 1;
/** Hits in the reply direction. */
export const R_REPLIES = 2;
/** Hits with no route (F_ROUTE 0). */
export const R_NO_ROUTE = 3;
/** FP_FORWARD: hits sent on to another node. */
export const R_MOVED = 4;
/** FP_FORWARD: hits delivered to a pod through the bridge. */
export const R_DELIVERED = 5;
/** FP_FORWARD: of those, how many the bridge flooded (unknown MAC). */
export const R_FLOODED = 6;
/** FP_FORWARD: live packets the kernel did not finish or move (the forward stage's work). */
export const R_LEFT = 7;

// Words of F_REPORT after a fastPathPodTx call (word R_LEARN_MOVED as fdbLearn's).
/** Frames marked for a bridge (F_TABLE = the bridge). */
export const R_TX_FRAMES = 1;
/** Of those, frames to another pod of the bridge (not to the bridge's own MAC). */
export const R_TX_BRIDGED = 2;
/** Packets dropped (NODE_DOWN, ARP_FAILED). */
export const R_TX_DROPS = 3;
