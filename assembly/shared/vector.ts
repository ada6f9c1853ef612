// Packet vector layout, shared by the AssemblyScript kernels and the TypeScript side.
// This file must stay valid as both AssemblyScript and TypeScript: plain integer
// constants only, no types that exist in one language and not the other.
//
// A vector holds up to VEC_MAX packets as struct-of-arrays (VPP style): every field is
// an array of VEC_MAX u32 words, and field F of packet i sits at byte
//   base + F * VEC_FIELD_BYTES + i * 4.
// One field array per column keeps each kernel's loop on contiguous memory.

/** Packets per vector: one JS-to-WASM call per stage handles this many. */
export const VEC_MAX = 256;
/** Bytes in one field column. */
export const VEC_FIELD_BYTES = 1024; // VEC_MAX * 4

/** IPv4 source address (host byte order). */
export const F_SRC_IP = 0;
/** IPv4 destination address. */
export const F_DST_IP = 1;
/** L4 source port (TCP/UDP) or ICMP id. */
export const F_SRC_PORT = 2;
/** L4 destination port. */
export const F_DST_PORT = 3;
/** IP protocol number: 6 tcp, 17 udp, 1 icmp. */
export const F_PROTO = 4;
/** Ethernet source MAC, high 16 bits. */
export const F_SRC_MAC_HI = 5;
/** Ethernet source MAC, low 32 bits. */
export const F_SRC_MAC_LO = 6;
/** Ethernet destination MAC, high 16 bits. */
export const F_DST_MAC_HI = 7;
/** Ethernet destination MAC, low 32 bits. */
export const F_DST_MAC_LO = 8;
/** Which table the kernel consults: bridge id (FDB), route table id (LPM), zone (conntrack). */
export const F_TABLE = 9;
/** Ingress port on the table's device (bridge port number). */
export const F_IN_PORT = 10;
/** Egress port chosen (bridge port), or PORT_FLOOD. */
export const F_OUT_PORT = 11;
/** Kernel result word: next hop / route id / conntrack entry, per kernel. */
export const F_RESULT = 12;
/** Second result word (matched prefix length, NAT port, ...). */
export const F_RESULT2 = 13;
/** Per-packet flags (see FLAG_*). */
export const F_FLAGS = 14;
/** Drop reason code, 0 when the packet is alive (see drop.ts). */
export const F_DROP = 15;
/** TCP flags / ICMP type of the packet. */
export const F_L4_FLAGS = 16;
/** Conntrack insert input: DNAT target address (a service endpoint), 0 for no DNAT. */
export const F_DNAT_IP = 17;
/** Conntrack insert input: DNAT target port (used when F_DNAT_IP is set). */
export const F_DNAT_PORT = 18;
/** Conntrack insert input: SNAT (masquerade) address, 0 for no SNAT; the kernel picks the port. */
export const F_SNAT_IP = 19;
/** Fast path output: route value of the LPM match (0 none), for conntrack hits only. */
export const F_ROUTE = 20;
/** Fast path output: matched prefix length, or LPM_MISS. */
export const F_ROUTE_LEN = 21;
/** Fast path output: next-stage decision (NEXT_* in fastpath.ts), NEXT_SLOW for misses. */
export const F_NEXT = 22;
/** Fast path output: the node a NEXT_NODE packet goes to. */
export const F_NEXT_NODE = 23;
// Pipeline state (src/packet): where each packet is and what became of it. It lives in
// the vector, not in JS beside it, so the fast path can finish an established packet
// (send it on to the next node, deliver it) in the kernel; see shared/pipeline.ts.
/** Node index the packet is at (i32), PIPE_CLOUD outside every node. */
export const F_LOC = 24;
/** How the packet entered that node (PHASE_*). */
export const F_PHASE = 25;
/** IP TTL left. */
export const F_TTL = 26;
/** 1 when KUBE-MARK-MASQ (or a CNI rule) asked for masquerade at this node. */
export const F_MASQ = 27;
/** Outcome (VERDICT_*). */
export const F_VERDICT = 28;
/** Nodes recorded in F_PATH. */
export const F_PATH_LEN = 29;
/** PIPE_MAX_PATH columns: node k of packet i's path is word i * PIPE_MAX_PATH + k of this block. */
export const F_PATH = 30;
/** Not per packet: counters a kernel reports for its last call (R_* in shared/fastpath.ts). */
export const F_REPORT = 36;
/** Number of field columns. */
export const VEC_FIELDS = 37;
/** Total bytes of one packet vector. */
export const VEC_BYTES = 37888; // VEC_FIELDS * VEC_FIELD_BYTES

