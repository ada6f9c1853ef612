// A node's tables in the Linux tools' own formats: `ip route`, `bridge fdb show`,
// `conntrack -L`. Static tables come from the cluster state; the FDB and conntrack
// from the traffic replayed through the datapath (flowLog.replayTraffic).
import type { ConntrackEntry, FdbEntry } from '../../engine/datapath/index.js';
import { formatIp, formatMac, macFromId } from '../../engine/net/index.js';
import { formatRoute, type NodeNet } from '../network/index.js';
import type { ForwardingContext } from './ForwardingContext.js';
import { ctStateName } from './stages/conntrackStage.js';
import { protoName } from './formatPacket.js';

/** `ip route` of a node: lines and the routes behind them. */
export function routeDump(ctx: ForwardingContext, nn: NodeNet): { text: string; routes: { dst: string; line: string; kind: string }[] } {
  const routes = ctx.routes.tableOf(nn).map((r) => ({ dst: r.len === 0 ? 'default' : `${formatIp(r.prefix)}/${r.len}`, kind: r.kind, line: formatRoute(ctx.net, nn, r) }));
  return { text: routes.map((r) => r.line).join('\n'), routes };
}

/** flannel.1's MAC on a node (flanneld publishes it in the node's annotations). */
function vtepMac(index: number) {
  return macFromId(0x0e42, index + 1);
}

/** `bridge fdb show` of a node: learned entries of cni0, its own permanent entry, flannel.1's VTEP entries. */
export function fdbDump(ctx: ForwardingContext, nn: NodeNet, learned: FdbEntry[], nowMs: number): { text: string; entries: { mac: string; dev: string; flags: string; dst?: string; ageSec?: number }[] } {
  const out: { mac: string; dev: string; flags: string; dst?: string; ageSec?: number }[] = [];
  if (nn.bridge) {
    const br = nn.bridge;
    for (const e of learned.filter((x) => x.bridge === br.id).sort((a, b) => a.port - b.port)) {
      out.push({ mac: formatMac({ hi: e.macHi, lo: e.macLo }), dev: ctx.portName(nn.node.index, e.port), flags: `master ${br.name}`, ageSec: Math.round((nowMs - e.seenMs) / 1000) });
    }
    out.push({ mac: formatMac(br.mac), dev: br.name, flags: `vlan 1 master ${br.name} permanent` });
  }
  if (ctx.net.cni === 'flannel-vxlan') {
    for (const other of ctx.nodes) {
      if (!other || other.node.index === nn.node.index) continue;
      out.push({ mac: formatMac(vtepMac(other.node.index)), dev: 'flannel.1', flags: 'self permanent', dst: formatIp(other.ip) });
    }
  }
  const text = out.map((e) => `${e.mac} dev ${e.dev}${e.dst ? ` dst ${e.dst}` : ''} ${e.flags}`).join('\n');
  return { text, entries: out };
}

/** One connection as `conntrack -L` prints it. */
export function formatConntrack(e: ConntrackEntry, nowMs: number): string {
  const p = protoName(e.proto);
  const ttl = Math.max(0, Math.floor((e.expiresMs - nowMs) / 1000));
  const state = e.proto === 6 ? `${ctStateName(e.state)} ` : '';
  const unreplied = e.state === 9 ? ' [UNREPLIED]' : '';
  const assured = e.state === 3 || e.state === 10 ? ' [ASSURED]' : '';
  const orig = `src=${formatIp(e.origSrc)} dst=${formatIp(e.origDst)} sport=${e.origSport} dport=${e.origDport}`;
  const reply = `src=${formatIp(e.replySrc)} dst=${formatIp(e.replyDst)} sport=${e.replySport} dport=${e.replyDport}`;
  return `${p.padEnd(8)} ${e.proto} ${ttl} ${state}${orig}${unreplied} ${reply}${assured} mark=0 use=1`;
}
