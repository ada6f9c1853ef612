import { describe, expect, it } from 'vitest';
import { createDatapath, BACKENDS } from '../../../engine/datapath/index.js';
import { EventLog } from '../../../engine/log/index.js';
import { Replayer } from '../../../engine/replay/index.js';
import { clusterCodec, clusterDigest, clusterProjection } from '../../../src/cluster/index.js';
import { tracePacket } from '../../../src/packet/index.js';
import { ClusterNetwork } from '../../../src/network/index.js';
import { formatMac, macFromIp, parseIp } from '../../../engine/net/index.js';
import { applyYaml, newCluster, NGINX_RS } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const CLIENT = `
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
    - {name: app, image: curl, ports: [{containerPort: 8080}]}
    - {name: sidecar, image: busybox}
`;

function demoCluster() {
  const c = newCluster(dir);
  c.execute(applyYaml(NGINX_RS), 0);
  c.execute(applyYaml(CLIENT), 10_000);
  const client = c.state.pods.get('default/client')!;
  const peer = [...c.state.pods.values()].find((p) => p.name.startsWith('nginx-rs-') && p.node === client.node)!;
  return { c, client, peer };
}

describe('pod to pod on one node', () => {
  it('walks eth0 -> veth -> cni0 (MAC learned, unknown destination flooded) -> veth -> eth0 and is delivered', () => {
    const { c, peer } = demoCluster();
    const t = tracePacket(c.state, createDatapath('wasm'), { src: 'pod/client', dst: `pod/${peer.name}`, port: 80, proto: 'tcp' });
    expect(t.disposition).toBe('DELIVERED');
    expect(t.deliveredTo).toBe(`pod default/${peer.name}`);
    const steps = t.hops.flatMap((h) => h.steps.map((s) => `${s.point}:${s.action}`));
    expect(steps).toEqual(['pod-eth0:route', 'arp:resolve', 'pod-eth0:transmit', 'veth:forward', 'bridge:flood', 'conntrack:new', 'veth:forward', 'pod-eth0:deliver']);
    const bridge = t.hops.flatMap((h) => h.steps).filter((s) => s.point === 'bridge');
    expect(bridge[0]!.detail).toMatch(/^learned 0a:58:0a:f4:/);
    const peerNet = new ClusterNetwork(c.state).pod('default', peer.name)!;
    expect(t.hops.flatMap((h) => h.steps).find((s) => s.point === 'arp')!.detail).toContain(`is-at ${formatMac(macFromIp(parseIp(peer.ip!)))}`);
    expect(peerNet.hostIf).toMatch(/^veth[0-9a-f]{8}$/);
  });

  it('after the reply taught the bridge the peer MAC, the next frame is forwarded from the fdb', () => {
    const { c, peer } = demoCluster();
    const dp = createDatapath('wasm');
    const t = tracePacket(c.state, dp, { src: 'pod/client', dst: `pod/${peer.name}`, port: 80, proto: 'tcp', reply: true });
    expect(t.reply!.deliveredTo).toBe('pod default/client');
    expect(dp.fdbEntries()).toHaveLength(2);
    const again = tracePacket(c.state, dp, { src: 'pod/client', dst: `pod/${peer.name}`, port: 80, proto: 'tcp' });
    const peerNet = new ClusterNetwork(c.state).pod('default', peer.name)!;
    expect(again.hops.flatMap((h) => h.steps).find((s) => s.point === 'bridge')!.match).toBe(`forward ${formatMac(macFromIp(parseIp(peer.ip!)))} to ${peerNet.hostIf} (fdb)`);
  });

  it('gives the same hops on the WASM and the TypeScript datapath', () => {
    const { c, peer } = demoCluster();
    const [wasm, ts] = BACKENDS.map((b) => tracePacket(c.state, createDatapath(b), { src: 'pod/client', dst: `pod/${peer.name}`, port: 80, proto: 'tcp' }));
    expect(wasm!.backend).toBe('wasm');
    expect(ts!.backend).toBe('ts');
    expect(wasm!.hops).toEqual(ts!.hops);
    expect(wasm!.disposition).toBe(ts!.disposition);
  });

  it('container to container in one pod goes over lo, no veth', () => {
    const { c } = demoCluster();
    const t = tracePacket(c.state, createDatapath('ts'), { src: 'pod/client', dst: 'pod/client', port: 8080, proto: 'tcp' });
    expect(t.hops).toHaveLength(1);
    expect(t.hops[0]!.steps.map((s) => s.point)).toEqual(['lo']);
    expect(t.hops[0]!.steps[0]!.detail).toContain('container app listens on 8080/TCP');
  });

  it('names what is wrong when a pod does not exist', () => {
    const { c } = demoCluster();
    expect(() => tracePacket(c.state, createDatapath('ts'), { src: 'pod/nope', dst: 'pod/client', port: 80, proto: 'tcp' })).toThrow(/source pod\/nope: pod "nope" not found in namespace default/);
    expect(() => tracePacket(c.state, createDatapath('ts'), { src: 'pod/client', dst: '10.0.0.300', port: 80, proto: 'tcp' })).toThrow(/not a valid IPv4 address/);
  });
});

describe('replay', () => {
  it('rebuilds from the log exactly the cluster the live run built', () => {
    const { c } = demoCluster();
    c.execute({ type: 'Scale', kind: 'ReplicaSet', namespace: 'default', name: 'nginx-rs', replicas: 5 }, 20_000);
    c.execute({ type: 'FailNode', name: 'worker-a' }, 30_000);
    const replayed = new Replayer(c.log, clusterCodec(), clusterProjection).stateAt().state;
    expect(clusterDigest(replayed)).toBe(clusterDigest(c.state));
    expect(replayed.pods.size).toBe(c.state.pods.size);
    const reopened = new Replayer(EventLog.open(c.log.path, { readonly: true }), clusterCodec(), clusterProjection).stateAt({ time: 10_000 }).state;
    expect([...reopened.pods.values()].filter((p) => p.namespace === 'default')).toHaveLength(4);
  });
});
