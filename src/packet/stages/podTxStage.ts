// Stage: a pod sends. Inside the pod's namespace there are two routes: the node's pod
// subnet on-link (flannel's bridge plugin: `10.244.X.0/24 dev eth0 scope link`) and a
// default via the gateway (cni0's 10.244.X.1; Calico's 169.254.1.1, which no host owns
// and the cali* veth answers by proxy ARP with ee:ee:ee:ee:ee:ee). The stage picks the
// next hop and its MAC, as the pod's neighbour table would after ARP.
// Trade-off: ARP is resolved from cluster state (who holds the IP on this bridge)
// rather than by sending request frames through the bridge: the trace shows the
// exchange, and the bridge still learns every MAC from data frames.
import { ARP_FAILED, NODE_DOWN } from '../../../assembly/shared/drop.js';
import { formatIp, formatMac } from '../../../engine/net/index.js';
import { CALICO_GATEWAY, CALICO_HOST_MAC } from '../../network/index.js';
import type { ForwardingContext } from '../ForwardingContext.js';
import { formatPacket } from '../formatPacket.js';
import { Phase } from '../PacketMeta.js';
import { POD_MAC_HI } from './deliverStage.js';
import { R_LEARN_MOVED, R_TX_BRIDGED, R_TX_DROPS, R_TX_FRAMES } from '../../../engine/datapath/index.js';

function traceRoute(ctx: ForwardingContext, i: number, onLink: boolean, node: number): void {
  const rec = ctx.rec!, v = ctx.dp.vec;
  const nn = ctx.nodes[node]!;
  const pod = ctx.podsByIp.get(v.srcIp[i]!);
  rec.enter(nn.node.name, pod ? `pod ${pod.key}` : 'pod');
  const gw = nn.bridge ? nn.bridge.ip : CALICO_GATEWAY;
  rec.step({
    point: 'pod-eth0', dev: 'eth0', action: 'route', packet: formatPacket(v, i),
    match: onLink ? `${formatIp(v.dstIp[i]!)} in ${nn.node.podCidr} dev eth0 scope link (on-link: same subnet)` : `default via ${formatIp(gw)} dev eth0`,
  });
  const target = onLink ? v.dstIp[i]! : gw;
  const mac = { hi: v.dstMacHi[i]!, lo: v.dstMacLo[i]! };
  rec.step({ point: 'arp', dev: 'eth0', action: 'resolve', detail: `who-has ${formatIp(target)} tell ${formatIp(v.srcIp[i]!)}: ${formatIp(target)} is-at ${formatMac(mac)}${nn.bridge ? '' : ' (proxy ARP on the cali veth)'}` });
  rec.step({ point: 'pod-eth0', dev: 'eth0', action: 'transmit', frame: `${formatMac({ hi: v.srcMacHi[i]!, lo: v.srcMacLo[i]! })} > ${formatMac(mac)}` });
  if (!nn.bridge && pod) {
    rec.enter(nn.node.name, 'root');
    rec.step({ point: 'veth', dev: pod.hostIf, action: 'forward', detail: 'host end of the pod\'s veth: Calico routes, no bridge' });
  }
}

/**
 * What podTxStage hands the bridge stage: frames marked for a bridge, how many of them
 * are not for the bridge's own MAC; and when the fast path already learned their
 * sources (`learned` >= 0), how many MACs were new and how many moved.
 */
export interface BridgeIngress { frames: number; bridged: number; learned: number; moved: number }

/**
 * Run on packets 0..n-1 sent by a local pod (Phase.FROM_POD): next hop and MACs. In
 * the same loop, the frame of every packet still live at a bridged node is marked for
 * the bridge stage (F_TABLE = its bridge; F_IN_PORT is the pod's port from placement)
 * and every other packet gets a group source MAC (never learned), so the bridge stage
 * needs no pass of its own before learning. `out` gets the counts the bridge stage
 * reads. Without a trace, on the fast path, this and the bridge's learning are one
 * kernel call (Datapath.fastPathPodTx, same outputs).
 */
export function podTxStage(ctx: ForwardingContext, n: number, out: BridgeIngress): void {
  if (ctx.fastPath && !ctx.rec) {
    out.learned = ctx.dp.fastPathPodTx(n, ctx.now);
    const r = ctx.dp.vec.report;
    out.frames = r[R_TX_FRAMES]!; out.bridged = r[R_TX_BRIDGED]!; out.moved = r[R_LEARN_MOVED]!;
    ctx.counters.dropped += r[R_TX_DROPS]!;
    return;
  }
  const v = ctx.dp.vec;
  const drop = v.drop, phase = v.phase, loc = v.loc, srcIp = v.srcIp, dstIp = v.dstIp, table = v.table;
  const srcMacHi = v.srcMacHi, srcMacLo = v.srcMacLo, dstMacHi = v.dstMacHi, dstMacLo = v.dstMacLo;
  const nodeReady = ctx.nodeReady, hasBridge = ctx.hasBridge, bridgeIp = ctx.bridgeIp, cidrMask = ctx.cidrMask, cidrBase = ctx.cidrBase;
  const brHi = ctx.bridgeMacHi, brLo = ctx.bridgeMacLo, podNode = ctx.podNode;
  let frames = 0, bridged = 0;
  for (let i = 0; i < n; i++) {
    table[i] = 0;
    if (drop[i] !== 0 || phase[i] !== Phase.FROM_POD) { srcMacHi[i] = 0xffff; srcMacLo[i] = 0xffffffff; continue; } // a group source is never learned
    const node = loc[i]!;
    if (!nodeReady[node]) {
      ctx.rec?.step({ point: 'pod-eth0', action: 'drop', detail: `${ctx.nodes[node]!.node.name} is NotReady` }); ctx.drop(i, NODE_DOWN);
      srcMacHi[i] = 0xffff; srcMacLo[i] = 0xffffffff; continue;
    }
    const src = srcIp[i]!, dst = dstIp[i]!;
    srcMacHi[i] = POD_MAC_HI; srcMacLo[i] = src; // macFromIp(src)
    let onLink = false;
    if (!hasBridge[node]) { dstMacHi[i] = CALICO_HOST_MAC.hi; dstMacLo[i] = CALICO_HOST_MAC.lo; }
    else {
      onLink = ((dst & cidrMask[node]!) >>> 0) === cidrBase[node] && dst !== bridgeIp[node];
      if (onLink) { dstMacHi[i] = POD_MAC_HI; dstMacLo[i] = dst; } // macFromIp(dst)
      else { dstMacHi[i] = brHi[node]!; dstMacLo[i] = brLo[node]!; }
      if (onLink && podNode.get(dst) !== node) {
        ctx.rec?.step({ point: 'arp', dev: 'eth0', action: 'fail', detail: `who-has ${formatIp(dst)}: no answer on ${ctx.nodes[node]!.bridge!.name}` });
        ctx.drop(i, ARP_FAILED);
        srcMacHi[i] = 0xffff; srcMacLo[i] = 0xffffffff; continue;
      }
      table[i] = node + 1; frames++; // the bridge's FDB table id is node + 1
      if (onLink) bridged++; // any other frame is addressed to the bridge's own MAC
    }
    if (ctx.rec) traceRoute(ctx, i, onLink, node);
    if (!hasBridge[node]) { srcMacHi[i] = 0xffff; srcMacLo[i] = 0xffffffff; } // no bridge to learn it
  }
  out.frames = frames; out.bridged = bridged; out.learned = -1; out.moved = 0;
}
