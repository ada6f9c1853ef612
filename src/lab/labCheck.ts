// `lab check`: real connections in the lab's namespaces next to podnet's traces of the
// same packets. For each probe the kernel's answer (delivered or not, which pod
// answered, the next hop `ip route get` gives, the DNAT conntrack shows, the MACs the
// bridge learned) is compared with the trace. Any difference is a disagreement.
import { createDatapath } from '../../engine/datapath/index.js';
import { formatIp, formatMac, macFromIp, parseIp } from '../../engine/net/index.js';
import type { ClusterState } from '../cluster/index.js';
import { INTERNET_HOST } from '../network/index.js';
import { tracePacket, type Trace } from '../packet/index.js';
import { tryRun } from './LabHost.js';
import { INTERNET_NS } from './labNames.js';
import type { LabPod } from './labPlan.js';
import type { LabState } from './labState.js';
import { probeAgentPath } from './labUpDown.js';

export type ProbeKind = 'pod-pod same node' | 'pod-pod across nodes' | 'pod-service' | 'egress' | 'nodeport' | 'loadbalancer';

/** One probe: who sends to what, and what a correct answer may be. */
export interface Probe {
  kind: ProbeKind;
  src: LabPod | 'internet';
  dstIp: string;
  port: number;
  /** What `podnet trace` is given as destination. */
  traceDst: string;
  /** Pods allowed to answer (a Service's endpoints), when more than one may. */
  anyOf?: string[];
}

/** One row of the agreement table. */
export interface ProbeResult {
  probe: Probe;
  kernel: string;
  podnet: string;
  checks: { what: string; kernel: string; podnet: string; agree: boolean }[];
  agree: boolean;
}

/** A deterministic PRNG (mulberry32) so the same lab samples the same probes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Candidate probes of every kind the cluster has, then a round-robin sample of `count`. */
export function planProbes(state: ClusterState, lab: LabState, count: number): Probe[] {
  const byKind = new Map<ProbeKind, Probe[]>();
  const add = (p: Probe) => { if (!byKind.has(p.kind)) byKind.set(p.kind, []); byKind.get(p.kind)!.push(p); };
  for (const a of lab.pods) for (const b of lab.pods) {
    if (a.key === b.key) continue;
    add({ kind: a.node === b.node ? 'pod-pod same node' : 'pod-pod across nodes', src: a, dstIp: b.ip, port: 80, traceDst: b.ip });
  }
  for (const svc of state.services.values()) {
    const ep = state.endpoints.get(`${svc.namespace}/${svc.name}`);
    const tcp = svc.ports.find((p) => p.protocol === 'TCP');
    if (!ep?.endpoints.length || !tcp || svc.clusterIP === 'None') continue;
    const anyOf = ep.endpoints.map((e) => `${svc.namespace}/${e.pod}`);
    for (const a of lab.pods) add({ kind: 'pod-service', src: a, dstIp: svc.clusterIP, port: tcp.port, traceDst: svc.clusterIP, anyOf });
    if (tcp.nodePort) for (const n of state.nodes.values()) {
      if (n.role !== 'control-plane') add({ kind: 'nodeport', src: 'internet', dstIp: n.publicIp, port: tcp.nodePort, traceDst: n.publicIp, anyOf });
    }
    if (svc.loadBalancerIP) add({ kind: 'loadbalancer', src: 'internet', dstIp: svc.loadBalancerIP, port: tcp.port, traceDst: svc.loadBalancerIP, anyOf });
  }
  for (const a of lab.pods) add({ kind: 'egress', src: a, dstIp: formatIp(INTERNET_HOST), port: 80, traceDst: 'internet' });
  const next = rng(state.seq + 1);
  for (const list of byKind.values()) for (let i = list.length - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); [list[i], list[j]] = [list[j]!, list[i]!]; }
  const out: Probe[] = [];
  const lists = [...byKind.values()];
  for (let round = 0; out.length < count && lists.some((l) => l.length > round); round++) {
    for (const l of lists) if (l[round] && out.length < count) out.push(l[round]!);
  }
  return out;
}

function kernelConnect(p: Probe): { ok: boolean; reply?: string; error?: string } {
  const ns = p.src === 'internet' ? INTERNET_NS : p.src.ns;
  const out = tryRun(['ip', 'netns', 'exec', ns, process.execPath, probeAgentPath(), 'connect', 'tcp', p.dstIp, String(p.port), '1500']);
  try { return JSON.parse(out ?? '') as { ok: boolean; reply?: string }; } catch { return { ok: false, error: 'probe agent failed' }; }
}

