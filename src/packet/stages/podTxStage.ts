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

/** Run on packets 0..n-1 sent by a local pod (Phase.FROM_POD): next hop and MACs. */
export function podTxStage(ctx: ForwardingContext, n: number): void {
  const v = ctx.dp.vec, m = ctx.meta;
  const drop = v.drop, phase = m.phase, loc = m.loc, srcIp = v.srcIp, dstIp = v.dstIp;
  for (let i = 0; i < n; i++) {
    if (drop[i] !== 0 || phase[i] !== Phase.FROM_POD) continue;
    const node = loc[i]!;
    if (!ctx.nodeReady[node]) { ctx.rec?.step({ point: 'pod-eth0', action: 'drop', detail: `${ctx.nodes[node]!.node.name} is NotReady` }); ctx.drop(i, NODE_DOWN); continue; }
    const src = srcIp[i]!, dst = dstIp[i]!;
    v.srcMacHi[i] = POD_MAC_HI; v.srcMacLo[i] = src; // macFromIp(src)
    let onLink = false;
    if (!ctx.hasBridge[node]) { v.dstMacHi[i] = CALICO_HOST_MAC.hi; v.dstMacLo[i] = CALICO_HOST_MAC.lo; }
    else {
      const brIp = ctx.bridgeIp[node]!;
      onLink = ((dst & ctx.cidrMask[node]!) >>> 0) === ctx.cidrBase[node] && dst !== brIp;
      if (onLink) { v.dstMacHi[i] = POD_MAC_HI; v.dstMacLo[i] = dst; } // macFromIp(dst)
      else { v.dstMacHi[i] = ctx.bridgeMacHi[node]!; v.dstMacLo[i] = ctx.bridgeMacLo[node]!; }
      if (onLink && ctx.podNode.get(dst) !== node) {
        ctx.rec?.step({ point: 'arp', dev: 'eth0', action: 'fail', detail: `who-has ${formatIp(dst)}: no answer on ${ctx.nodes[node]!.bridge!.name}` });
        ctx.drop(i, ARP_FAILED); continue;
      }
    }
    if (ctx.rec) traceRoute(ctx, i, onLink, node);
  }
}