/** F_OUT_PORT value meaning "no known port: flood to every other port". */
export const PORT_FLOOD = 0xffffffff;

/** FDB learn result: the MAC was new on this bridge. */
export const LEARN_NEW = 0;
/** FDB learn result: the MAC was known on the same port; its age was refreshed. */
export const LEARN_REFRESHED = 1;
/** FDB learn result: the MAC was known on another port and moved (station move). */
export const LEARN_MOVED = 2;
/** FDB learn result: group (multicast/broadcast) source, never learned. */
export const LEARN_IGNORED = 3;
/** fdbLearn: the F_REPORT word with how many known MACs moved port (LEARN_MOVED). */
export const R_LEARN_MOVED = 0;

/** LPM result: F_RESULT2 value when no route matched (F_RESULT is then 0). */
export const LPM_MISS = 0xffffffff;
/** LPM: route table ids run from 1 to LPM_MAX_TABLES - 1 (0 means "no table"). */
export const LPM_MAX_TABLES = 65536;

/** Conntrack: zones (one per node) run from 0 to CT_MAX_ZONES - 1. */
export const CT_MAX_ZONES = 65536;
/** Conntrack: hash slots (20 bytes each) up to which the table stays in cache and the kernels skip their first, miss-overlapping pass (it would only cost). */
export const CT_PREFETCH_SLOTS = 8192;
/** F_FLAGS bit: conntrack matched the packet in the reply direction. */
export const FLAG_CT_REPLY = 1;
/** F_FLAGS bit: conntrack created the connection for this packet. */
export const FLAG_CT_NEW = 2;
/** F_FLAGS bit: the destination (address or port) was rewritten by NAT. */
export const FLAG_NAT_DST = 4;
/** F_FLAGS bit: the source (address or port) was rewritten by NAT. */
export const FLAG_NAT_SRC = 8;
/** Every conntrack flag, so a kernel clears exactly its own bits. */
export const FLAG_CT_MASK = 15;

// Connection states, numbered as Linux's enum tcp_conntrack; UDP and ICMP use
// CT_UNREPLIED until a reply is seen, then CT_REPLIED.
/** TCP: SYN seen in the original direction. */
export const CT_SYN_SENT = 1;
/** TCP: SYN+ACK seen in reply. */
export const CT_SYN_RECV = 2;
/** TCP: handshake done (or picked up mid-stream, nf_conntrack_tcp_loose). */
export const CT_ESTABLISHED = 3;
/** TCP: one side sent FIN. */
export const CT_FIN_WAIT = 4;
/** TCP: the FIN was acknowledged, the other side has not closed yet. */
export const CT_CLOSE_WAIT = 5;
/** TCP: both sides sent FIN, waiting for the last ACK. */
export const CT_LAST_ACK = 6;
/** TCP: closed, lingering for late segments. */
export const CT_TIME_WAIT = 7;
/** TCP: reset. */
export const CT_CLOSE = 8;
/** UDP/ICMP: only the original direction seen. */
export const CT_UNREPLIED = 9;
/** UDP/ICMP: a reply was seen (UDP "stream" timeout applies). */
export const CT_REPLIED = 10;
