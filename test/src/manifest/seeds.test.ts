import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/manifest/index.js';
import type { Command } from '../../../src/control/index.js';
import { newCluster, spread } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const SEEDS = join(import.meta.dirname, '../../../examples/seeds');

function applyFile(name: string): Command {
  const m = loadManifests(join(SEEDS, name));
  return { type: 'Apply', objects: m.objects, source: name, where: m.where };
}

const count = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

describe("the seeds' manifests, well-formed, load and behave", () => {
  it('the folder loads as kubectl apply -f would: every kind, no warnings', () => {
    const m = loadManifests(SEEDS);
    expect(m.warnings).toEqual([]);
    expect(m.objects.map((o) => `${o.kind}/${o.name}`)).toEqual([
      'DaemonSet/fluentd-ds', 'DaemonSet/nginx-ds', 'Pod/nginx-pod', 'ReplicationController/nginx-rc', 'ReplicaSet/nginx-rs',
    ]);
    expect(m.where[4]).toMatch(/nginx-rs\.yaml: document 1 \(ReplicaSet\/nginx-rs\)$/);
  });

  it('given the nginx pod, when applied, then it runs on a worker with an IP from that worker\'s CIDR', () => {
    const c = newCluster(dir);
    c.execute(applyFile('nginx-pod.yaml'), 0);
    const p = c.state.pods.get('default/nginx-pod')!;
    expect(p.phase).toBe('Running');
    expect(p.node).toMatch(/^worker-/);
    expect(p.ip!.startsWith(c.state.nodes.get(p.node!)!.podCidr.replace(/0\/24$/, ''))).toBe(true);
  });

  it('given the RC with 3 replicas, when scaled to 6 then to 2, then the pods follow', () => {
    const c = newCluster(dir);
    c.execute(applyFile('nginx-rc.yaml'), 0);
    expect(count(spread(c.state, 'nginx-rc-'))).toBe(3);
    c.execute({ type: 'Scale', kind: 'ReplicationController', namespace: 'default', name: 'nginx-rc', replicas: 6 }, 10_000);
    expect(spread(c.state, 'nginx-rc-')).toEqual({ 'worker-a': 3, 'worker-b': 3 });
    c.execute({ type: 'Scale', kind: 'ReplicationController', namespace: 'default', name: 'nginx-rc', replicas: 2 }, 20_000);
    expect(count(spread(c.state, 'nginx-rc-'))).toBe(2);
  });

  it('given the RS, when scaled to 7 then to 3, then 7 and 3 pods run, newest removed first', () => {
    const c = newCluster(dir);
    c.execute(applyFile('nginx-rs.yaml'), 0);
    const first = [...c.state.pods.values()].filter((p) => p.name.startsWith('nginx-rs-')).map((p) => p.name);
    c.execute({ type: 'Scale', kind: 'ReplicaSet', namespace: 'default', name: 'nginx-rs', replicas: 7 }, 10_000);
    expect(spread(c.state, 'nginx-rs-')).toEqual({ 'worker-a': 4, 'worker-b': 3 });
    c.execute({ type: 'Scale', kind: 'ReplicaSet', namespace: 'default', name: 'nginx-rs', replicas: 3 }, 20_000);
    expect([...c.state.pods.values()].filter((p) => p.name.startsWith('nginx-rs-')).map((p) => p.name)).toEqual(first);
  });

  it('given the fluentd DaemonSet, then one pod per worker and none on the tainted control plane', () => {
    const c = newCluster(dir, ['worker-a', 'worker-b', 'worker-c']);
    c.execute(applyFile('fluentd-ds.yaml'), 0);
    expect(spread(c.state, 'fluentd-ds-')).toEqual({ 'worker-a': 1, 'worker-b': 1, 'worker-c': 1 });
  });

  it('given the nginx DaemonSet, then no pods until the workers are labelled node=server, then one on each labelled worker', () => {
    const c = newCluster(dir, ['worker-a', 'worker-b', 'worker-c']);
    c.execute(applyFile('nginx-ds.yaml'), 0);
    expect(spread(c.state, 'nginx-ds-')).toEqual({});
    c.execute({ type: 'LabelNode', name: 'worker-a', labels: { node: 'server' } }, 10_000);
    c.execute({ type: 'LabelNode', name: 'worker-b', labels: { node: 'server' } }, 10_000);
    expect(spread(c.state, 'nginx-ds-')).toEqual({ 'worker-a': 1, 'worker-b': 1 });
    c.execute({ type: 'LabelNode', name: 'worker-a', labels: { node: null } }, 20_000);
    expect(spread(c.state, 'nginx-ds-')).toEqual({ 'worker-b': 1 });
  });
});
