import { beforeAll, describe, expect, it } from 'vitest';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';
import { replayShop } from './shopScenario.js';

const dir = tmpDir();
let db = '';
beforeAll(() => { db = replayShop(dir); });

const describeCmd = (...args: string[]) => podnet(['describe', ...args, '--db', db]);

/** `Key:  value` lines of a describe block, as a map (first occurrence wins). */
function fields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of text.split('\n')) {
    const x = /^(\S[^:]*):\s{2,}(.*)$/.exec(l);
    if (x && !m.has(x[1]!)) m.set(x[1]!, x[2]!);
  }
  return m;
}

describe('podnet describe (spawned)', () => {
  it('pod: node, IP, owner, containers, conditions and the events the log holds', () => {
    const pods = JSON.parse(podnet(['get', 'pods', '-n', 'shop', '-o', 'json', '--db', db]).stdout) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { podIP: string } }[] };
    const p = pods.items[0]!;
    const r = describeCmd('pod', p.metadata.name, '-n', 'shop');
    expect(r.code).toBe(0);
    const f = fields(r.stdout);
    expect(f.get('Name')).toBe(p.metadata.name);
    expect(f.get('Namespace')).toBe('shop');
    expect(f.get('Node')).toMatch(new RegExp(`^${p.spec.nodeName}/172\\.18\\.0\\.\\d+$`));
    expect(f.get('IP')).toBe(p.status.podIP);
    expect(f.get('Status')).toBe('Running');
    expect(f.get('Controlled By')).toBe('ReplicaSet/web');
    expect(r.stdout).toMatch(/^Containers:\n  nginx:\n    Image:\s+nginx\n    Port:\s+80\/TCP\n/m);
    // values of one block start in one column, as kubectl's tabwriter aligns them
    const top = r.stdout.split('\n').filter((l) => /^(Name|Namespace|Node|Status):/.test(l));
    expect(new Set(top.map((l) => l.search(/\S+$/) - (l.length - l.trimEnd().length)))).toHaveProperty('size', 1);
    expect(r.stdout).toMatch(new RegExp(`Events:\\n  Type\\s+Reason\\s+Age\\s+From\\s+Message\\n.*\\n  Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned shop/${p.metadata.name} to ${p.spec.nodeName}`));
  });

  it('node: Ready Unknown after its failure, with NodeNotReady in its events; --at shows it before', () => {
    const now = describeCmd('node', 'w1');
    expect(now.stdout).toMatch(/Ready\s+Unknown\s+NodeStatusUnknown/);
    expect(now.stdout).toMatch(/Normal\s+NodeNotReady\s+0s\s+node-controller\s+Node w1 status is now: NodeNotReady/);
    expect(fields(now.stdout).get('Non-terminated Pods')).toBe('(0 in total)');
    const before = describeCmd('node', 'w1', '--at', '45s');
    expect(before.stdout).toMatch(/Ready\s+True\s+KubeletReady/);
    expect(before.stdout).not.toContain('NodeNotReady');
    expect(fields(before.stdout).get('Non-terminated Pods')).not.toBe('(0 in total)');
  });

  it('service: selector, ports and its endpoints', () => {
    const f = fields(describeCmd('svc', 'web', '-n', 'shop').stdout);
    expect(f.get('Selector')).toBe('app=web');
    expect(f.get('Type')).toBe('ClusterIP');
    expect(f.get('Port')).toBe('<unset>  80/TCP');
    expect(f.get('Endpoints')!.split(',')).toHaveLength(3);
  });

  it('replicaset: replicas, pod template, and the pods its controller created', () => {
    const r = describeCmd('rs/web', '-n', 'shop');
    const f = fields(r.stdout);
    expect(f.get('Replicas')).toBe('3 current / 3 desired');
    expect(f.get('Pods Status')).toBe('3 Running / 0 Waiting / 0 Succeeded / 0 Failed');
    expect(r.stdout).toMatch(/^Pod Template:\n  Labels:\s+app=web\n\s+tier=front\n  Containers:\n/m);
    expect(r.stdout.match(/Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: web-/g)!.length).toBeGreaterThanOrEqual(3);
  });

  it('ingress: class and rules', () => {
    const r = describeCmd('ing', 'web', '-n', 'shop');
    expect(fields(r.stdout).get('Ingress Class')).toBe('nginx');
    expect(r.stdout).toMatch(/Host\s+Path\s+Backends\n\s+shop\.example\.com\s+\/\s+web:80/);
  });

  it('without a name: every object of the kind; user errors are one line', () => {
    expect(describeCmd('nodes').stdout.match(/^Name:/gm)).toHaveLength(3);
    const nf = describeCmd('pod', 'nope', '-n', 'shop');
    expect(nf.code).toBe(1);
    expect(nf.stderr.trim()).toBe('error: pods "nope" not found in namespace shop');
    expect(describeCmd('ns', 'shop').stderr).toMatch(/^error: describe: podnet cannot describe namespaces yet/);
  });

  it('--help on describe, get and bench shows examples', () => {
    for (const verb of ['describe', 'get', 'bench', 'replay']) {
      const h = podnet([verb, '--help']);
      expect(h.code, verb).toBe(0);
      expect(h.stdout, verb).toMatch(/Examples?:\n  (podnet|npm) /);
    }
  });
});
