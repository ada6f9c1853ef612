// Turning a trace destination into an address and port, the way the sender would:
// a Service by its ClusterIP from inside, by its LoadBalancer IP or a node's public
// NodePort from the internet; a DNS name by asking the cluster DNS first (a UDP/53
// leg to kube-dns through the pipeline); an http:// URL through the ingress
// controller (a leg to the controller, its rule match, then a leg to the Service).
import type { DropReason } from '../../engine/datapath/index.js';
import { formatIp, parseIp } from '../../engine/net/index.js';
import type { Service } from '../cluster/index.js';
import { DnsRecords, INGRESS_CONTROLLER_LABEL, KUBE_DNS, matchIngress, type IngressMatch, type PodNet } from '../network/index.js';
import type { ForwardingContext } from './ForwardingContext.js';
import { CLOUD, Phase, Verdict } from './PacketMeta.js';
import type { PacketSource } from './placePacket.js';
import type { Target } from './resolveTarget.js';
import { runLeg } from './tracePacket.js';

/** The last leg to walk, or the drop that ended the trace before it. */
export type Destination = { src: PacketSource; ip: number; port: number } | { dropped: DropReason };

/** The address of a Service as `src` reaches it for --port `port`. */
function serviceAddress(ctx: ForwardingContext, src: PacketSource, svc: Service, port: number): { ip: number; port: number } {
  const sp = svc.ports.find((p) => p.port === port) ?? svc.ports[0];
  const p = sp?.port ?? port;
  if (src.loc !== CLOUD || svc.clusterIP === 'None') return { ip: svc.clusterIP === 'None' ? 0 : parseIp(svc.clusterIP), port: p };
  if (svc.loadBalancerIP) return { ip: parseIp(svc.loadBalancerIP), port: p };
  if (sp?.nodePort !== undefined) {
    const n = [...ctx.net.state.nodes.values()].find((x) => x.role !== 'control-plane' && x.ready) ?? [...ctx.net.state.nodes.values()][0]!;
    return { ip: parseIp(n.publicIp), port: sp.nodePort };
  }
  return { ip: parseIp(svc.clusterIP), port: p };
}

/** Resolve dst for the last leg, walking DNS and ingress legs first. */
export function resolveDestination(ctx: ForwardingContext, src: PacketSource, t: Target, port: number, proto: number): Destination {
  switch (t.kind) {
    case 'pod': return { src, ip: t.pod.ip, port };
    case 'node': return { src, ip: src.loc === CLOUD ? ctx.cloud.publicIp[t.node.node.index]! : t.node.ip, port };
    case 'service': return headless(ctx, src, t.service, port) ?? { src, ...serviceAddress(ctx, src, t.service, port) };
    case 'ip': case 'internet': return { src, ip: t.ip, port };
    case 'dns': return resolveDns(ctx, src, t.name, port);
    case 'http': return viaIngress(ctx, src, t.host, t.path);
  }
}

function headless(ctx: ForwardingContext, src: PacketSource, svc: Service, port: number): Destination | undefined {
  if (svc.clusterIP !== 'None') return undefined;
  const ep = ctx.net.state.endpoints.get(`${svc.namespace}/${svc.name}`)?.endpoints[0];
  ctx.rec!.enter('cluster', 'dns');
  ctx.rec!.step({ point: 'dns', action: 'headless', detail: `${svc.namespace}/${svc.name} is headless: clients connect to its pods' IPs${ep ? `; first: ${ep.ip} (${ep.pod})` : ', and it has none'}` });
  return ep ? { src, ip: parseIp(ep.ip), port } : { dropped: 'NO_ENDPOINTS' };
}

/** A DNS leg to kube-dns (or a note when the cluster has no DNS Service), then the answer. */
function resolveDns(ctx: ForwardingContext, src: PacketSource, name: string, port: number): Destination {
  const dns = new DnsRecords(ctx.net.state);
  const kubeDns = ctx.net.state.services.get(KUBE_DNS);
  if (kubeDns && kubeDns.clusterIP !== 'None') {
    const o = runLeg(ctx, src, parseIp(kubeDns.clusterIP), 53, 17, 0);
    if (o.verdict === Verdict.DROPPED) return { dropped: o.reason! };
  }
  const a = dns.resolve(name, src.namespace);
  ctx.rec!.enter('cluster', 'dns');
  const how = kubeDns ? `answered by ${KUBE_DNS} (${kubeDns.clusterIP})` : `no ${KUBE_DNS} Service in the cluster: resolved from cluster state directly`;
  if (!a || a.ips.length === 0) {
    ctx.rec!.step({ point: 'dns', action: 'nxdomain', detail: `${name}: tried ${dns.candidates(name, src.namespace).join(', ')}; ${how}` });
    return { dropped: 'NXDOMAIN' };
  }
  ctx.rec!.step({ point: 'dns', action: 'answer', match: `${a.fqdn} A ${a.ips.map(formatIp).join(', ')} (${a.kind}${a.service ? ` ${a.service}` : ''})`, detail: how });
  return { src, ip: a.ips[0]!, port };
}

