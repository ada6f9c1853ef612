import {
  VEC_MAX, VEC_FIELD_BYTES, VEC_FIELDS, F_SRC_IP, F_DST_IP, F_SRC_PORT, F_DST_PORT, F_PROTO,
  F_SRC_MAC_HI, F_SRC_MAC_LO, F_DST_MAC_HI, F_DST_MAC_LO, F_TABLE, F_IN_PORT, F_OUT_PORT,
  F_RESULT, F_RESULT2, F_FLAGS, F_DROP, F_L4_FLAGS, F_DNAT_IP, F_DNAT_PORT, F_SNAT_IP,
  F_ROUTE, F_ROUTE_LEN, F_NEXT, F_NEXT_NODE, F_LOC, F_PHASE, F_TTL, F_MASQ, F_VERDICT, F_PATH_LEN, F_PATH, F_REPORT,
} from '../../assembly/shared/vector.js';
import { PIPE_MAX_PATH } from '../../assembly/shared/pipeline.js';

/**
 * Typed-array views over one packet vector (struct-of-arrays, layout in
 * assembly/shared/vector.ts). The WASM backend makes these views over linear memory
 * and rebuilds them when memory grows; the TS backend over an ArrayBuffer of its own.
 */
export class PacketVector {
  readonly srcIp: Uint32Array;
  readonly dstIp: Uint32Array;
  readonly srcPort: Uint32Array;
  readonly dstPort: Uint32Array;
  readonly proto: Uint32Array;
  readonly srcMacHi: Uint32Array;
  readonly srcMacLo: Uint32Array;
  readonly dstMacHi: Uint32Array;
  readonly dstMacLo: Uint32Array;
  readonly table: Uint32Array;
  readonly inPort: Uint32Array;
  readonly outPort: Uint32Array;
  readonly result: Uint32Array;
  readonly result2: Uint32Array;
  readonly flags: Uint32Array;
  readonly drop: Uint32Array;
  readonly l4Flags: Uint32Array;
  readonly dnatIp: Uint32Array;
  readonly dnatPort: Uint32Array;
  readonly snatIp: Uint32Array;
  /** Fast path outputs (Datapath.fastPath): route value, prefix length, next-stage code, next node. */
  readonly route: Uint32Array;
  readonly routeLen: Uint32Array;
  readonly next: Uint32Array;
  readonly nextNode: Uint32Array;
  /** Pipeline state (src/packet), in the vector so the fast path can finish established packets: node index (-1 outside every node), phase, TTL, masquerade mark, verdict. */
  readonly loc: Int32Array;
  readonly phase: Uint32Array;
  readonly ttl: Uint32Array;
  readonly masq: Uint32Array;
  readonly verdict: Uint32Array;
  /** Node path: packet i's k-th node at path[i * PIPE_MAX_PATH + k], pathLen[i] of them. */
  readonly pathLen: Uint32Array;
  readonly path: Int32Array;
  /** Counters of the last kernel call that reports (R_* words), not per packet. */
  readonly report: Uint32Array;
  /** Every column in field order, for clearing and copying. */
  readonly words: Uint32Array;

  constructor(buffer: ArrayBufferLike, byteOffset: number) {
    const col = (f: number) => new Uint32Array(buffer, byteOffset + f * VEC_FIELD_BYTES, VEC_MAX);
    this.words = new Uint32Array(buffer, byteOffset, VEC_MAX * VEC_FIELDS);
    this.srcIp = col(F_SRC_IP);
    this.dstIp = col(F_DST_IP);
    this.srcPort = col(F_SRC_PORT);
    this.dstPort = col(F_DST_PORT);
    this.proto = col(F_PROTO);
    this.srcMacHi = col(F_SRC_MAC_HI);
    this.srcMacLo = col(F_SRC_MAC_LO);
    this.dstMacHi = col(F_DST_MAC_HI);
    this.dstMacLo = col(F_DST_MAC_LO);
    this.table = col(F_TABLE);
    this.inPort = col(F_IN_PORT);
    this.outPort = col(F_OUT_PORT);
    this.result = col(F_RESULT);
    this.result2 = col(F_RESULT2);
    this.flags = col(F_FLAGS);
    this.drop = col(F_DROP);
    this.l4Flags = col(F_L4_FLAGS);
    this.dnatIp = col(F_DNAT_IP);
    this.dnatPort = col(F_DNAT_PORT);
    this.snatIp = col(F_SNAT_IP);
    this.route = col(F_ROUTE);
    this.routeLen = col(F_ROUTE_LEN);
    this.next = col(F_NEXT);
    this.nextNode = col(F_NEXT_NODE);
    this.loc = new Int32Array(buffer, byteOffset + F_LOC * VEC_FIELD_BYTES, VEC_MAX);
    this.phase = col(F_PHASE);
    this.ttl = col(F_TTL);
    this.masq = col(F_MASQ);
    this.verdict = col(F_VERDICT);
    this.pathLen = col(F_PATH_LEN);
    this.path = new Int32Array(buffer, byteOffset + F_PATH * VEC_FIELD_BYTES, VEC_MAX * PIPE_MAX_PATH);
    this.report = col(F_REPORT);
  }
}

export { VEC_MAX };
