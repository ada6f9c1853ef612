// evolve binds a PodScheduled to its pod through the recently created pods (no key, no
// Map lookup) when it names the next one; these cases check it always binds the pod
// the pods Map holds, whatever the order of creations, deletions and bindings.
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../engine/codec/index.js';
import { clusterProjection, type ClusterEventMap, type ClusterState } from '../../../src/cluster/index.js';

type Step = ['create' | 'schedule' | 'delete', string, string?];

function fold(steps: Step[]): ClusterState {
  let s = clusterProjection.initialState();
  let seq = 0;
  const containers = [{ name: 'web', image: 'nginx', ports: [] }];
  for (const [verb, name, node] of steps) {
    const data: ClusterEventMap[keyof ClusterEventMap] = verb === 'create'
      ? { namespace: 'default', name, labels: { app: 'web' }, containers, owner: { kind: 'ReplicaSet', name: 'web' } }
      : verb === 'schedule' ? { namespace: 'default', name, node: node!, ip: `10.0.0.${seq}` }
        : { namespace: 'default', name, reason: 'test' };
    const type = verb === 'create' ? 'PodCreated' : verb === 'schedule' ? 'PodScheduled' : 'PodDeleted';
    const e: EventEnvelope = { seq: ++seq, time: seq, type, stream: `pod/default/${name}`, data: data as Record<string, unknown> };
    s = clusterProjection.evolve(s, e);
  }
  return s;
}

const nodesOf = (s: ClusterState) => Object.fromEntries([...s.pods.values()].map((p) => [p.name, p.node ?? null]));

describe('PodScheduled binds the pod the pods Map holds', () => {
  it('in creation order, one at a time and in runs', () => {
    expect(nodesOf(fold([['create', 'a'], ['schedule', 'a', 'n1'], ['create', 'b'], ['create', 'c'], ['schedule', 'b', 'n2'], ['schedule', 'c', 'n3']])))
      .toEqual({ a: 'n1', b: 'n2', c: 'n3' });
  });

  it('out of creation order, and a pod never scheduled stays Pending', () => {
    const s = fold([['create', 'a'], ['create', 'b'], ['create', 'c'], ['schedule', 'c', 'n3'], ['schedule', 'a', 'n1']]);
    expect(nodesOf(s)).toEqual({ a: 'n1', b: null, c: 'n3' });
    expect(s.pods.get('default/b')!.phase).toBe('Pending');
  });

  it('a pod deleted and created again under its name: the new one is bound', () => {
    const s = fold([['create', 'a'], ['create', 'b'], ['delete', 'a'], ['create', 'a'], ['schedule', 'a', 'n2'], ['schedule', 'b', 'n1']]);
    expect(nodesOf(s)).toEqual({ a: 'n2', b: 'n1' });
    expect(s.pods.get('default/a')!.phase).toBe('Running');
  });

  it('a pod created again without a deletion: the new one is bound', () => {
    const s = fold([['create', 'a'], ['create', 'a'], ['schedule', 'a', 'n1']]);
    expect(s.pods.size).toBe(1);
    expect(s.pods.get('default/a')).toMatchObject({ node: 'n1', phase: 'Running' });
  });

  it('a deleted pod is not bound by a later PodScheduled', () => {
    const s = fold([['create', 'a'], ['delete', 'a'], ['schedule', 'a', 'n1']]);
    expect(s.pods.size).toBe(0);
  });
});
