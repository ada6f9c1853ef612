// How traces print a packet slot: addresses and ports as tcpdump shows them.
import { formatIp } from '../../engine/net/index.js';
import type { PacketVector } from '../../engine/datapath/index.js';

const PROTO_NAME: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

/** Name of an IP protocol number. */
export function protoName(p: number): string {
  return PROTO_NAME[p] ?? `proto-${p}`;
}

/** `10.244.1.5:40000 > 10.96.0.10:80 tcp` (ICMP: the echo id instead of ports). */
export function formatPacket(v: PacketVector, i: number): string {
  const p = v.proto[i]!;
  if (p === 1) return `${formatIp(v.srcIp[i]!)} > ${formatIp(v.dstIp[i]!)} icmp echo id ${v.srcPort[i]}`;
  return `${formatIp(v.srcIp[i]!)}:${v.srcPort[i]} > ${formatIp(v.dstIp[i]!)}:${v.dstPort[i]} ${protoName(p)}`;
}
