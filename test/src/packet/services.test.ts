import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath } from '../../../engine/datapath/index.js';
import { tracePacket } from '../../../src/packet/index.js';
import { applyYaml } from '../../support/cluster.js';
import { allSteps, seedCluster, steps } from '../../support/flows.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const EMPTY = `
apiVersion: v1
kind: Service
metadata: {name: empty}
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
`;

describe.each(BACKENDS)('pod to Service (%s)', (backend) => {
  it.each(['iptables', 'ipvs'] as const)('%s: DNAT to an endpoint, conntrack records it, --reply is un-NATed to the ClusterIP', (kubeProxy) => {
    const { c } = seedCluster(dir, { kubeProxy });
    const svc = c.state.services.get('default/nginx')!;
    const t = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: 'svc/nginx', port: 80, proto: 'tcp', reply: true });
    expect(t.disposition).toBe('DELIVERED');
    expect(t.deliveredTo).toMatch(/^pod default\/nginx-rs-/);
    const kp = allSteps(t, 'kube-proxy')[0]!;
    expect(kp.action).toBe('dnat');
    expect(kp.match).toContain(kubeProxy === 'iptables' ? 'KUBE-SVC-' : `ipvs ${svc.clusterIP}:80 rr`);
    expect(allSteps(t, 'conntrack')[0]!.match).toContain(`> ${svc.clusterIP}:80, reply`);
    const unnat = allSteps(t.reply!, 'conntrack').find((s) => s.action === 'un-nat')!;
    expect(unnat.packet).toMatch(new RegExp(`=> ${svc.clusterIP.replaceAll('.', '\\.')}:80 > 10\\.244\\.\\d+\\.\\d+:40000 tcp$`));
    expect(t.reply!.deliveredTo).toBe('pod default/client');
  });

  it('ipvs round robin walks the endpoints in turn; iptables probabilities are 1/(n-i)', () => {
    const { c } = seedCluster(dir, { kubeProxy: 'ipvs' });
    const dp = createDatapath(backend);
    const seen = [0, 1, 2].map((k) => tracePacket(c.state, dp, { src: 'pod/client', dst: 'svc/nginx', port: 80, proto: 'tcp', sport: 41000 + k }).deliveredTo);
    expect(new Set(seen).size).toBe(3);
    const ipt = seedCluster(dir, { kubeProxy: 'iptables' }).c;
    const m = allSteps(tracePacket(ipt.state, createDatapath(backend), { src: 'pod/client', dst: 'svc/nginx', port: 80, proto: 'tcp' }), 'kube-proxy')[0]!.match!;
    expect(m).toMatch(/rule (1\/3: -m statistic --mode random --probability 0\.33333333349|2\/3: -m statistic --mode random --probability 0\.50000000000|3\/3: -j KUBE-SEP-)/);
  });

  it('a Service without endpoints rejects: NO_ENDPOINTS', () => {
    const { c } = seedCluster(dir);
    c.execute(applyYaml(EMPTY), 20_000);
    const t = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: 'svc/empty', port: 80, proto: 'tcp' });
    expect(t.disposition).toBe('DROPPED');
    expect(t.reason).toBe('NO_ENDPOINTS');
    expect(allSteps(t, 'kube-proxy')[0]!.detail).toContain('default/empty has no endpoints: REJECT');
  });

  it('hairpin: a pod reaching itself through its Service is masqueraded to the cni0 address', () => {
    const { c, near } = seedCluster(dir);
    const dp = createDatapath(backend);
    // Try source ports until kube-proxy picks the sender itself (the draw hashes the flow).
    const ep = c.state.pods.get(`default/${near}`)!;
    const t = tracePacket(c.state, dp, { src: `pod/${near}`, dst: 'svc/nginx', port: 80, proto: 'tcp' });
    if (t.deliveredTo === `pod default/${near}`) {
      expect(allSteps(t, 'kube-proxy')[0]!.detail).toContain('hairpin');
      expect(allSteps(t, 'postrouting')[0]!.detail).toMatch(/source -> 10\.244\.\d+\.1 /);
    }
    // Deterministic check: with one replica the endpoint is always the sender.
    c.execute({ type: 'Scale', kind: 'ReplicaSet', namespace: 'default', name: 'nginx-rs', replicas: 1 }, 30_000);
    const only = [...c.state.pods.values()].find((p) => p.name.startsWith('nginx-rs-'))!;
    const h = tracePacket(c.state, createDatapath(backend), { src: `pod/${only.name}`, dst: 'svc/nginx', port: 80, proto: 'tcp', reply: true });
    expect(h.deliveredTo).toBe(`pod default/${only.name}`);
    expect(allSteps(h, 'kube-proxy')[0]!.detail).toContain('hairpin: the client is the endpoint');
    expect(allSteps(h, 'postrouting')[0]!.match).toBe('KUBE-POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE');
    expect(h.reply!.deliveredTo).toBe(`pod default/${only.name}`);
    void ep;
  });

  it('sessionAffinity ClientIP keeps a client on one endpoint', () => {
    const { c } = seedCluster(dir);
    c.execute(applyYaml(`
apiVersion: v1
kind: Service
metadata: {name: sticky}
spec:
  selector: {app: nginx-app}
  sessionAffinity: ClientIP
  ports: [{port: 80}]
`), 20_000);
    const dp = createDatapath(backend);
    const first = tracePacket(c.state, dp, { src: 'pod/client', dst: 'svc/sticky', port: 80, proto: 'tcp' });
    const again = tracePacket(c.state, dp, { src: 'pod/client', dst: 'svc/sticky', port: 80, proto: 'tcp', sport: 41234 });
    expect(again.deliveredTo).toBe(first.deliveredTo);
    expect(allSteps(again, 'kube-proxy')[0]!.match).toContain('--rcheck --seconds 10800');
  });
});

it('pod to Service: both backends trace the same hops', () => {
  const { c } = seedCluster(dir);
  const [w, s] = BACKENDS.map((b) => tracePacket(c.state, createDatapath(b), { src: 'pod/client', dst: 'svc/nginx', port: 80, proto: 'tcp', reply: true }));
  expect(w!.hops).toEqual(s!.hops);
  expect(w!.reply).toEqual(s!.reply);
  expect(steps(w!)).toContain('kube-proxy:dnat');
});
