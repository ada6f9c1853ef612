import { describe, expect, it } from 'vitest';
import { ClusterNetwork, iptablesSave, ServiceTable } from '../../../src/network/index.js';
import { applyYaml, newCluster, NGINX_RS } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();

describe('iptablesSave', () => {
  // Found by podnet lab: kube-dns mixes UDP and TCP ports; each rule must carry its own
  // port's protocol, or TCP DNS to 10.96.0.10 is never DNATed by the kernel.
  it('gives every Service port its own protocol', () => {
    const c = newCluster(dir);
    c.execute(applyYaml(NGINX_RS), 0);
    const text = iptablesSave(new ClusterNetwork(c.state), new ServiceTable(c.state), 'worker-a');
    expect(text).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.10\/32 -p udp -m comment --comment "kube-system\/kube-dns:dns cluster IP" -m udp --dport 53 /);
    expect(text).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.10\/32 -p tcp -m comment --comment "kube-system\/kube-dns:dns-tcp cluster IP" -m tcp --dport 53 /);
    expect(text).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.10\/32 -p tcp -m comment --comment "kube-system\/kube-dns:metrics cluster IP" -m tcp --dport 9153 /);
  });

  it("includes the CNI's masquerade chain, as iptables-save on a real node shows it", () => {
    const c = newCluster(dir);
    const text = iptablesSave(new ClusterNetwork(c.state), new ServiceTable(c.state), 'worker-a');
    expect(text).toContain(':FLANNEL-POSTRTG - [0:0]');
    expect(text).toContain('-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully');
    const calico = newCluster(dir, ['worker-a'], { cni: 'calico' });
    expect(iptablesSave(new ClusterNetwork(calico.state), new ServiceTable(calico.state), 'worker-a')).toContain('-A cali-nat-outgoing -s 10.244.0.0/16 ! -d 10.244.0.0/16');
  });
});