/** The ingress controller pod, if the cluster runs one. */
function controllerPod(ctx: ForwardingContext): PodNet | undefined {
  for (const p of ctx.net.state.pods.values()) {
    if (p.labels[INGRESS_CONTROLLER_LABEL.key] === INGRESS_CONTROLLER_LABEL.value || p.name.startsWith('ingress-nginx-controller')) {
      const pn = ctx.net.pod(p.namespace, p.name);
      if (pn && ctx.net.state.nodes.get(pn.node)?.ready) return pn;
    }
  }
  return undefined;
}

/** Leg 1 to the controller, the rule match, and the controller's own source for leg 2. */
function viaIngress(ctx: ForwardingContext, src: PacketSource, host: string, path: string): Destination {
  const pod = controllerPod(ctx);
  let ctl: PacketSource;
  if (pod) {
    const svc = [...ctx.net.state.services.values()].find((s) => s.namespace === pod.pod.namespace && s.selector && Object.entries(s.selector).every(([k, v]) => pod.pod.labels[k] === v));
    const to = svc && src.loc === CLOUD ? serviceAddress(ctx, src, svc, 80) : { ip: pod.ip, port: 80 };
    const o = runLeg(ctx, src, to.ip, to.port, 6, 0x02);
    if (o.verdict === Verdict.DROPPED) return { dropped: o.reason! };
    const idx = ctx.net.node(pod.node)!.node.index;
    ctl = pod.pod.hostNetwork ? { loc: idx, phase: Phase.FROM_HOST, ip: ctx.nodeIp[idx]!, inPort: 0, namespace: pod.pod.namespace, label: `pod/${pod.key}` }
      : { loc: idx, phase: Phase.FROM_POD, ip: pod.ip, inPort: pod.bridgePort, namespace: pod.pod.namespace, label: `pod/${pod.key}` };
  } else {
    const n = [...ctx.net.state.nodes.values()].find((x) => x.role !== 'control-plane' && x.ready) ?? [...ctx.net.state.nodes.values()].find((x) => x.ready);
    if (!n) return { dropped: 'NODE_DOWN' };
    const o = runLeg(ctx, src, src.loc === CLOUD ? parseIp(n.publicIp) : parseIp(n.ip), 80, 6, 0x02);
    if (o.verdict === Verdict.DROPPED) return { dropped: o.reason! };
    ctl = { loc: n.index, phase: Phase.FROM_HOST, ip: parseIp(n.ip), inPort: 0, namespace: 'ingress-nginx', label: `ingress-nginx on node/${n.name}` };
  }
  return ingressRule(ctx, ctl, host, path, pod === undefined);
}

function ingressRule(ctx: ForwardingContext, ctl: PacketSource, host: string, path: string, modelled: boolean): Destination {
  const m: IngressMatch = matchIngress(ctx.net.state, host, path);
  const where = modelled ? `ingress-nginx (modelled: no ingress controller pod in the cluster, so podnet runs one hostNetwork on ${ctx.nodeName(ctl.loc)}:80, as a NodePort/hostPort entry would)` : `ingress controller ${ctl.label}`;
  ctx.rec!.enter(ctx.nodeName(ctl.loc), modelled ? 'ingress-nginx' : ctl.label.replace('/', ' '));
  if (m.kind === 'not-found') {
    ctx.rec!.step({ point: 'ingress', action: 'not-found', detail: `${where}: no Ingress rule for http://${host}${path} and no defaultBackend: 404 from the controller's default backend` });
    return { dropped: 'NO_INGRESS_RULE' };
  }
  const svc = ctx.net.state.services.get(m.service);
  const sp = svc?.ports.find((p) => p.port === m.port || p.name === m.port) ?? svc?.ports[0];
  const rule = m.kind === 'rule' ? `Ingress ${m.ingress.namespace}/${m.ingress.name} host ${m.host} path ${m.path.path} (${m.path.pathType})` : `Ingress ${m.ingress.namespace}/${m.ingress.name} defaultBackend`;
  if (!svc || !sp || svc.clusterIP === 'None') {
    ctx.rec!.step({ point: 'ingress', action: 'no-service', match: rule, detail: `${where}: Service ${m.service} port ${m.port} does not exist: 503` });
    return { dropped: 'NO_ENDPOINTS' };
  }
  ctx.rec!.step({ point: 'ingress', action: 'proxy', match: `${rule} -> service ${m.service}:${sp.port}`, detail: `${where} opens a new connection to the Service (service-upstream)` });
  return { src: ctl, ip: parseIp(svc.clusterIP), port: sp.port };
}
