// The established-flow fast path (Datapath.fastPath in the conntrack stage, its route
// and next-hop columns read by the route and forward stages) gives exactly the results
// of the separate conntrack and LPM calls: flow records, counters and traces are equal
// with ctx.fastPath on and off, for every CNI mode, both kube-proxy modes and both
// backends, on new and established flows, forward and reply.
import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath, type Backend } from '../../../engine/datapath/index.js';
import { CNI_MODES, type ClusterState } from '../../../src/cluster/index.js';
import { ForwardingContext, forwardTraffic, tracePacket, type TrafficSpec } from '../../../src/packet/index.js';
import { applyYaml } from '../../support/cluster.js';
import { seedCluster } from '../../support/flows.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const LB = `
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: nginx-app}
  ports: [{port: 80, targetPort: 80}]
`;

function cluster(cni: (typeof CNI_MODES)[number], kubeProxy: 'iptables' | 'ipvs') {
  const s = seedCluster(dir, { cni, kubeProxy });
  s.c.execute(applyYaml(LB), 20_000);
  return s;
}

function specs(clientNode: string, far: string, near: string): TrafficSpec[] {
  const t = (from: string, to: string, port = 80): TrafficSpec => ({ from, to, port, proto: 'tcp', flows: 20, packets: 3 });
  return [
    t('pod/client', 'svc/nginx'), t('pod/client', `pod/${far}`), t('pod/client', `pod/${near}`), t('pod/client', 'internet', 443),
    t('internet', 'svc/web-lb'), t(`node/${clientNode}`, 'svc/nginx'), t('pod/client', `node/${clientNode}`, 10250),
    { from: 'pod/client', to: 'svc/nginx', port: 80, proto: 'udp', flows: 5, packets: 2 },
  ];
}

function contexts(backend: Backend, state: ClusterState): [ForwardingContext, ForwardingContext] {
  const fast = ForwardingContext.of(createDatapath(backend), state);
  const slow = ForwardingContext.of(createDatapath(backend), state);
  slow.fastPath = false;
  return [fast, slow];
}

describe.each(BACKENDS)('fast path (%s)', (backend) => {
  it.each(CNI_MODES.flatMap((cni) => (['iptables', 'ipvs'] as const).map((kp) => [cni, kp] as const)))('bulk forwarding in %s / %s: the same flow records and counters with the fast path on and off, new and established', (cni, kp) => {
    const { c, clientNode, far, near } = cluster(cni, kp);
    const [fast, slow] = contexts(backend, c.state);
    for (const round of [0, 1]) {
      for (const spec of specs(clientNode, far, near)) {
        const a = forwardTraffic(fast, spec, round), b = forwardTraffic(slow, spec, round);
        expect(a).toEqual(b);
        if (round === 1 && spec.from === 'pod/client' && spec.to === 'svc/nginx' && spec.proto === 'tcp') expect(a.counters.conntrack.hits).toBeGreaterThanOrEqual(spec.flows * spec.packets);
      }
    }
    expect(fast.counters).toEqual(slow.counters);
    expect(fast.dp.ctEntries()).toEqual(slow.dp.ctEntries());
  });

  it.each(CNI_MODES)('traces in %s: identical steps with the fast path on and off, replies and repeated (established) traces included', (cni) => {
    const { c, far, near } = cluster(cni, 'iptables');
    const fastDp = createDatapath(backend), slowDp = createDatapath(backend);
    ForwardingContext.of(slowDp, c.state).fastPath = false;
    for (const dst of ['svc/nginx', `pod/${far}`, `pod/${near}`, 'internet']) {
      for (let k = 0; k < 2; k++) {
        const req = { src: 'pod/client', dst, port: 80, proto: 'tcp' as const, reply: true };
        expect(tracePacket(c.state, fastDp, req)).toEqual(tracePacket(c.state, slowDp, req));
      }
    }
    const lb = { src: 'internet', dst: 'svc/web-lb', port: 80, proto: 'tcp' as const, reply: true };
    expect(tracePacket(c.state, fastDp, lb)).toEqual(tracePacket(c.state, slowDp, lb));
  });
});
