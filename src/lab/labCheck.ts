// `lab check`: real connections in the lab's namespaces next to podnet's traces of the
// same packets. For each probe the kernel's answer (delivered or not, which pod
// answered, the next hop `ip route get` gives, the DNAT conntrack shows, the MACs the
// bridge learned) is compared with the trace. Any difference is a disagreement.
import { createDatapath } from '../../engine/datapath/index.js';
import { prng } from '../../engine/prng.js';
import { formatIp, formatMac, macFromIp, parseIp } from '../../engine/net/index.js';
import type { ClusterState } from '../cluster/index.js';
import { INTERNET_HOST } from '../network/index.js';
import { tracePacket, type Trace } from '../packet/index.js';
import { tryRun, tryRunAsync } from './LabHost.js';
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
  /** Who may answer (a Service's endpoints, named as traces name them), when more than one may. */
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

/** How a trace names whoever holds an endpoint IP: `pod NS/NAME`, or `node NAME` (API server, hostNetwork). */
function answerOf(state: ClusterState, ip: string): string {
  const key = state.podIps.get(ip);
  const pod = key ? state.pods.get(key) : undefined;
  if (pod && !pod.hostNetwork) return `pod ${key}`;
  for (const n of state.nodes.values()) if (n.ip === ip) return `node ${n.name}`;
  return `pod ${key ?? ip}`;
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
    const anyOf = ep.endpoints.map((e) => answerOf(state, e.ip));
    for (const a of lab.pods) add({ kind: 'pod-service', src: a, dstIp: svc.clusterIP, port: tcp.port, traceDst: svc.clusterIP, anyOf });
    if (tcp.nodePort) for (const n of state.nodes.values()) {
      if (n.role !== 'control-plane') add({ kind: 'nodeport', src: 'internet', dstIp: n.publicIp, port: tcp.nodePort, traceDst: n.publicIp, anyOf });
    }
    if (svc.loadBalancerIP) add({ kind: 'loadbalancer', src: 'internet', dstIp: svc.loadBalancerIP, port: tcp.port, traceDst: svc.loadBalancerIP, anyOf });
  }
  for (const a of lab.pods) add({ kind: 'egress', src: a, dstIp: formatIp(INTERNET_HOST), port: 80, traceDst: 'internet' });
  const next = prng(state.seq + 1); // the same lab samples the same probes
  for (const list of byKind.values()) for (let i = list.length - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); [list[i], list[j]] = [list[j]!, list[i]!]; }
  const out: Probe[] = [];
  const lists = [...byKind.values()];
  for (let round = 0; out.length < count && lists.some((l) => l.length > round); round++) {
    for (const l of lists) if (l[round] && out.length < count) out.push(l[round]!);
  }
  return out;
}

/**
 * How long a probe waits for an answer. Generous: under load the listener (a node
 * process) can be starved for a while, and a slow answer must not pass for a drop.
 */
const PROBE_TIMEOUT_MS = 5000;

interface KernelAnswer { ok: boolean; reply?: string; error?: string; local?: string }

async function kernelConnect(p: Probe): Promise<KernelAnswer> {
  const ns = p.src === 'internet' ? INTERNET_NS : p.src.ns;
  const out = await tryRunAsync(['ip', 'netns', 'exec', ns, process.execPath, probeAgentPath(), 'connect', 'tcp', p.dstIp, String(p.port), String(PROBE_TIMEOUT_MS)]);
  try { return JSON.parse(out ?? '') as KernelAnswer; } catch { return { ok: false, error: 'probe agent failed' }; }
}

