// The nat table kube-proxy (and the CNI's masquerade rules, cniNatRules.ts) program on
// a node, printed as `iptables-save -t nat` prints it (chain rules as pkg/proxy/iptables/proxier.go writes them). The rules are
// the same on every node except the KUBE-SVL (local endpoints) chains of Services with
// externalTrafficPolicy Local. In ipvs mode the nat table keeps only the ipset-based
// jumps, and the virtual servers follow as `ipvsadm -Ln` would list them.
import { formatIp } from '../../engine/net/index.js';
import type { ClusterNetwork } from './ClusterNetwork.js';
import { cniNatRules } from './cniNatRules.js';
import { chainHash, type ServicePortEntry, type ServiceTable } from './ServiceTable.js';

/** `--probability` as iptables-save prints it: the statistic match keeps p * 2^31 as an integer. */
export function iptablesProbability(p: number): string {
  return (Math.round(p * 0x80000000) / 0x80000000).toFixed(11);
}

const HEAD = [
  ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
];
const BASE_RULES = [
  '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
  '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
  '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
  '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
  '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
];

/** The entry's own protocol as iptables names it (not the Service's first port's: kube-dns mixes UDP and TCP). */
function protoName(e: ServicePortEntry): string {
  return e.proto === 17 ? 'udp' : e.proto === 132 ? 'sctp' : 'tcp';
}

function svcRules(e: ServicePortEntry, podCidr: string, node: string, out: { chains: Set<string>; rules: string[]; nodePorts: string[] }): void {
  const p = protoName(e);
  const name = e.portName;
  if (e.endpoints.length === 0) return; // rejected in the filter table (KUBE-SERVICES REJECT), nothing in nat
  out.chains.add(e.chain);
  out.rules.push(`-A KUBE-SERVICES -d ${formatIp(e.clusterIp)}/32 -p ${p} -m comment --comment "${name} cluster IP" -m ${p} --dport ${e.port} -j ${e.chain}`);
  if (e.lbIp !== undefined) out.rules.push(`-A KUBE-SERVICES -d ${formatIp(e.lbIp)}/32 -p ${p} -m comment --comment "${name} loadbalancer IP" -m ${p} --dport ${e.port} -j ${e.extChain}`);
  out.rules.push(`-A ${e.chain} ! -s ${podCidr} -d ${formatIp(e.clusterIp)}/32 -p ${p} -m comment --comment "${name} cluster IP" -m ${p} --dport ${e.port} -j KUBE-MARK-MASQ`);
  sepJumps(e.chain, e.endpoints, name, e.affinity, out.rules);
  for (const ep of e.endpoints) {
    out.chains.add(ep.chain);
    const to = `${formatIp(ep.ip)}:${ep.port}`;
    out.rules.push(`-A ${ep.chain} -s ${formatIp(ep.ip)}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`);
    out.rules.push(`-A ${ep.chain} -p ${p} -m comment --comment "${name}"${e.affinity ? ` -m recent --set --name ${ep.chain} --mask 255.255.255.255 --rsource` : ''} -m ${p} -j DNAT --to-destination ${to}`);
  }
  if (e.nodePort === undefined && e.lbIp === undefined) return;
  out.chains.add(e.extChain);
  if (e.nodePort !== undefined) out.nodePorts.push(`-A KUBE-NODEPORTS -p ${p} -m comment --comment "${name}" -m ${p} --dport ${e.nodePort} -j ${e.extChain}`);
  if (!e.localOnly) {
    out.rules.push(`-A ${e.extChain} -m comment --comment "masquerade traffic for ${name} external destinations" -j KUBE-MARK-MASQ`, `-A ${e.extChain} -j ${e.chain}`);
    return;
  }
  const svl = `KUBE-SVL-${chainHash(name, p)}`;
  const local = e.endpoints.filter((x) => x.node === node);
  out.rules.push(`-A ${e.extChain} -m comment --comment "pod traffic for ${name} external destinations" -s ${podCidr} -j ${e.chain}`);
  if (local.length === 0) { out.rules.push(`-A ${e.extChain} -m comment --comment "${name} has no local endpoints" -j KUBE-MARK-DROP`); return; }
  out.chains.add(svl);
  out.rules.push(`-A ${e.extChain} -j ${svl}`);
  sepJumps(svl, local, name, e.affinity, out.rules);
}

function sepJumps(chain: string, eps: ServicePortEntry['endpoints'], name: string, affinity: boolean, rules: string[]): void {
  if (affinity) for (const ep of eps) rules.push(`-A ${chain} -m comment --comment "${name} -> ${formatIp(ep.ip)}:${ep.port}" -m recent --name ${ep.chain} --mask 255.255.255.255 --rsource --rcheck --seconds 10800 --reap -j ${ep.chain}`);
  eps.forEach((ep, i) => {
    const stat = i < eps.length - 1 ? ` -m statistic --mode random --probability ${iptablesProbability(1 / (eps.length - i))}` : '';
    rules.push(`-A ${chain} -m comment --comment "${name} -> ${formatIp(ep.ip)}:${ep.port}"${stat} -j ${ep.chain}`);
  });
}

/** The nat table of `node` as `iptables-save -t nat` prints it. */
export function iptablesSave(net: ClusterNetwork, services: ServiceTable, node: string): string {
  const podCidr = net.state.config!.podCidr;
  if (net.state.config!.kubeProxy === 'ipvs') return ipvsSave(services);
  const out = { chains: new Set<string>(), rules: [] as string[], nodePorts: [] as string[] };
  for (const e of services.ports) svcRules(e, podCidr, node, out);
  const cni = cniNatRules(net, node);
  const chains = [...cni.chains, 'KUBE-MARK-DROP', 'KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES', ...[...out.chains].sort()];
  return [
    `# Generated by iptables-save v1.8.9 on ${node}`, '*nat', ...HEAD, ...chains.map((c) => `:${c} - [0:0]`),
    ...BASE_RULES, ...cni.rules, '-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000', ...out.nodePorts, ...out.rules,
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    'COMMIT', `# Completed on ${node}`,
  ].join('\n');
}

function ipvsSave(services: ServiceTable): string {
  const lines = [
    '*nat', ...HEAD, ':KUBE-MARK-MASQ - [0:0]', ':KUBE-NODE-PORT - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-SERVICES - [0:0]', ...BASE_RULES,
    '-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ',
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
    '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT', 'COMMIT', '# ipvsadm -Ln',
    'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const e of services.ports) {
    lines.push(`${protoName(e).toUpperCase()} ${formatIp(e.clusterIp)}:${e.port} rr${e.affinity ? ' persistent 10800' : ''}`);
    for (const ep of e.endpoints) lines.push(`  -> ${`${formatIp(ep.ip)}:${ep.port}`.padEnd(28)} Masq    1      0          0`);
  }
  return lines.join('\n');
}