/** `ip route get` on the sending pod's node, as the packet arrives from its veth. */
function kernelNextHop(p: Probe): string | undefined {
  if (p.src === 'internet') return undefined;
  const out = tryRun(['ip', 'netns', 'exec', p.src.nodeNs, 'ip', 'route', 'get', p.dstIp, 'from', p.src.ip, 'iif', p.src.hostIf]);
  const m = /(?:via (\S+) )?dev (\S+)/.exec(out ?? '');
  return m ? `${m[1] ? `via ${m[1]} ` : ''}dev ${m[2]}` : undefined;
}

/** The first route lookup on the sender's node in a trace, as `via X dev Y`. */
function traceNextHop(t: Trace): string | undefined {
  const step = t.hops.flatMap((h) => h.steps).find((s) => s.point === 'route');
  const m = /(?:via (\S+) )?dev (\S+)/.exec(step?.match ?? '');
  return m ? `${m[1] ? `via ${m[1]} ` : ''}dev ${m[2]}` : undefined;
}

function answered(reply: string | undefined): string {
  return reply === 'internet' ? `internet ${formatIp(INTERNET_HOST)}` : `pod ${reply}`;
}

/** Run one probe on both sides and compare. */
export function runProbe(state: ClusterState, lab: LabState, p: Probe): ProbeResult {
  const k = kernelConnect(p);
  const src = p.src === 'internet' ? 'internet' : `pod/${p.src.key}`;
  let t: Trace | undefined;
  let traceError: string | undefined;
  try { t = tracePacket(state, createDatapath('wasm'), { src, dst: p.traceDst, port: p.port, proto: 'tcp' }); } catch (e) { traceError = (e as Error).message; }
  const kernel = k.ok ? `DELIVERED to ${answered(k.reply)}` : `not delivered (${k.error})`;
  const podnet = traceError ? `error: ${traceError}` : t!.disposition === 'DELIVERED' ? `DELIVERED to ${t!.deliveredTo}` : `DROPPED ${t!.reason}`;
  const checks: ProbeResult['checks'] = [];
  const delivered = k.ok && t?.disposition === 'DELIVERED';
  checks.push({ what: 'delivered', kernel: String(k.ok), podnet: String(t?.disposition === 'DELIVERED'), agree: k.ok === (t?.disposition === 'DELIVERED') });
  if (delivered) {
    const kPod = answered(k.reply);
    const ok = p.anyOf ? p.anyOf.map((x) => `pod ${x}`).includes(kPod) && p.anyOf.map((x) => `pod ${x}`).includes(t!.deliveredTo ?? '') : kPod === t!.deliveredTo;
    checks.push({ what: p.anyOf ? 'answered by an endpoint' : 'answered by', kernel: kPod, podnet: t!.deliveredTo ?? '', agree: ok });
  }
  if (p.kind === 'pod-pod across nodes' || (p.kind === 'pod-pod same node' && state.config!.cni === 'calico')) {
    const kh = kernelNextHop(p);
    const th = t ? traceNextHop(t) : undefined;
    checks.push({ what: 'next hop', kernel: kh ?? '?', podnet: th ?? '?', agree: !!kh && kh === th });
  }
  if (p.kind === 'pod-pod same node' && state.config!.cni !== 'calico' && delivered && p.src !== 'internet') {
    const fdb = tryRun(['ip', 'netns', 'exec', p.src.nodeNs, 'bridge', 'fdb', 'show', 'br', 'cni0']) ?? '';
    const mac = formatMac(macFromIp(parseIp(p.src.ip)));
    const learned = new RegExp(`^${mac} dev (\\S+) master cni0`, 'm').exec(fdb)?.[1];
    checks.push({ what: 'bridge learned src MAC on', kernel: learned ?? 'nothing', podnet: p.src.hostIf, agree: learned === p.src.hostIf });
  }
  return { probe: p, kernel, podnet, checks, agree: checks.every((c) => c.agree) };
}

/** Run `count` probes; the network view must be the state the lab was built from. */
export function labCheck(state: ClusterState, lab: LabState, count: number): ProbeResult[] {
  return planProbes(state, lab, count).map((p) => runProbe(state, lab, p));
}
