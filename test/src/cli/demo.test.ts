import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const db = join(dir, 'demo.db');

describe('podnet demo / get / trace (spawned)', () => {
  it('demo replays the seeds cluster and prints nodes, pods, services and a trace', () => {
    const r = podnet(['demo', '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/control-plane\s+Ready\s+control-plane/);
    expect(r.stdout).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/);
    expect(r.stdout).toMatch(/client\s+2\/2\s+Running/);
    expect(r.stdout).toContain('DELIVERED to pod default/nginx-rs-');
    // running it again replaces its own log
    expect(podnet(['demo', '--db', db]).code).toBe(0);
  });

  it('get pods -o wide shows 3 nginx pods on the workers, none on the control plane', () => {
    const r = podnet(['get', 'pods', '-o', 'wide', '--db', db]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const nginx = lines.filter((l) => l.startsWith('nginx-rs-'));
    expect(nginx).toHaveLength(3);
    const nodes = nginx.map((l) => l.split(/\s+/)[6]).sort();
    expect(nodes.filter((n) => n === 'worker-a')).toHaveLength(2);
    expect(nodes.filter((n) => n === 'worker-b')).toHaveLength(1);
  });

  it('get pods -o json prints a Kubernetes List with status.podIP and spec.nodeName', () => {
    const r = podnet(['get', 'pods', '-o', 'json', '--db', db]);
    const list = JSON.parse(r.stdout) as { kind: string; items: { spec: { nodeName: string }; status: { podIP: string; phase: string } }[] };
    expect(list.kind).toBe('List');
    // nginx-rs 3, client, nginx-rc 2 (scaled 3 -> 6 -> 2), fluentd 3 (one per worker), nginx-ds 2 (labelled workers)
    expect(list.items).toHaveLength(11);
    expect(list.items.every((i) => i.status.phase === 'Running' && /^10\.244\.\d+\.\d+$/.test(i.status.podIP) && i.spec.nodeName.startsWith('worker-'))).toBe(true);
  });

  it("replays the seeds' story: RC scaled, worker-c failed and its RC pods recreated, DaemonSets, LoadBalancer and Ingress", () => {
    const at = (t: string, ...args: string[]) => podnet(['get', ...args, '--db', db, '--at', t]).stdout;
    expect(at('45s', 'pods').match(/nginx-rc-/g)).toHaveLength(6);
    expect(at('65s', 'pods', '-o', 'wide').match(/fluentd-ds-\S+\s.*worker-[abc]/g)).toHaveLength(3);
    const afterFail = at('75s', 'pods', '-o', 'wide');
    expect(afterFail).not.toMatch(/nginx-rc-\S+.*Running.*worker-c/);
    expect(afterFail.match(/nginx-rc-/g)).toHaveLength(2);
    expect(at('85s', 'pods')).not.toContain('nginx-ds-');
    expect(at('95s', 'pods', '-o', 'wide').match(/nginx-ds-\S+\s.*worker-[ab]\s/g)).toHaveLength(2);
    const svc = podnet(['get', 'svc', '-A', '--db', db]).stdout;
    expect(svc).toMatch(/default\s+kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
    expect(svc).toMatch(/kube-system\s+kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP/);
    expect(svc).toMatch(/ingress-nginx\s+ingress-nginx-controller\s+LoadBalancer\s+10\.96\.0\.3\s+203\.0\.113\.2\s+80:30000\/TCP,443:30001\/TCP/);
    expect(svc).toMatch(/default\s+nginx-lb\s+LoadBalancer\s+10\.96\.0\.4\s+203\.0\.113\.3\s+80:30002\/TCP/);
    expect(podnet(['get', 'ep', 'kubernetes', '--db', db]).stdout).toMatch(/kubernetes\s+172\.18\.0\.2:6443/);
  });

  it('get --at shows the past: before the client pod existed', () => {
    const r = podnet(['get', 'pods', '--db', db, '--at', '5s']);
    expect(r.stdout).not.toContain('client');
    expect(r.stdout.match(/nginx-rs-/g)).toHaveLength(3);
  });

  it('trace -o json has a disposition and hops with steps, the same on both backends', () => {
    const pods = JSON.parse(podnet(['get', 'pods', '-o', 'json', '--db', db]).stdout) as { metadata: { name: string }; spec: { nodeName: string } }[] & { items: { metadata: { name: string }; spec: { nodeName: string } }[] };
    const clientNode = pods.items.find((p) => p.metadata.name === 'client')!.spec.nodeName;
    const peer = pods.items.find((p) => p.metadata.name.startsWith('nginx-rs-') && p.spec.nodeName === clientNode)!.metadata.name;
    const run = (backend: string) => JSON.parse(podnet(['trace', 'pod/client', `pod/${peer}`, '--port', '80', '-o', 'json', '--db', db, '--backend', backend]).stdout) as { disposition: string; hops: { node: string; steps: { point: string; action: string }[] }[] };
    const w = run('wasm');
    const t = run('ts');
    expect(w.disposition).toBe('DELIVERED');
    expect(w.hops.every((h) => h.node === clientNode)).toBe(true);
    expect(w.hops.flatMap((h) => h.steps.map((s) => s.point))).toContain('bridge');
    expect(t.hops).toEqual(w.hops);
  });

  it('user errors: one line on stderr, exit 1, no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['trace', 'pod/nope', 'pod/client', '--db', db], /^error: source pod\/nope: pod "nope" not found in namespace default/],
      [['trace', 'pod/client', 'pod/client', '--port', '70000', '--db', db], /^error: --port 70000/],
      [['get', 'widgets', '--db', db], /^error: get: unknown kind "widgets"/],
      [['get', 'pods', '--db', join(dir, 'none.db')], /^error: .*none\.db: no such event log/],
      [['get', 'pods', '--at', 'yesterday', '--db', db], /^error: --at yesterday/],
      [['trace', 'pod/client', 'pod/client', '--backend', 'gpu', '--db', db], /^error: --backend gpu: choose one of wasm, ts/],
    ];
    for (const [args, re] of cases) {
      const r = podnet(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('replay refuses to overwrite an existing file, and a bad scenario writes nothing', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'cluster:\n  cni: weave\n  nodes: [{name: a}]\nsteps: []\n');
    const out = join(dir, 'bad.db');
    const r = podnet(['replay', bad, '--db', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml: cluster\.cni: must be one of flannel-vxlan, flannel-host-gw, calico, got "weave"/);
    expect(podnet(['get', 'pods', '--db', out]).stderr).toMatch(/no such event log/);
    // the demo will not overwrite a log that is not its own; replay needs --force
    const user = join(dir, 'user.db');
    const scen = join(dir, 'ok.yaml');
    writeFileSync(scen, 'cluster:\n  nodes: [{name: a}]\nsteps: []\n');
    expect(podnet(['replay', scen, '--db', db]).stderr).toMatch(/already exists; choose another --db file or pass --force/);
    expect(podnet(['replay', scen, '--db', user]).code).toBe(0);
    expect(podnet(['demo', '--db', user]).stderr).toMatch(/is not a demo log/);
  });

  it('PODNET_DB picks the log when --db is absent; --help shows an example', () => {
    expect(podnet(['get', 'nodes'], { PODNET_DB: db }).stdout).toMatch(/worker-b/);
    const h = podnet(['trace', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Example:');
  });
});
