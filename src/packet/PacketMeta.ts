// Per-packet pipeline state. Where each packet is, how it entered that node, its TTL,
// masquerade mark, outcome and node path live in the packet vector (PacketVector's
// loc, phase, ttl, masq, verdict, path columns), so the fast-path kernel can finish an
// established packet (and the sending pod's bridge port is the vector's inPort from
// the start); the rest, which no kernel reads, is kept beside the vector as JS typed
// arrays (same struct-of-arrays shape, same VEC_MAX slots): what kube-proxy decided,
// the packet as sent.
import { VEC_MAX, type PacketVector } from '../../engine/datapath/index.js';
import {
  PHASE_FROM_POD, PHASE_FROM_HOST, PHASE_FROM_NODE, PHASE_FROM_CLOUD, PHASE_CLOUD_IN, PHASE_CLOUD_OUT, PHASE_TO_BRIDGE, PHASE_BRIDGED,
  VERDICT_IN_FLIGHT, VERDICT_DELIVERED_POD, VERDICT_DELIVERED_HOST, VERDICT_DELIVERED_INTERNET, VERDICT_DROPPED,
  PIPE_DONE, PIPE_MAX_PATH, PIPE_CLOUD,
} from '../../assembly/shared/pipeline.js';

/** How a packet entered the node it is at (decides which stages apply); see assembly/shared/pipeline.ts. */
export const Phase = {
  FROM_POD: PHASE_FROM_POD,
  FROM_HOST: PHASE_FROM_HOST,
  FROM_NODE: PHASE_FROM_NODE,
  FROM_CLOUD: PHASE_FROM_CLOUD,
  CLOUD_IN: PHASE_CLOUD_IN,
  CLOUD_OUT: PHASE_CLOUD_OUT,
  TO_BRIDGE: PHASE_TO_BRIDGE,
  BRIDGED: PHASE_BRIDGED,
} as const;

/** Outcome of a packet. */
export const Verdict = {
  IN_FLIGHT: VERDICT_IN_FLIGHT, DELIVERED_POD: VERDICT_DELIVERED_POD, DELIVERED_HOST: VERDICT_DELIVERED_HOST,
  DELIVERED_INTERNET: VERDICT_DELIVERED_INTERNET, DROPPED: VERDICT_DROPPED,
} as const;
export type VerdictCode = (typeof Verdict)[keyof typeof Verdict];

/** F_DROP value of a packet that left the pipeline delivered: non-zero so kernels skip it, above every drop code. */
export const DONE = PIPE_DONE;
/** F_DROP value that hides a live packet from one kernel call (restored right after). */
export const PARKED = 0x200;
/** Node hops recorded per packet (flow log node path). */
export const MAX_PATH = PIPE_MAX_PATH;
/** Location of a packet that is outside every node. */
export const CLOUD = PIPE_CLOUD;

/** Record that packet i reached node `loc`. */
export function visit(v: PacketVector, i: number, loc: number): void {
  const k = v.pathLen[i]!;
  if (k < MAX_PATH) { v.path[i * MAX_PATH + k] = loc; v.pathLen[i] = k + 1; }
}

/** The side columns. */
export class PacketMeta {
  /** Service port id kube-proxy matched, -1 for none. */
  readonly svc = new Int32Array(VEC_MAX);
  /** Conntrack had no entry at this node: NAT decisions and ctInsert apply (set by the conntrack stage when the pass has new packets or a trace). */
  readonly isNew = new Uint8Array(VEC_MAX);
  /** Destination before kube-proxy's DNAT choice (restored for ctInsert, which applies it). */
  readonly preDst = new Uint32Array(VEC_MAX);
  readonly preDport = new Uint32Array(VEC_MAX);
  /** The packet as its sender wrote it (flow records). */
  readonly origSrc = new Uint32Array(VEC_MAX);
  readonly origDst = new Uint32Array(VEC_MAX);
  readonly origSport = new Uint32Array(VEC_MAX);
  readonly origDport = new Uint32Array(VEC_MAX);

  /** Reset slot i of `v` and the side columns for a new packet at `loc` entering by `phase`. */
  reset(v: PacketVector, i: number, loc: number, phase: number, inPort = 0): void {
    v.loc[i] = loc; v.phase[i] = phase; v.verdict[i] = Verdict.IN_FLIGHT; v.inPort[i] = inPort; // the sending pod's bridge port (flannel)
    this.svc[i] = -1; v.masq[i] = 0; this.isNew[i] = 0; v.route[i] = 0; v.ttl[i] = 64; v.pathLen[i] = 0;
    if (loc >= 0) visit(v, i, loc);
  }

  /** reset for slots 0..n-1 at once, column by column (placeFlows). */
  resetFlows(v: PacketVector, n: number, loc: number, phase: number, inPort: number): void {
    v.loc.fill(loc, 0, n); v.phase.fill(phase, 0, n); v.verdict.fill(Verdict.IN_FLIGHT, 0, n); v.inPort.fill(inPort, 0, n);
    this.svc.fill(-1, 0, n); v.masq.fill(0, 0, n); this.isNew.fill(0, 0, n); v.route.fill(0, 0, n); v.ttl.fill(64, 0, n);
    v.pathLen.fill(loc >= 0 ? 1 : 0, 0, n);
    if (loc >= 0) for (let i = 0; i < n; i++) v.path[i * MAX_PATH] = loc;
  }
}
