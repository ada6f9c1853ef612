import type { PacketVector } from './PacketVector.js';
import type { LpmLayout, LpmRoute } from './LpmRouteStore.js';
import type { ConntrackEntry } from './ConntrackEntry.js';

/** Which implementation runs the kernels. */
export type Backend = 'wasm' | 'ts';

/** One learned bridge forwarding entry, as `bridge fdb show` lists it. */
export interface FdbEntry {
  bridge: number;
  port: number;
  macHi: number;
  macLo: number;
  seenMs: number;
}

/**
 * The datapath kernels behind one contract. Every call works on the first `n`
 * packets of `vec` (n <= VEC_MAX): one call per vector, never per packet. Nothing
 * outside engine/datapath/createDatapath.ts knows which backend runs.
 */
export interface Datapath {
  readonly backend: Backend;
  /** The packet vector the kernels read and write. Re-read after any call that may grow memory. */
  readonly vec: PacketVector;

  /** Learn source MACs: (table=bridge, srcMac, inPort) -> result = LEARN_*, report[R_LEARN_MOVED] = how many moved port. Returns how many were new. */
  fdbLearn(n: number, nowMs: number): number;
  /** Forwarding decision: (table=bridge, dstMac) -> outPort, PORT_FLOOD on a miss or aged entry. */
  fdbLookup(n: number, nowMs: number, ageMs: number): void;
  /** Remove entries older than ageMs; returns how many. */
  fdbAge(nowMs: number, ageMs: number): number;
  /** Remove a port's entries (PORT_FLOOD: the whole bridge); returns how many. */
  fdbFlush(bridge: number, port: number): number;
  /** Live entries, in no particular order (control plane: dumps, not the hot path). */
  fdbEntries(): FdbEntry[];

  /**
   * Create an empty route table `table` (1..LPM_MAX_TABLES-1). `wide` (16-8-8 strides,
   * 512 KiB root) for a large table or a shared base; `narrow` (8-8-8-8, 2 KiB root)
   * for small ones. Throws if the id is taken or out of range.
   */
  lpmCreateTable(table: number, layout: LpmLayout): void;
  /**
   * Create `table` as an overlay on `base` (which must not be derived itself): it
   * holds only its own routes, a lookup sees base plus own routes, an own route wins
   * over a base route of the same prefix, and later base changes show through at once.
   * An inherited route cannot be deleted from the overlay; override it instead.
   */
  lpmDeriveTable(table: number, base: number): void;
  /** Free a table and its routes; throws while derived tables still use it as base. */
  lpmDropTable(table: number): void;
  /** Add or replace prefix/len -> value (a u32 route id of the caller's). Visible at the next lookup. Returns true when the prefix was new to the table. */
  lpmInsert(table: number, prefix: number, len: number, value: number): boolean;
  /** Remove the table's own route prefix/len; returns false if it had none. */
  lpmDelete(table: number, prefix: number, len: number): boolean;
  /** Batched LPM: (table, dstIp) -> result = route value, result2 = matched prefix length, or result 0 and result2 LPM_MISS. */
  lpmLookup(n: number): void;
  /** A table's routes (own and inherited) sorted by prefix then length, for `ip route` dumps. */
  lpmRoutes(table: number): LpmRoute[];
  /** Bytes held by every route table's tries. */
  lpmBytes(): number;
  /**
   * The floor under any one-load LPM, for the bench: result = the 32-bit word at the top
   * bits of dstIp in an array of 2^bits bytes (26: a DIR-24-8 root shadow, 64 MiB),
   * nothing else. The array is allocated (and filled) on first use and kept.
   */
  lpmFloor(n: number, bits: number): void;

  /**
   * Batched conntrack lookup over live packets (drop 0): (table = zone, proto, src,
   * dst, srcPort, dstPort) -> result = connection id, result2 = CT_* state, the packet
   * rewritten in place by the connection's NAT (a reply is un-NATed), flags get
   * FLAG_CT_REPLY and FLAG_NAT_SRC/FLAG_NAT_DST. A miss: result 0 and no CT flags.
   * Refreshes the timeout and advances the TCP state from l4Flags. ICMP carries the
   * echo id in both srcPort and dstPort. May grow memory: re-read `vec` afterwards.
   */
  ctLookup(n: number, nowMs: number): void;
  /**
   * Create connections for live packets that have none, with NAT from dnatIp/dnatPort
   * (0: no DNAT) and snatIp (0: no masquerade). The reply tuple is made unique by
   * keeping the source port or picking a free one (1024..65535), as nf_nat does. A
   * packet already tracked just follows its connection. Sets the same outputs as
   * ctLookup plus FLAG_CT_NEW. A full zone drops with CT_TABLE_FULL (counted in
   * ctDrops); no free port drops with PORT_CONFLICT. Returns connections created.
   */
  ctInsert(n: number, nowMs: number): number;
  /** Remove connections expired at nowMs; returns how many. */
  ctExpire(nowMs: number): number;
  /** Remove every connection of a zone, or of all zones when zone is omitted; returns how many. */
  ctFlush(zone?: number): number;
  /** Live connections of a zone (all zones when omitted); expired but unswept ones count. */
  ctCount(zone?: number): number;
  /** Per-zone maximum (nf_conntrack_max, default 262144); new flows beyond it are dropped. */
  ctSetMax(max: number): void;
  /** Packets dropped with CT_TABLE_FULL so far. */
  ctDrops(): number;
  /** Connections of a zone (all when omitted) in id order, for `conntrack -L`. */
  ctEntries(zone?: number): ConntrackEntry[];
  /** Bytes held by the connection table. */
  ctBytes(): number;

