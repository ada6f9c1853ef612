// Cluster DNS as CoreDNS serves it (kubeadm's Corefile: `kubernetes cluster.local`,
// `pods insecure`): Service records, headless Services, pod A records, the search path.
import { describe, expect, it } from 'vitest';
import { formatIp } from '../../../engine/net/index.js';
import { DnsRecords } from '../../../src/network/index.js';
import { applyYaml, newCluster, NGINX_RS } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const HEADLESS = `
apiVersion: v1
kind: Service
metadata: {name: nginx-headless}
spec: {clusterIP: None, selector: {app: nginx-app}, ports: [{port: 80}]}
`;

function cluster() {
  const c = newCluster(dir);
  c.execute(applyYaml(NGINX_RS), 0);
  c.execute(applyYaml(HEADLESS), 1000);
  return { c, dns: new DnsRecords(c.state) };
}

describe('cluster DNS records', () => {
  it('a Service name resolves to its ClusterIP, by every name the search path tries', () => {
    const { c, dns } = cluster();
    const ip = c.state.services.get('default/nginx')!.clusterIP;
    for (const name of ['nginx', 'nginx.default', 'nginx.default.svc', 'nginx.default.svc.cluster.local']) {
      const a = dns.resolve(name, 'default')!;
      expect(a.kind, name).toBe('service');
      expect(a.ips.map(formatIp)).toEqual([ip]);
      expect(a.fqdn).toBe('nginx.default.svc.cluster.local');
    }
    expect(dns.resolve('kube-dns.kube-system', 'default')!.ips.map(formatIp)).toEqual(['10.96.0.10']);
  });

  it('a headless Service resolves to its ready pod IPs', () => {
    const { c, dns } = cluster();
    const a = dns.resolve('nginx-headless', 'default')!;
    expect(a.kind).toBe('headless');
    const podIps = [...c.state.pods.values()].filter((p) => p.labels.app === 'nginx-app').map((p) => p.ip!).sort();
    expect(a.ips.map(formatIp).sort()).toEqual(podIps);
    expect(podIps).toHaveLength(3);
  });

  it('pod A records are the dashed IP under NS.pod.cluster.local; unknown names are NXDOMAIN', () => {
    const { c, dns } = cluster();
    const ip = [...c.state.pods.values()].find((p) => p.labels.app === 'nginx-app')!.ip!;
    const a = dns.lookup(`${ip.replaceAll('.', '-')}.default.pod.cluster.local`)!;
    expect(a.kind).toBe('pod');
    expect(a.ips.map(formatIp)).toEqual([ip]);
    expect(dns.resolve('nope', 'default')).toBeUndefined();
    expect(dns.lookup('nope.default.svc.cluster.local')).toBeUndefined();
  });
});
