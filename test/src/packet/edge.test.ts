import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath } from '../../../engine/datapath/index.js';
import { tracePacket } from '../../../src/packet/index.js';
import { Replayer } from '../../../engine/replay/index.js';
import { clusterCodec, clusterProjection } from '../../../src/cluster/index.js';
import { applyYaml } from '../../support/cluster.js';
import { allSteps, seedCluster, steps } from '../../support/flows.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const lb = (policy: 'Cluster' | 'Local') => `
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  externalTrafficPolicy: ${policy}
  selector: {app: nginx-app}
  ports: [{port: 80, targetPort: 80}]
`;
const NODEPORT = `
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec:
  type: NodePort
  selector: {app: nginx-app}
  ports: [{port: 80, targetPort: 80, nodePort: 30080}]
`;
const INGRESS = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - {path: /cart, pathType: Prefix, backend: {service: {name: nginx, port: {number: 80}}}}
`;

describe.each(BACKENDS)('edges of the cluster (%s)', (backend) => {
  it.each(['flannel-vxlan', 'calico'] as const)('egress (%s): masquerade to the node IP, gateway 1:1 NAT to the public IP; the reply undoes both', (cni) => {
    const { c, clientNode } = seedCluster(dir, { cni });
    const node = c.state.nodes.get(clientNode)!;
    const t = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: 'internet', port: 443, proto: 'tcp', reply: true });
    expect(t.disposition).toBe('DELIVERED');
    expect(t.deliveredTo).toBe('internet 192.0.2.80');
    expect(allSteps(t, 'postrouting')[0]!.detail).toBe(`source -> ${node.ip} (address of the outgoing device)`);
    expect(allSteps(t, 'gateway')[0]!.packet).toContain(`=> ${node.publicIp}:40000 > 192.0.2.80:443 tcp`);
    expect(steps(t.reply!)).toEqual(expect.arrayContaining(['gateway:dnat', 'conntrack:un-nat', 'pod-eth0:deliver']));
    expect(allSteps(t.reply!, 'conntrack')[0]!.packet).toMatch(/=> 192\.0\.2\.80:443 > 10\.244\.\d+\.\d+:40000 tcp$/);
    expect(t.reply!.deliveredTo).toBe('pod default/client');
  });

  it('internet -> LoadBalancer, externalTrafficPolicy Cluster: LB picks a node, NodePort, SNAT to the node, reply leaves from the LB IP', () => {
    const { c } = seedCluster(dir);
    c.execute(applyYaml(lb('Cluster')), 20_000);
    const svc = c.state.services.get('default/web-lb')!;
    const t = tracePacket(c.state, createDatapath(backend), { src: 'internet', dst: 'svc/web-lb', port: 80, proto: 'tcp', reply: true });
    expect(t.disposition).toBe('DELIVERED');
    expect(t.deliveredTo).toMatch(/^pod default\/nginx-rs-/);
    expect(allSteps(t, 'load-balancer')[0]!.match).toContain(`listener ${svc.loadBalancerIP}:80`);
    expect(allSteps(t, 'kube-proxy')[0]!.match).toContain('KUBE-NODEPORTS');
    expect(allSteps(t, 'kube-proxy')[0]!.detail).toContain('externalTrafficPolicy Cluster');
    expect(allSteps(t, 'postrouting')).toHaveLength(1);
    const lastHop = t.reply!.hops[t.reply!.hops.length - 1]!;
    expect(lastHop.steps[0]!.packet).toMatch(new RegExp(`^${svc.loadBalancerIP!.replaceAll('.', '\\.')}:80 > 192\\.0\\.2\\.80:40000`));
  });

  it('internet -> LoadBalancer, externalTrafficPolicy Local: only nodes with endpoints, client IP kept, no SNAT', () => {
    const { c } = seedCluster(dir);
    c.execute(applyYaml(lb('Local')), 20_000);
    const t = tracePacket(c.state, createDatapath(backend), { src: 'internet', dst: 'svc/web-lb', port: 80, proto: 'tcp', reply: true });
    expect(t.disposition).toBe('DELIVERED');
    expect(allSteps(t, 'postrouting')).toHaveLength(0);
    const deliver = allSteps(t, 'pod-eth0').find((s) => s.action === 'deliver')!;
    expect(deliver.packet).toMatch(/^192\.0\.2\.80:40000 > 10\.244\./);
    expect(steps(t)).not.toContain('vxlan-encap:encap');
    expect(t.reply!.disposition).toBe('DELIVERED');
  });

  it('internet -> NodePort on a node public IP: gateway DNAT, KUBE-NODEPORTS, delivered', () => {
    const { c } = seedCluster(dir);
    c.execute(applyYaml(NODEPORT), 20_000);
    const t = tracePacket(c.state, createDatapath(backend), { src: 'internet', dst: 'svc/web-np', port: 80, proto: 'tcp' });
    expect(t.disposition).toBe('DELIVERED');
    expect(allSteps(t, 'gateway')[0]!.action).toBe('dnat');
    expect(allSteps(t, 'kube-proxy')[0]!.match).toContain('KUBE-NODEPORTS -p tcp --dport 30080');
  });

  it('Ingress: the controller matches host and path and forwards to the Service; unmatched is 404', () => {
    const { c } = seedCluster(dir);
    c.execute(applyYaml(INGRESS), 20_000);
    const t = tracePacket(c.state, createDatapath(backend), { src: 'internet', dst: 'http://shop.example.com/cart/items', port: 80, proto: 'tcp' });
    expect(t.disposition).toBe('DELIVERED');
    expect(t.deliveredTo).toMatch(/^pod default\/nginx-rs-/);
    const ing = allSteps(t, 'ingress')[0]!;
    expect(ing.match).toContain('Ingress default/web host shop.example.com path /cart (Prefix) -> service default/nginx:80');
    const miss = tracePacket(c.state, createDatapath(backend), { src: 'internet', dst: 'http://shop.example.com/other', port: 80, proto: 'tcp' });
    expect(miss.disposition).toBe('DROPPED');
    expect(miss.reason).toBe('NO_INGRESS_RULE');
  });

  it('DNS: the name resolves through the cluster DNS Service first, then the packet goes to the ClusterIP', () => {
    const { c } = seedCluster(dir);
    const svc = c.state.services.get('default/nginx')!;
    const t = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: 'nginx.default.svc.cluster.local', port: 80, proto: 'tcp' });
    expect(t.disposition).toBe('DELIVERED');
    const dns = allSteps(t, 'dns')[0]!;
    expect(dns.match).toBe(`nginx.default.svc.cluster.local A ${svc.clusterIP} (service default/nginx)`);
    const kubeDns = c.state.services.get('kube-system/kube-dns');
    if (kubeDns) {
      expect(allSteps(t, 'kube-proxy')[0]!.match).toContain(`-d ${kubeDns.clusterIP}/32 --dport 53`);
      expect(dns.detail).toContain('answered by kube-system/kube-dns');
    } else expect(dns.detail).toContain('no kube-system/kube-dns Service');
    const nx = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: 'nope.default.svc.cluster.local', port: 80, proto: 'tcp' });
    expect(nx.reason).toBe('NXDOMAIN');
  });

  it('node failure: traffic to the failed node drops NODE_DOWN; after rescheduling the same trace finds a new endpoint', () => {
    const { c, far } = seedCluster(dir);
    const farNode = c.state.pods.get(`default/${far}`)!.node!;
    c.execute({ type: 'FailNode', name: farNode }, 30_000);
    const failedSeq = [...c.log.read(1, c.log.lastSeq())].find((e) => e.type === 'NodeFailed')!.seq;
    // The cluster just after NodeFailed, before eviction: the pod is still listed on the dead node.
    const atFailure = new Replayer(c.log, clusterCodec(), clusterProjection).stateAt({ seq: failedSeq }).state;
    const t = tracePacket(atFailure, createDatapath(backend), { src: 'pod/client', dst: `pod/${far}`, port: 80, proto: 'tcp' });
    expect(t.disposition).toBe('DROPPED');
    expect(t.reason).toBe('NODE_DOWN');
    const after = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: 'svc/nginx', port: 80, proto: 'tcp' });
    expect(after.disposition).toBe('DELIVERED');
    expect(after.hops.some((h) => h.node === farNode)).toBe(false);
  });
});
