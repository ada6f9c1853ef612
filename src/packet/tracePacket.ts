// `podnet trace`: one packet walked through the devices a node really has, with
// every lookup done by the datapath kernels and recorded as a step.
import { PodnetError } from '../../engine/errors.js';
import { BROADCAST_MAC, formatIp, formatMac, type Mac } from '../../engine/net/index.js';
import { PORT_FLOOD, type Datapath } from '../../engine/datapath/index.js';
import type { ClusterState } from '../cluster/index.js';
import { ClusterNetwork, type PodNet } from '../network/index.js';
import { resolveTarget } from './resolveTarget.js';
import { bridgeStage, newBridgeCounters } from './stages/bridgeStage.js';
import { TraceRecorder, type Trace } from './Trace.js';

export type Proto = 'tcp' | 'udp' | 'icmp';
const PROTO_NUMBER: Record<Proto, number> = { tcp: 6, udp: 17, icmp: 1 };

export interface TraceRequest {
  src: string;
  dst: string;
  port: number;
  proto: Proto;
}

function podNs(p: PodNet): string {
  return `pod ${p.key}`;
}

function l4(req: TraceRequest, src: number, dst: number): string {
  return req.proto === 'icmp' ? `${formatIp(src)} > ${formatIp(dst)} icmp echo` : `${formatIp(src)}:${40000} > ${formatIp(dst)}:${req.port} ${req.proto}`;
}

/** Put one frame in vector slot 0 for the bridge stage. */
function loadFrame(dp: Datapath, bridge: number, inPort: number, src: Mac, dst: Mac, req: TraceRequest, srcIp: number, dstIp: number): void {
  const v = dp.vec;
  v.table[0] = bridge; v.inPort[0] = inPort;
  v.srcMacHi[0] = src.hi; v.srcMacLo[0] = src.lo; v.dstMacHi[0] = dst.hi; v.dstMacLo[0] = dst.lo;
  v.srcIp[0] = srcIp; v.dstIp[0] = dstIp; v.proto[0] = PROTO_NUMBER[req.proto]; v.srcPort[0] = 40000; v.dstPort[0] = req.port;
}

/** Listener check at the destination pod: which container declares the port. */
function listener(p: PodNet, req: TraceRequest): string {
  const proto = req.proto.toUpperCase();
  for (const c of p.pod.containers) for (const cp of c.ports) if (cp.containerPort === req.port && cp.protocol === proto) return `container ${c.name} listens on ${req.port}/${proto}`;
  return req.proto === 'icmp' ? 'echo reply from the pod' : `no container declares ${req.port}/${proto} (containerPort is informational: delivered to the pod's namespace)`;
}

