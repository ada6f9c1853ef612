// The established-flow fast path's next-stage codes, shared by assembly/fastpath.ts,
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
