// The established-flow fast path (Datapath.fastPath in the conntrack stage, its route
// and next-hop columns read by the route and forward stages) gives exactly the results
// of the separate conntrack and LPM calls: flow records, counters and traces are equal
// with ctx.fastPath on and off, for every CNI mode, both kube-proxy modes and both
// backends, on new and established flows, forward and reply.
import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath, type Backend } from '../../../engine/datapath/index.js';
import { Replayer } from '../../../engine/replay/index.js';
import { CNI_MODES, clusterCodec, clusterProjection, type ClusterState } from '../../../src/cluster/index.js';
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

// The forward stage finishes a conntrack hit's two common cases on its own columns
// (on to a ready node; out the bridge to a pod of this node) and hands every other
// case to toNode / bridgeOut: a hit whose next node failed, or whose pod went away
// after the connection was made, must drop as it does with the fast path off.
describe.each(BACKENDS)('fast path, established flows after a change (%s)', (backend) => {
  it('a hit towards a failed node drops NODE_DOWN; a hit for a deleted endpoint pod drops ARP_FAILED; same results with the fast path off', () => {
    const { c, far } = seedCluster(dir);
    const farPod = c.state.pods.get(`default/${far}`)!;
    const [fast, slow] = contexts(backend, c.state);
    const toPod: TrafficSpec = { from: 'pod/client', to: farPod.ip!, port: 80, proto: 'tcp', flows: 10, packets: 3 };
    const toSvc: TrafficSpec = { from: 'pod/client', to: 'svc/nginx', port: 80, proto: 'tcp', flows: 30, packets: 3 };
    for (const spec of [toPod, toSvc]) {
      const a = forwardTraffic(fast, spec), b = forwardTraffic(slow, spec);
      expect(a).toEqual(b);
      expect(a.dropped).toBe(0);
    }
    // The endpoint pods go (the ReplicaSet scaled to 0): connections DNATed to the far
    // one's address still reach its node, where no pod answers for it any more.
    c.execute({ type: 'Scale', kind: 'ReplicaSet', namespace: 'default', name: 'nginx-rs', replicas: 0 }, 20_000);
    expect([...c.state.pods.values()].some((p) => p.ip === farPod.ip)).toBe(false);
    for (const ctx of [fast, slow]) ctx.load(c.state); // the live state changed in place
    const a = forwardTraffic(fast, toSvc), b = forwardTraffic(slow, toSvc);
    expect(a).toEqual(b);
    expect(a.counters.conntrack.hits).toBeGreaterThan(0);
    expect(a.dropped).toBe(toSvc.flows * toSvc.packets);
    expect(a.flows.some((f) => f.reason === 'ARP_FAILED' && f.nodes.length === 2)).toBe(true); // at the far node's bridge
    // Its node fails: established packets to it stop at the sending node.
    c.execute({ type: 'FailNode', name: farPod.node! }, 30_000);
    const failedSeq = [...c.log.read(1, c.log.lastSeq())].find((e) => e.type === 'NodeFailed')!.seq;
    const atFailure = new Replayer(c.log, clusterCodec(), clusterProjection).stateAt({ seq: failedSeq }).state;
    for (const ctx of [fast, slow]) ctx.load(atFailure);
    const d = forwardTraffic(fast, toPod), e = forwardTraffic(slow, toPod);
    expect(d).toEqual(e);
    expect(d.counters.conntrack.hits).toBe(toPod.flows * toPod.packets);
    expect(d.dropped).toBe(toPod.flows * toPod.packets);
    expect(d.flows.every((f) => f.reason === 'NODE_DOWN')).toBe(true);
    expect(fast.counters).toEqual(slow.counters);
  });
});