/** Two pods on one node behind the cni0 bridge: ARP, MAC learning, unicast. */
function sameNodeBridged(net: ClusterNetwork, dp: Datapath, req: TraceRequest, a: PodNet, b: PodNet, now: number, rec: TraceRecorder): void {
  const node = net.node(a.node)!;
  const br = node.bridge!;
  const portName = (p: number) => {
    if (p === a.bridgePort) return a.hostIf;
    if (p === b.bridgePort) return b.hostIf;
    return net.podsOn(a.node).find((x) => x.bridgePort === p)?.hostIf ?? `port ${p}`;
  };
  const counters = newBridgeCounters();
  rec.enter(a.node, podNs(a));
  rec.step({ point: 'pod-eth0', dev: 'eth0', action: 'route', match: `${formatIp(b.ip)} in ${node.node.podCidr} dev eth0 scope link (on-link: same subnet)`, packet: l4(req, a.ip, b.ip) });
  // ARP: who-has b tell a, broadcast through the bridge; b answers unicast.
  rec.step({ point: 'arp', dev: 'eth0', action: 'request', detail: `who-has ${formatIp(b.ip)} tell ${formatIp(a.ip)}`, frame: `${formatMac(a.mac)} > ${formatMac(BROADCAST_MAC)}` });
  rec.enter(a.node, 'root');
  rec.step({ point: 'veth', dev: a.hostIf, action: 'forward', detail: `peer of ${a.key} eth0, port ${a.bridgePort} of ${br.name}` });
  loadFrame(dp, br.id, a.bridgePort, a.mac, BROADCAST_MAC, req, a.ip, b.ip);
  bridgeStage(dp, 1, now, counters, { rec, bridge: br.name, portName });
  loadFrame(dp, br.id, b.bridgePort, b.mac, a.mac, req, b.ip, a.ip);
  bridgeStage(dp, 1, now, counters, { rec, bridge: br.name, portName });
  rec.step({ point: 'arp', dev: b.hostIf, action: 'reply', detail: `${formatIp(b.ip)} is-at ${formatMac(b.mac)}` });
  // The data frame.
  rec.enter(a.node, podNs(a));
  rec.step({ point: 'pod-eth0', dev: 'eth0', action: 'transmit', frame: `${formatMac(a.mac)} > ${formatMac(b.mac)}`, packet: l4(req, a.ip, b.ip) });
  rec.enter(a.node, 'root');
  rec.step({ point: 'veth', dev: a.hostIf, action: 'forward', detail: `to ${br.name} port ${a.bridgePort}` });
  loadFrame(dp, br.id, a.bridgePort, a.mac, b.mac, req, a.ip, b.ip);
  bridgeStage(dp, 1, now, counters, { rec, bridge: br.name, portName });
  if (dp.vec.outPort[0] === PORT_FLOOD) rec.step({ point: 'bridge', dev: br.name, action: 'flood-delivered', detail: `${b.hostIf} receives the flooded copy` });
  rec.step({ point: 'veth', dev: b.hostIf, action: 'forward', detail: `to peer ${b.key} eth0` });
  rec.enter(b.node, podNs(b));
  rec.step({ point: 'pod-eth0', dev: 'eth0', action: 'deliver', packet: l4(req, a.ip, b.ip), detail: listener(b, req) });
}

/**
 * Trace one packet from src to dst at the cluster state given. Throws a PodnetError
 * naming the argument when src or dst names nothing.
 */
export function tracePacket(state: ClusterState, dp: Datapath, req: TraceRequest): Trace {
  if (!Number.isInteger(req.port) || req.port < 0 || req.port > 65535) throw new PodnetError('VALIDATION', `--port ${req.port} is out of range (0-65535)`);
  const net = new ClusterNetwork(state);
  const src = resolveTarget(net, req.src, 'source');
  const dst = resolveTarget(net, req.dst, 'destination');
  if (src.kind !== 'pod') throw new PodnetError('NOT_MODELLED', `source ${req.src}: traces from a non-pod address are not modelled yet`);
  const rec = new TraceRecorder();
  const trace: Trace = {
    disposition: 'DELIVERED', src: req.src, dst: req.dst, proto: req.proto, port: req.port, backend: dp.backend,
    at: { seq: state.seq, time: state.time }, hops: rec.hops,
  };
  const a = src.pod;
  if (dst.kind === 'pod' && dst.pod.key === a.key) {
    // Containers of one pod share its network namespace: localhost, no veth.
    rec.enter(a.node, podNs(a));
    rec.step({ point: 'lo', dev: 'lo', action: 'deliver', packet: `127.0.0.1:40000 > 127.0.0.1:${req.port} ${req.proto}`, detail: `same network namespace; ${listener(a, req)}` });
    trace.deliveredTo = podNs(a);
    return trace;
  }
  if (dst.kind === 'pod' && dst.pod.node === a.node && net.node(a.node)!.bridge) {
    sameNodeBridged(net, dp, req, a, dst.pod, state.time, rec);
    trace.deliveredTo = podNs(dst.pod);
    return trace;
  }
  throw new PodnetError('NOT_MODELLED', `trace ${req.src} -> ${req.dst}: only same-pod and same-node bridged paths are modelled so far`);
}
