// Resource limits behave like a cluster: the kubelet's default of 110 pods per node.
// (A full service CIDR is in test/src/manifest/invalidManifests.test.ts.)
import { describe, expect, it } from 'vitest';
import { applyYaml, newCluster } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();

const rs = (replicas: number) => `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: many}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: many}}
  template:
    metadata: {labels: {app: many}}
    spec: {containers: [{name: c, image: pause}]}
`;

describe('limits', () => {
  it('a node at 110 pods gets no more: the rest stay Pending with the reason', () => {
    const c = newCluster(dir, ['worker-a']);
    c.execute(applyYaml(rs(115)), 0);
    const onWorker = [...c.state.pods.values()].filter((p) => p.node === 'worker-a');
    expect(onWorker).toHaveLength(110);
    const pending = [...c.state.pods.values()].filter((p) => p.phase === 'Pending');
    expect(pending).toHaveLength(5);
    expect(pending[0]!.message).toContain('node(s) had too many pods');
    expect(new Set(onWorker.map((p) => p.ip)).size).toBe(110);
  });
});
