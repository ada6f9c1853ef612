// history, diff, log and verify, run as the real podnet command (dist/: `npm run build:ts`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const db = join(dir, 'q.db');

const SCENARIO = `
cluster:
  name: q
  nodes:
    - {name: control-plane, role: control-plane}
    - {name: worker-a}
    - {name: worker-b}
steps:
  - at: 0s
    apply: |
      apiVersion: apps/v1
      kind: ReplicaSet
      metadata: {name: web}
      spec:
        replicas: 4
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
        ports: [{port: 80}]
  - at: 30s
    nodeFail: worker-b
`;

interface Ev { seq: number; time: number; type: string; stream: string; data: Record<string, unknown> }

beforeAll(() => {
  const file = join(dir, 'q.yaml');
  writeFileSync(file, SCENARIO);
  const r = podnet(['replay', file, '--db', db]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

const json = <T>(args: string[]): T => {
  const r = podnet([...args, '--db', db, '-o', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
};

describe('podnet log', () => {
  it('filters raw events by type and by time range', () => {
    const failed = json<Ev[]>(['log', '--type', 'NodeFailed']);
    expect(failed.map((e) => [e.type, e.stream, e.time, e.data.name])).toEqual([['NodeFailed', 'node/worker-b', 30_000, 'worker-b']]);
    const at30 = json<Ev[]>(['log', '--since', '30s', '--until', '30s']);
    expect(at30.length).toBeGreaterThan(1);
    expect(at30.every((e) => e.time === 30_000)).toBe(true);
    const all = json<Ev[]>(['log']);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(at30[0]!.seq).toBe(failed[0]!.seq);
  });

  it('names the flag a bad point came from (--since, --until, --from, --to)', () => {
    for (const args of [['log', '--since', '5q'], ['log', '--until', '-3'], ['diff', '--from', '1x', '--to', '10s'], ['diff', '--from', '0', '--to', 'soon']]) {
      const r = podnet([...args, '--db', db]);
      const [flag, value] = args[0] === 'log' ? [args[1], args[2]] : args[2] === '1x' ? ['--from', '1x'] : ['--to', 'soon'];
      expect([r.code, r.stderr.trim()]).toEqual([1, `error: ${flag} ${value}: give a sequence number (e.g. 42) or a scenario time (e.g. 90s, 5m, 1h30m)`]);
    }
  });

  it('says which types exist when --type names none', () => {
    const r = podnet(['log', '--type', 'PodExploded', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--type PodExploded: no such event type; known types: .*PodScheduled/);
  });
});

describe('podnet history', () => {
  it('lists every event about one object in order, with its time, by kubectl kind names', () => {
    const table = podnet(['history', 'no/worker-b', '--db', db]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SEQ\s+TIME\s+EVENT\s+DATA$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(1, 3))).toEqual([['0s', 'NodeJoined'], ['30s', 'NodeFailed']]);
    const pods = json<Ev[]>(['log', '--type', 'PodScheduled']).filter((e) => e.data.node === 'worker-b' && String(e.data.name).startsWith('web'));
    const name = String(pods[0]!.data.name);
    const h = json<{ stream: string; events: { seq: number; type: string }[] }>(['history', `po/${name}`]);
    expect(h.stream).toBe(`pod/default/${name}`);
    expect(h.events.map((e) => e.type).slice(0, 2)).toEqual(['PodCreated', 'PodScheduled']);
    expect(h.events.map((e) => e.type)).toContain('PodDeleted');
    const before = json<{ events: unknown[] }>(['history', `pod/${name}`, '--at', '10s']);
    expect(before.events.length).toBe(2);
  });

  it('names the object when it has no events', () => {
    const r = podnet(['history', 'pod/ghost', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pod\/ghost: no events about pod\/default\/ghost/);
    expect(podnet(['history', 'widget/x', '--db', db]).stderr).toMatch(/unknown kind "widget"/);
  });
});

describe('podnet diff', () => {
  it('shows a failed node, the pods moved off it, endpoints and routes', () => {
    const d = json<{ from: { seq: number }; to: { seq: number }; changes: { kind: string; name: string; change: string; details: string[] }[]; routes: string[] }>(['diff', '--from', '10s', '--to', '40s']);
    expect(d.to.seq).toBeGreaterThan(d.from.seq);
    const node = d.changes.find((c) => c.kind === 'Node' && c.name === 'worker-b');
    expect(node).toMatchObject({ change: 'changed', details: ['became NotReady'] });
    const removed = d.changes.filter((c) => c.kind === 'Pod' && c.change === 'removed');
    const added = d.changes.filter((c) => c.kind === 'Pod' && c.change === 'added');
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((c) => c.details.includes('on worker-b'))).toBe(true);
    expect(added.length).toBe(removed.length);
    expect(added.every((c) => !c.details.includes('on worker-b'))).toBe(true);
    const ep = d.changes.find((c) => c.kind === 'Endpoints' && c.name === 'web');
    expect(ep?.details.some((x) => x.startsWith('-') && x.endsWith('on worker-b)'))).toBe(true);
    expect(d.routes).toContain('routes to 10.244.2.0/24 unreachable (node worker-b NotReady)');
    const text = podnet(['diff', '--from', '0', '--to', '10s', '--db', db]);
    expect(text.stdout).toMatch(/^\+ node\/worker-a added: podCIDR 10\.244\.1\.0\/24/m);
    expect(text.stdout).toMatch(/routes to 10\.244\.1\.0\/24 added \(node worker-a joined\)/);
  });
});

describe('podnet verify', () => {
  it('passes a sound log and its snapshots, and names the sequence of a corrupt chunk', () => {
    podnet(['get', 'pods', '--db', db]); // a query leaves snapshots behind when the log is long enough
    const ok = podnet(['verify', '--db', db]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/events in \d+ chunks/);
    expect(ok.stdout).toMatch(/^ok: /m);

    const bad = join(dir, 'bad.db');
    const src = new Database(db, { readonly: true });
    src.exec(`VACUUM INTO '${bad}'`);
    src.close();
    const w = new Database(bad);
    const last = w.prepare('SELECT first_seq AS f, last_seq AS l, body FROM chunks ORDER BY first_seq DESC LIMIT 1').get() as { f: number; l: number; body: Buffer };
    w.prepare('UPDATE chunks SET body = ? WHERE first_seq = ?').run(last.body.subarray(0, last.body.length - 1), last.f);
    w.prepare('DELETE FROM chunks WHERE first_seq = (SELECT min(first_seq) FROM chunks WHERE first_seq > 1)').run();
    w.close();
    const r = podnet(['verify', '--db', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/problem: sequence \d+: missing events \d+\.\.\d+ \(gap\)/);
    expect(r.stdout).toMatch(new RegExp(`problem: sequence ${last.l}: chunk ${last.f}\\.\\.${last.l} does not parse`));
    expect(r.stderr).toMatch(/bad\.db: 2 problem\(s\)/);
  });

  it('refuses a file that is not a podnet log', () => {
    const other = join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)');
    const r = podnet(['verify', '--db', other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/other\.db: is an SQLite database but not a podnet event log/);
  });
});