  /**
   * Established-flow fast path, one call per vector: over live packets (drop 0) with
   * table = zone, exactly ctLookup's outputs; for each hit also route = the LPM value
   * lpmLookup gives in table zone + tableBias for the rewritten destination, routeLen =
   * its prefix length, and next / nextNode = the next-stage decision: NEXT_LOCAL when
   * the destination is one of the zone's own addresses (fastPathSetNode), else the
   * route's programmed next hop (fastPathSetRoute; NEXT_SLOW if none). A miss, a
   * dropped packet or a zone out of range gets next NEXT_SLOW, route 0, routeLen
   * LPM_MISS. A hit sent to the bridge (NEXT_BRIDGE) also gets outPort = the zone's
   * bridge's forwarding decision for its pod's MAC (fastPathSetNode's bridge and MAC
   * high word, the destination as low word), as fdbLookup with nowMs and ageMs gives
   * it; every other packet's outPort, and table, are left as they were. Returns the
   * number of hits; `report` gets the R_* counts (misses, live packets with a zone out
   * of range, replies, hits with no route). `mode` (bits, default 0):
   * FP_ZONE_FROM_LOC first sets table = loc for every live packet; FP_FORWARD then
   * finishes hits as the pipeline's forward stage does without a trace: NEXT_NODE to
   * a ready node (fastPathSetNode) with ttl > 1 moves the packet there (ttl - 1, loc,
   * phase PHASE_FROM_NODE, masq 0, the node appended to its path; next = NEXT_MOVED),
   * NEXT_BRIDGE (node word 0) to a pod running on the packet's loc (fastPathSetPod)
   * delivers it (verdict VERDICT_DELIVERED_POD, drop PIPE_DONE); a hit in
   * PHASE_BRIDGED, and any other packet, is left as it is; report gets R_MOVED,
   * R_DELIVERED, R_FLOODED (delivered with outPort PORT_FLOOD) and R_LEFT (live
   * packets neither moved nor delivered). May grow memory.
   */
  fastPath(n: number, nowMs: number, tableBias: number, ageMs: number, mode?: number): number;
  /** Program route value `route` (< FAST_MAX_ROUTES) with a NEXT_* code and, for NEXT_NODE, the node. */
  fastPathSetRoute(route: number, next: number, node: number): void;
  /**
   * Set zone `zone`'s own addresses (node IP, bridge IP; 0 for none): packets to them
   * get NEXT_LOCAL; its bridge (FDB table id, 0 for none) and the high MAC word of the
   * pods on it (their low word is their IP), for NEXT_BRIDGE hits; whether the node is
   * ready (default true), for FP_FORWARD.
   */
  fastPathSetNode(zone: number, ip0: number, ip1: number, bridge: number, podMacHi: number, ready?: boolean): void;
  /** Pod `ip` runs on node `node` (FP_FORWARD delivers only to those); ip 0 is ignored. */
  fastPathSetPod(ip: number, node: number): void;
  /** Set zone `zone`'s pod CIDR (base, mask) and the MAC its pods' gateway answers with (the bridge's; Calico's proxy-ARP MAC), for fastPathPodTx. */
  fastPathSetPodNet(zone: number, cidrBase: number, cidrMask: number, gwMacHi: number, gwMacLo: number): void;
  /**
   * A pod's transmit and its bridge's learning in one call, as the pipeline's pod
   * transmit stage and fdbLearn do them without a trace. Every packet gets table 0.
   * A live packet in PHASE_FROM_POD at zone `loc`: a node not ready drops it
   * (NODE_DOWN); else srcMac = (pods' MAC high word, srcIp) and dstMac the next hop's:
   * with no bridge the gateway MAC; with one, a destination in the pod CIDR other than
   * the bridge IP is on-link (MAC = pods' high word + address; no pod of this zone
   * holding it drops ARP_FAILED), any other the gateway MAC. A frame on a bridge gets
   * table = the bridge and its source learned on inPort (result = LEARN_*, as
   * fdbLearn); every other packet a group source MAC (0xffff, 0xffffffff) and result
   * LEARN_IGNORED. A drop sets drop and verdict VERDICT_DROPPED. report gets
   * R_LEARN_MOVED, R_TX_FRAMES, R_TX_BRIDGED (frames on-link), R_TX_DROPS. Returns how
   * many MACs were new.
   */
  fastPathPodTx(n: number, nowMs: number): number;
  /** Forget every programmed route, zone address and pod. */
  fastPathClear(): void;
}
