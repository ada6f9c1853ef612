import { describe, expect, it } from 'vitest';
import { planLab } from '../../../src/lab/index.js';
import { applyYaml, newCluster, NGINX_RS } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();

function argvLines(cni: 'flannel-vxlan' | 'flannel-host-gw' | 'calico'): string[] {
  const c = newCluster(dir, ['worker-a', 'worker-b'], { cni });
  c.execute(applyYaml(NGINX_RS), 0);
  return planLab(c.state).commands.map((x) => x.argv.join(' '));
}

describe('lab plan', () => {
  it('gives every node eth0 on the VPC bridge and installs the routes podnet prints (flannel-vxlan)', () => {
    const lines = argvLines('flannel-vxlan');
    expect(lines).toContain('ip -n pn-n1 addr add 172.18.0.3/16 dev eth0');
    expect(lines).toContain('ip -n pn-n1 link add flannel.1 type vxlan id 1 local 172.18.0.3 dev eth0 dstport 8472 nolearning');
    expect(lines).toContain('ip -n pn-n1 route replace 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink');
    expect(lines).toContain('ip netns exec pn-n1 bridge fdb append 0e:00:00:00:00:03 dev flannel.1 dst 172.18.0.4');
    // the node's own /24 is the kernel route of cni0, never replaced by a flannel.1 route
    expect(lines.filter((l) => l.startsWith('ip -n pn-n1 route replace 10.244.1.0/24'))).toEqual([]);
  });

  it('routes pod CIDRs via the other node under host-gw', () => {
    const lines = argvLines('flannel-host-gw');
    expect(lines).toContain('ip -n pn-n1 route replace 10.244.2.0/24 via 172.18.0.4 dev eth0');
    expect(lines.some((l) => l.includes('vxlan'))).toBe(false);
  });

  it('under Calico: no bridge, /32 routes to cali veths with proxy ARP, pods default via 169.254.1.1', () => {
    const lines = argvLines('calico');
    expect(lines.some((l) => l.includes('type bridge') && !l.includes('vpc0'))).toBe(false);
    expect(lines.some((l) => /^ip -n pn-n1 route replace 10\.244\.1\.\d+ dev cali[0-9a-f]{11} scope link$/.test(l))).toBe(true);
    expect(lines.some((l) => /sysctl -qw net\.ipv4\.conf\.cali[0-9a-f]{11}\.proxy_arp=1$/.test(l))).toBe(true);
    expect(lines.some((l) => / route add default via 169\.254\.1\.1 dev eth0$/.test(l))).toBe(true);
    expect(lines).toContain('ip -n pn-n1 route replace blackhole 10.244.1.0/26 proto bird');
  });

  it('refuses clusters too big for one machine', () => {
    const c = newCluster(dir, Array.from({ length: 16 }, (_, i) => `w${i}`));
    expect(() => planLab(c.state)).toThrow(/at most 16 nodes and 200 pods/);
  });
});
