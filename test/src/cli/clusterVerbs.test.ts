import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const db = join(dir, 'verbs.db');
const SEEDS = join(import.meta.dirname, '../../../examples/seeds');

function ok(args: string[]): string {
  const r = podnet([...args, '--db', db]);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return r.stdout;
}

/** node -> count of pods whose name starts with prefix, from `get pods -o wide`. */
function spread(prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of podnet(['get', 'pods', '-o', 'wide', '--db', db]).stdout.split('\n').slice(1)) {
    const [name, , status, , , , node] = l.split(/\s+/);
    if (name?.startsWith(prefix) && status === 'Running') out[node!] = (out[node!] ?? 0) + 1;
  }
  return out;
}

describe('apply, scale, label, node, delete append to the log like kubectl (spawned)', () => {
  const scen = join(dir, 'three.yaml');
  writeFileSync(scen, 'cluster:\n  nodes: [{name: control-plane, role: control-plane}, {name: worker-a}, {name: worker-b}]\nsteps: []\n');

  it('apply on a missing log says how to make one, and writes nothing', () => {
    const r = podnet(['apply', '-f', join(SEEDS, 'nginx-rc.yaml'), '--db', join(dir, 'none.db')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*none\.db: no such event log; create a cluster first with 'podnet demo --db .*' or 'podnet replay SCENARIO --db .*'\n$/);
  });

  it("runs the seeds' RC story: apply, scale 6, scale 2, fail a worker, delete", () => {
    ok(['replay', scen]);
    expect(ok(['apply', '-f', join(SEEDS, 'nginx-rc.yaml')])).toBe('replicationcontroller/nginx-rc created\n');
    expect(spread('nginx-rc-')).toEqual({ 'worker-a': 2, 'worker-b': 1 });
    expect(ok(['apply', '-f', join(SEEDS, 'nginx-rc.yaml')])).toBe('replicationcontroller/nginx-rc configured\n');
    expect(ok(['scale', 'rc/nginx-rc', '--replicas', '6'])).toBe('replicationcontroller/nginx-rc scaled\n');
    expect(spread('nginx-rc-')).toEqual({ 'worker-a': 3, 'worker-b': 3 });
    ok(['scale', 'rc', 'nginx-rc', '--replicas', '2']);
    expect(Object.values(spread('nginx-rc-')).reduce((a, b) => a + b)).toBe(2);
    expect(ok(['node', 'fail', 'worker-b'])).toMatch(/^node\/worker-b failed \(NotReady\): \d+ pods evicted, \d+ rescheduled\n$/);
    expect(spread('nginx-rc-')).toEqual({ 'worker-a': 2 });
    expect(ok(['node', 'recover', 'worker-b'])).toBe('node/worker-b recovered (Ready)\n');
    expect(ok(['delete', 'rc/nginx-rc'])).toBe('replicationcontroller "nginx-rc" deleted\n');
    expect(spread('nginx-rc-')).toEqual({});
  });

  it('labels nodes for the nginx DaemonSet, drains and uncordons', () => {
    ok(['apply', '-f', join(SEEDS, 'nginx-ds.yaml')]);
    expect(spread('nginx-ds-')).toEqual({});
    expect(ok(['label', 'nodes', 'worker-a', 'worker-b', 'node=server'])).toBe('node/worker-a labeled\nnode/worker-b labeled\n');
    expect(spread('nginx-ds-')).toEqual({ 'worker-a': 1, 'worker-b': 1 });
    ok(['label', 'nodes', 'worker-b', 'node-']);
    expect(spread('nginx-ds-')).toEqual({ 'worker-a': 1 });
    ok(['apply', '-f', join(SEEDS, 'nginx-rs.yaml')]);
    const drained = ok(['node', 'drain', 'worker-a']).split('\n');
    expect(drained[0]).toBe('node/worker-a cordoned');
    expect(drained.filter((l) => l.startsWith('evicting pod default/nginx-rs-')).length).toBeGreaterThan(0);
    expect(drained).toContain('node/worker-a drained');
    expect(spread('nginx-rs-')).toEqual({ 'worker-b': 3 });
    expect(spread('nginx-ds-')).toEqual({ 'worker-a': 1 }); // DaemonSet pods stay, as kubectl drain --ignore-daemonsets
    expect(ok(['node', 'uncordon', 'worker-a'])).toBe('node/worker-a uncordoned\n');
    expect(ok(['delete', '-f', join(SEEDS, 'nginx-ds.yaml')])).toBe('daemonset.apps "nginx-ds" deleted\n');
  });

  it('user errors: one line, exit 1, and the log is unchanged', () => {
    const before = ok(['get', '--digest']);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 70000}]\n');
    const cases: [string[], string][] = [
      [['apply', '-f', bad], `error: ${bad}: document 1 (Service/s): spec.ports[0].port: 70000 is out of range (1-65535)`],
      [['scale', 'rs/nope', '--replicas', '2'], 'error: replicasets "nope" not found in namespace default'],
      [['scale', 'rs/nginx-rs', '--replicas', 'many'], 'error: scale: --replicas must be a whole number >= 0 (got "many")'],
      [['scale', 'ds/fluentd', '--replicas', '2'], 'error: a DaemonSet cannot be scaled: it runs one pod per node'],
      [['delete', 'widget/x'], 'error: delete: unknown kind "widget" (use e.g. rs/nginx-rs, rc/nginx-rc, deploy/web, ds/fluentd-ds, pod/x, svc/x, node/x)'],
      [['label', 'nodes', 'ghost', 'a=b'], 'error: label: node "ghost" not found'],
      [['node', 'explode', 'worker-a'], 'error: node: unknown action "explode"; use fail, recover, drain or uncordon'],
      [['node', 'recover', 'worker-a'], 'error: node "worker-a" is already Ready'],
    ];
    for (const [args, msg] of cases) {
      const r = podnet([...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toBe(`${msg}\n`);
    }
    expect(ok(['get', '--digest'])).toBe(before);
  });
});
