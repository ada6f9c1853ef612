// ServiceTable.match and loadBalancer read a typed open-addressing table built once
// from the frontends: for many Services (ClusterIP, NodePort, LoadBalancer, TCP, UDP,
// SCTP, duplicate frontends where the last one wins) every frontend and many misses
// give what a Map keyed by frontendKey gives.
import { describe, expect, it } from 'vitest';
import { formatIp, parseIp } from '../../../engine/net/index.js';
import { ServiceTable, frontendKey, type FrontendKind, type ServicePortEntry } from '../../../src/network/index.js';
import { syntheticCluster } from '../../../bench/pipeline.js';

describe('ServiceTable frontend table', () => {
  it('agrees with a Map keyed by frontendKey on hits and misses', () => {
    const s = syntheticCluster(4);
    const protos = ['TCP', 'UDP', 'SCTP'] as const;
    for (let k = 0; k < 300; k++) {
      const type = k % 3 === 0 ? 'ClusterIP' : k % 3 === 1 ? 'NodePort' : 'LoadBalancer';
      s.services.set(`default/s${k}`, {
        namespace: 'default', name: `s${k}`, type, selector: { app: 'nginx' }, createdAt: 0,
        ports: [{ protocol: protos[k % 3]!, port: 80 + (k % 5), targetPort: 80, nodePort: 30000 + (k % 200) }, { name: 'b', protocol: 'UDP', port: 53, targetPort: 53, nodePort: 31000 + k }],
        clusterIP: formatIp(0x0a600010 + (k % 250)), loadBalancerIP: type === 'LoadBalancer' ? formatIp(0xcb007100 + (k % 40)) : undefined,
        externalTrafficPolicy: 'Cluster', sessionAffinity: 'None',
      } as never);
    }
    const t = new ServiceTable(s);
    const ref = new Map<number, { entry: ServicePortEntry; kind: FrontendKind }>();
    for (const e of t.ports) {
      ref.set(frontendKey(e.clusterIp, e.port, e.proto), { entry: e, kind: 'cluster-ip' });
      if (e.nodePort !== undefined) ref.set(frontendKey(0, e.nodePort, e.proto), { entry: e, kind: 'node-port' });
      if (e.lbIp !== undefined) ref.set(frontendKey(e.lbIp, e.port, e.proto), { entry: e, kind: 'load-balancer' });
    }
    const ips = [0, parseIp('10.96.0.2'), ...Array.from({ length: 260 }, (_, i) => 0x0a600008 + i), ...Array.from({ length: 45 }, (_, i) => 0xcb007100 + i)];
    const ports = [53, 79, 80, 81, 82, 83, 84, 85, 30000, 30007, 30199, 30200, 31000, 31299, 31300];
    let hits = 0;
    for (const ip of ips) for (const port of ports) for (const proto of [1, 6, 17, 132]) for (const local of [false, true]) {
      const want = ref.get(frontendKey(ip, port, proto)) ?? (local ? ref.get(frontendKey(0, port, proto)) : undefined);
      const got = t.match(ip, port, proto, local);
      expect(got?.entry.id, `${formatIp(ip)}:${port}/${proto} local=${local}`).toBe(want?.entry.id);
      expect(got?.kind).toBe(want?.kind);
      const lb = ref.get(frontendKey(ip, port, proto));
      expect(t.loadBalancer(ip, port, proto)?.id).toBe(lb?.kind === 'load-balancer' ? lb.entry.id : undefined);
      if (got) hits++;
    }
    expect(hits).toBeGreaterThan(1000);
  });
});