/** The DNAT target conntrack recorded for the probe's connection on the sender's node (`conntrack -L`). */
function kernelDnat(p: Probe, k: KernelAnswer): string | undefined {
  if (p.src === 'internet' || !k.local) return undefined;
  const sport = k.local.split(':')[1]!;
  const out = tryRun(['ip', 'netns', 'exec', p.src.nodeNs, 'conntrack', '-L', '-p', 'tcp', '-s', p.src.ip, '-d', p.dstIp, '--sport', sport, '--dport', String(p.port)]) ?? '';
  // orig tuple first, then the reply tuple: its source is where the DNAT sent us.
  const m = /src=\S+ dst=\S+ sport=\d+ dport=\d+ .*?src=(\S+) dst=\S+ sport=(\d+)/.exec(out);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/** The DNAT target of kube-proxy's step in a trace. */
function traceDnat(t: Trace): string | undefined {
  const step = t.hops.flatMap((h) => h.steps).find((s) => s.point === 'kube-proxy' && s.action === 'dnat');
  const after = step?.packet?.split('=>')[1] ?? '';
  const m = /> (\d+\.\d+\.\d+\.\d+:\d+)/.exec(after);
  return m?.[1];
}

/** The IP of whoever a `pod NS/NAME` / `node NAME` answer names. */
function ipOfAnswer(state: ClusterState, answer: string): string | undefined {
  const [kind, name] = answer.split(' ');
  if (kind === 'pod') return state.pods.get(name ?? '')?.ip;
  if (kind === 'node') return state.nodes.get(name ?? '')?.ip;
  return undefined;
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

/** Run one probe on both sides and compare. */
export async function runProbe(state: ClusterState, p: Probe): Promise<ProbeResult> {
  const k = await kernelConnect(p);
  const src = p.src === 'internet' ? 'internet' : `pod/${p.src.key}`;
  let t: Trace | undefined;
  let traceError: string | undefined;
  try { t = tracePacket(state, createDatapath('wasm'), { src, dst: p.traceDst, port: p.port, proto: 'tcp' }); } catch (e) { traceError = (e as Error).message; }
  const kernel = k.ok ? `DELIVERED to ${k.reply}` : `not delivered (${k.error})`;
  const podnet = traceError ? `error: ${traceError}` : t!.disposition === 'DELIVERED' ? `DELIVERED to ${t!.deliveredTo}` : `DROPPED ${t!.reason}`;
  const checks: ProbeResult['checks'] = [];
  const delivered = k.ok && t?.disposition === 'DELIVERED';
  checks.push({ what: 'delivered', kernel: k.ok ? 'true' : `false (${k.error})`, podnet: String(t?.disposition === 'DELIVERED'), agree: k.ok === (t?.disposition === 'DELIVERED') });
  if (delivered) {
    const kPod = k.reply ?? '';
    const ok = p.anyOf ? p.anyOf.includes(kPod) && p.anyOf.includes(t!.deliveredTo ?? '') : kPod === t!.deliveredTo;
    checks.push({ what: p.anyOf ? 'answered by an endpoint' : 'answered by', kernel: kPod, podnet: t!.deliveredTo ?? '', agree: ok });
  }
  if (p.kind === 'pod-service' && delivered) {
    // Each side must have DNATed to the very endpoint that answered.
    const kd = kernelDnat(p, k);
    const td = t ? traceDnat(t) : undefined;
    const kOk = !!kd && kd.split(':')[0] === ipOfAnswer(state, k.reply ?? '');
    const tOk = !!td && td.split(':')[0] === ipOfAnswer(state, t!.deliveredTo ?? '');
    checks.push({ what: 'DNAT to the answering endpoint', kernel: kd ?? 'no conntrack entry', podnet: td ?? 'no DNAT step', agree: kOk && tOk });
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

/**
 * Probes in flight at once. Each starts a Node process in a namespace (about 0.15 s of
 * CPU before it connects), so one at a time spent most of a 60-probe check waiting on
 * start-ups; four keep both cores busy and still leave the pods' listeners room to
 * answer well inside PROBE_TIMEOUT_MS.
 */
const PROBES_IN_FLIGHT = 4;

/** Run `count` probes, results in probe order; the network view must be the state the lab was built from. */
export async function labCheck(state: ClusterState, lab: LabState, count: number): Promise<ProbeResult[]> {
  const probes = planProbes(state, lab, count);
  const results: ProbeResult[] = new Array(probes.length);
  let next = 0;
  const worker = async () => { while (next < probes.length) { const i = next++; results[i] = await runProbe(state, probes[i]!); } };
  await Promise.all(Array.from({ length: Math.min(PROBES_IN_FLIGHT, probes.length) }, worker));
  return results;
}
