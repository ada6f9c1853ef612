// Pipeline benchmarks: packets per second through the whole forwarding pipeline (every
// stage, the kernels and the JS between them), on both backends, on a synthetic
// 5,000-node cluster (quick: 500). Cases:
//  - pipeline-established: pod -> ClusterIP across nodes, connections already in
//    conntrack on both nodes (the steady state of a busy Service);
//  - pipeline-new: every packet opens a new connection (kube-proxy choice, ctInsert on
//    two nodes);
//  - pod-pod-cross-node: established pod -> pod over VXLAN;
//  - egress: established pod -> internet (masquerade + gateway 1:1 NAT).
// Each timed vector writes its 256 packets into the slots (as a NIC ring would; a
// column at a time, placeFlows) and runs the pipeline to completion, so ops/s counts
// packets end to end.
import { performance } from 'node:perf_hooks';
import type { BenchResult } from './BenchResult.js';
import { BACKENDS, createDatapath, VEC_MAX, type Backend } from '../engine/datapath/index.js';
import { formatIp } from '../engine/net/index.js';
import { initialClusterState, type ClusterState, type Pod } from '../src/cluster/index.js';
import { ForwardingContext, newStageCounters, placeFlows, runPipeline, sourceOf, resolveTarget, TCP } from '../src/packet/index.js';
import { INTERNET_HOST } from '../src/network/index.js';

/** A cluster of `nodes` nodes: a client pod on node 0, three nginx endpoints on nodes 1-3, one ClusterIP Service. */
export function syntheticCluster(nodes: number): ClusterState {
  const s = initialClusterState();
  s.config = {
    name: 'bench', cni: 'flannel-vxlan', kubeProxy: 'iptables', podCidr: '10.128.0.0/9', nodeCidrMaskSize: 24, serviceCidr: '10.96.0.0/12',
    nodeNetwork: '172.16.0.0/12', publicNetwork: '198.18.0.0/15', loadBalancerPool: '203.0.113.0/24', clusterDomain: 'cluster.local', maxPodsPerNode: 110,
  };
  for (let i = 0; i < nodes; i++) {
    const name = `node-${i}`;
    s.nodes.set(name, {
      name, role: 'worker', labels: {}, taints: [], podCidr: `10.${128 + (i >>> 8)}.${i & 255}.0/24`, ip: formatIp((0xac100000 + i + 2) >>> 0),
      publicIp: formatIp((0xc6120000 + i + 2) >>> 0), ready: true, unschedulable: false, index: i, joinedAt: 0,
    });
  }
  const pod = (name: string, node: number, labels: Record<string, string>): Pod => ({
    namespace: 'default', name, labels, containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
    phase: 'Running', node: `node-${node}`, ip: `10.${128 + (node >>> 8)}.${node & 255}.2`, createdAt: 0, startedAt: 0,
  });
  const pods = [pod('client', 0, { app: 'client' }), pod('nginx-1', 1, { app: 'nginx' }), pod('nginx-2', 2, { app: 'nginx' }), pod('nginx-3', 3, { app: 'nginx' })];
  for (const p of pods) { s.pods.set(`default/${p.name}`, p); s.podIps.set(p.ip!, `default/${p.name}`); }
  s.namespaces.add('default');
  s.services.set('default/nginx', {
    namespace: 'default', name: 'nginx', type: 'ClusterIP', selector: { app: 'nginx' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }],
    clusterIP: '10.96.0.2', externalTrafficPolicy: 'Cluster', sessionAffinity: 'None', createdAt: 0,
  });
  s.endpoints.set('default/nginx', {
    namespace: 'default', name: 'nginx',
    endpoints: pods.slice(1).map((p) => ({ ip: p.ip!, pod: p.name, node: p.node!, ports: [{ name: '', port: 80, protocol: 'TCP' as const }] })),
  });
  return s;
}

interface Case { name: string; to: string; fresh: boolean }

export const CASES: Case[] = [
  { name: 'pipeline-established', to: 'svc', fresh: false },
  { name: 'pipeline-new', to: 'svc', fresh: true },
  { name: 'pod-pod-cross-node', to: 'pod/nginx-1', fresh: false },
  { name: 'egress', to: 'internet', fresh: false },
];

function destination(to: string): number {
  if (to === 'svc') return 0x0a600002; // 10.96.0.2
  if (to === 'internet') return INTERNET_HOST;
  return 0x0a800102; // nginx-1 on node 1: 10.128.1.2
}

/** Time one case on one backend; returns packets/s and per-packet mean and p99 (per-vector times / VEC_MAX). */
function runCase(state: ClusterState, backend: Backend, c: Case, timeMs: number): { pps: number; mean: number; p99: number; samples: number } {
  const dp = createDatapath(backend);
  const ctx = ForwardingContext.of(dp, state);
  const src = sourceOf(ctx, resolveTarget(ctx.net, 'pod/client', 'source'));
  const dst = destination(c.to);
  const counters = newStageCounters();
  let port = 1024;
  const vector = (flags: number) => {
    const port0 = c.fresh ? port : 1024;
    placeFlows(ctx, VEC_MAX, src, dst, 80, 6, (i) => port0 + i, () => flags); // packet i from port + i
    if (c.fresh) port += VEC_MAX;
    if (port > 65000) { port = 1024; dp.ctFlush(); }
    runPipeline(ctx, VEC_MAX, counters);
  };
  vector(TCP.SYN); // opens the 256 connections the established cases reuse
  for (let w = 0; w < 20; w++) vector(c.fresh ? TCP.SYN : TCP.ACK);
  const times: number[] = [];
  const end = performance.now() + timeMs;
  while (performance.now() < end) {
    const t0 = performance.now();
    for (let k = 0; k < 8; k++) vector(c.fresh ? TCP.SYN : TCP.ACK);
    times.push((performance.now() - t0) / 8);
  }
  if (ctx.counters.dropped > 0 && !c.fresh) throw new Error(`bench ${c.name}: ${ctx.counters.dropped} packets dropped`);
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { pps: (VEC_MAX * 1000) / mean, mean: (mean * 1e6) / VEC_MAX, p99: ((times[Math.floor(times.length * 0.99)] ?? mean) * 1e6) / VEC_MAX, samples: times.length * 8 };
}

/** The pipeline suite: every case (or those `only` names) on both backends, wasm rows with ratioToTs. */
export async function pipelineSuite(opts: { quick: boolean; nodes?: number; timeMs?: number; only?: readonly string[] }): Promise<BenchResult[]> {
  const nodes = opts.nodes ?? (opts.quick ? 500 : 5000);
  const timeMs = opts.timeMs ?? (opts.quick ? 300 : 1500);
  const state = syntheticCluster(nodes);
  const out: BenchResult[] = [];
  for (const c of CASES) {
    if (opts.only && !opts.only.includes(c.name)) continue;
    const rows = new Map<Backend, BenchResult>();
    for (const b of BACKENDS) {
      const r = runCase(state, b, c, timeMs);
      rows.set(b, { suite: 'pipeline', name: c.name, backend: b, opsPerSec: r.pps, meanNs: r.mean, p99Ns: r.p99, samples: r.samples, unit: 'packets', note: `${nodes} nodes, vectors of ${VEC_MAX}` });
      await Promise.resolve();
    }
    const w = rows.get('wasm')!, t = rows.get('ts')!;
    w.ratioToTs = w.opsPerSec / t.opsPerSec;
    out.push(w, t);
  }
  return out;
}
