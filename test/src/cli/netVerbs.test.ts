import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';

const SCENARIO = fileURLToPath(new URL('./flows-scenario.yaml', import.meta.url));
const db = join(tmpDir(), 'flows.db');

describe('node dumps, flows and trace --reply (spawned CLI)', () => {
  beforeAll(() => {
    const r = podnet(['replay', SCENARIO, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('routes NODE prints ip route lines for flannel vxlan', () => {
    const r = podnet(['routes', 'worker-a', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^default via 172\.18\.0\.1 dev eth0/);
    expect(r.stdout).toMatch(/10\.244\.\d+\.0\/24 via 10\.244\.\d+\.0 dev flannel\.1 onlink/);
    expect(r.stdout).toMatch(/10\.244\.\d+\.0\/24 dev cni0 proto kernel scope link src 10\.244\.\d+\.1/);
    const j = JSON.parse(podnet(['routes', 'worker-a', '--db', db, '-o', 'json']).stdout);
    expect(j.routes.map((x: { kind: string }) => x.kind)).toContain('vxlan');
  });

  it('iptables NODE prints the nat table as iptables-save', () => {
    const r = podnet(['iptables', 'worker-a', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('*nat');
    expect(r.stdout).toMatch(/-A KUBE-SERVICES -d 10\.96\.\d+\.\d+\/32 -p tcp -m comment --comment "default\/nginx cluster IP" -m tcp --dport 80 -j KUBE-SVC-/);
    expect(r.stdout).toContain('-m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-');
    expect(r.stdout).toContain('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
    expect(r.stdout.trim().split('\n').at(-2)).toBe('COMMIT');
  });

  it('flows shows the traffic, filters by service and --since', () => {
    const all = podnet(['flows', '--db', db]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(9);
    const svc = JSON.parse(podnet(['flows', '--db', db, '--service', 'nginx', '-o', 'json']).stdout);
    expect(svc).toHaveLength(6);
    expect(svc.every((f: { verdict: string; delivered: number }) => f.verdict === 'DELIVERED' && f.delivered === 10)).toBe(true);
    expect(JSON.parse(podnet(['flows', '--db', db, '--since', '45s', '-o', 'json']).stdout)).toHaveLength(2);
    // a verdict or reason podnet never gives is a mistake, not an empty answer
    const verdict = podnet(['flows', '--db', db, '--verdict', 'DELIVERD']);
    expect([verdict.code, verdict.stderr.trim()]).toEqual([1, 'error: --verdict DELIVERD: choose from DELIVERED, FORWARDED, DROPPED']);
    const reason = podnet(['flows', '--db', db, '--reason', 'no_endpoint']);
    expect(reason.code).toBe(1);
    expect(reason.stderr.trim()).toMatch(/^error: --reason no_endpoint: not a drop reason; choose from NO_ROUTE, NO_ENDPOINTS, NODE_DOWN, .*INVALID_PACKET/);
    expect(podnet(['flows', '--db', db, '--verdict', 'dropped', '--reason', 'no_endpoints']).code).toBe(0);
  });

  it('conntrack and fdb show the state the traffic left', () => {
    const ct = podnet(['conntrack', 'worker-a', '--db', db]);
    expect(ct.code, ct.stderr).toBe(0);
    expect(ct.stdout).toMatch(/^tcp\s+6 \d+ SYN_SENT src=10\.244\.\d+\.\d+ dst=10\.96\.\d+\.\d+ sport=10000 dport=80 src=10\.244/m);
    expect(ct.stderr).toMatch(/\d+ flow entries have been shown/);
    const before = podnet(['conntrack', 'worker-a', '--db', db, '--at', '10s']);
    expect(before.stdout.trim()).toBe('');
    const fdb = podnet(['fdb', 'worker-a', '--db', db]);
    expect(fdb.stdout).toMatch(/^0a:58:0a:f4:\S+ dev veth[0-9a-f]{8} master cni0$/m);
    expect(fdb.stdout).toContain('dev flannel.1 dst 172.18.0.');
  });

  it('trace --reply shows the un-NAT back to the ClusterIP', () => {
    const r = podnet(['trace', 'pod/client', 'svc/nginx', '--reply', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('--- reply ---');
    expect(r.stdout).toMatch(/un-nat .*=> 10\.96\.\d+\.\d+:80 > 10\.244\.\d+\.\d+:40000 tcp/);
    expect(r.stdout).toMatch(/REPLY DELIVERED to pod default\/client/);
  });
});
