import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath } from '../../../engine/datapath/index.js';
import { CNI_MODES } from '../../../src/cluster/index.js';
import { tracePacket } from '../../../src/packet/index.js';
import { allSteps, seedCluster, steps } from '../../support/flows.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();

describe.each(BACKENDS)('pod to pod across nodes (%s)', (backend) => {
  it('flannel-vxlan: flannel.1 route, VXLAN encap VNI 1 udp/8472 MTU 1450, decap, cni0 on the far node', () => {
    const { c, far } = seedCluster(dir, { cni: 'flannel-vxlan' });
    const t = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: `pod/${far}`, port: 80, proto: 'tcp' });
    expect(t.disposition).toBe('DELIVERED');
    expect(t.deliveredTo).toBe(`pod default/${far}`);
    expect(steps(t)).toEqual([
      'pod-eth0:route', 'arp:resolve', 'pod-eth0:transmit', 'veth:forward', 'bridge:local', 'route:lookup', 'conntrack:new',
      'vxlan-encap:encap', 'node-eth0:transmit', 'node-eth0:receive', 'vxlan-decap:decap', 'route:lookup', 'conntrack:new',
      'bridge:flood', 'veth:forward', 'pod-eth0:deliver',
    ]);
    const [r1] = allSteps(t, 'route');
    expect(r1!.match).toMatch(/^10\.244\.\d+\.0\/24 via 10\.244\.\d+\.0 dev flannel\.1 onlink/);
    const encap = allSteps(t, 'vxlan-encap')[0]!;
    expect(encap.detail).toMatch(/VNI 1, outer 172\.18\.0\.\d+ > 172\.18\.0\.\d+ udp\/8472, inner MTU 1450/);
  });

  it('flannel-host-gw: routed to the other node IP on eth0, no encapsulation', () => {
    const { c, far } = seedCluster(dir, { cni: 'flannel-host-gw' });
    const t = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: `pod/${far}`, port: 80, proto: 'tcp' });
    expect(t.disposition).toBe('DELIVERED');
    expect(steps(t)).not.toContain('vxlan-encap:encap');
    expect(allSteps(t, 'route')[0]!.match).toMatch(/^10\.244\.\d+\.0\/24 via 172\.18\.0\.\d+ dev eth0/);
  });

  it('calico: proxy ARP for 169.254.1.1, /26 via bird, /32 to the cali veth, no bridge', () => {
    const { c, far } = seedCluster(dir, { cni: 'calico' });
    const t = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: `pod/${far}`, port: 80, proto: 'tcp' });
    expect(t.disposition).toBe('DELIVERED');
    expect(allSteps(t, 'arp')[0]!.detail).toContain('169.254.1.1 is-at ee:ee:ee:ee:ee:ee (proxy ARP');
    const routes = allSteps(t, 'route').map((s) => s.match);
    expect(routes[0]).toMatch(/^10\.244\.\d+\.0\/26 via 172\.18\.0\.\d+ dev eth0 proto bird/);
    expect(routes[1]).toMatch(/^10\.244\.\d+\.\d+ dev cali[0-9a-f]{11} scope link/);
    expect(steps(t).some((s) => s.startsWith('bridge'))).toBe(false);
  });

  it.each(CNI_MODES)('%s: the reply walks back through both conntrack zones as established', (cni) => {
    const { c, far } = seedCluster(dir, { cni });
    const t = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: `pod/${far}`, port: 80, proto: 'tcp', reply: true });
    expect(t.reply!.disposition).toBe('DELIVERED');
    expect(t.reply!.deliveredTo).toBe('pod default/client');
    expect(allSteps(t.reply!, 'conntrack').map((s) => s.action)).toEqual(['established', 'established']);
  });
});

it('both backends give identical traces for every CNI mode', () => {
  for (const cni of CNI_MODES) {
    const { c, far } = seedCluster(dir, { cni });
    const [w, s] = BACKENDS.map((b) => tracePacket(c.state, createDatapath(b), { src: 'pod/client', dst: `pod/${far}`, port: 80, proto: 'tcp', reply: true }));
    expect(w!.hops).toEqual(s!.hops);
    expect(w!.reply).toEqual(s!.reply);
  }
});
