// LiveCluster's snapshots and the cluster's derived lookups: a snapshot saved during a
// run restores to the same cluster, and an index built from a state's objects on first
// use agrees with the one evolve kept while the controllers ran.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../engine/log/index.js';
import { Replayer } from '../../../engine/replay/index.js';
import { clusterCodec, clusterDigest, clusterProjection, ClusterIndex, type ClusterState } from '../../../src/cluster/index.js';
import { DEFAULT_CLUSTER_CONFIG, LiveCluster } from '../../../src/control/index.js';
import { applyYaml, NGINX_RS } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
let n = 0;

function run(snapshotEvery: number): LiveCluster {
  const log = EventLog.open(join(dir, `live-${++n}.db`));
  const c = new LiveCluster(log, clusterCodec(), { snapshotEvery });
  c.execute({ type: 'CreateCluster', config: DEFAULT_CLUSTER_CONFIG }, 0);
  c.execute({ type: 'AddNode', name: 'control-plane', role: 'control-plane', labels: {} }, 0);
  for (const w of ['worker-a', 'worker-b']) c.execute({ type: 'AddNode', name: w, role: 'worker', labels: {} }, 0);
  c.execute(applyYaml(NGINX_RS), 1000);
  c.execute({ type: 'Scale', kind: 'ReplicaSet', namespace: 'default', name: 'nginx-rs', replicas: 8 }, 2000);
  c.execute({ type: 'FailNode', name: 'worker-b' }, 3000);
  return c;
}

/**
 * The index as plain data, each set in its iteration order (work lists left out: a
 * built index starts settled; an emptied set is the same as none).
 */
function lookups(ix: ClusterIndex): unknown {
  const sets = <K>(m: Map<K, Set<unknown>>) =>
    [...m].filter(([, v]) => v.size > 0).map(([k, v]) => [k, [...v]]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return { owner: sets(ix.podsByOwner), node: sets(ix.podsByNode), label: sets(ix.podsByLabel), ips: sets(ix.podIpsByNode), unscheduled: [...ix.unscheduled], services: sets(ix.servicesByPair) };
}

describe('LiveCluster snapshots', () => {
  it('given a run, when a batch crosses the interval, then a snapshot of the settled state is saved at the batch end', () => {
    const c = run(10);
    const seqs = c.log.snapshotSeqs('cluster');
    expect(seqs.length).toBeGreaterThan(1);
    const last = seqs[seqs.length - 1]!;
    const fromSnap = new Replayer(c.log, clusterCodec(), clusterProjection, { snapshotEvery: 0 }).stateAt({ seq: last });
    const full = new Replayer(c.log, clusterCodec(), { ...clusterProjection, name: 'full' }, { snapshotEvery: 0 }).stateAt({ seq: last });
    expect(fromSnap.fromSnapshot).toBe(last);
    expect(clusterDigest(fromSnap.state)).toBe(clusterDigest(full.state));
    c.log.close();
  });

  it('with snapshots off, none are saved', () => {
    const c = run(0);
    expect(c.log.snapshotSeqs('cluster')).toEqual([]);
    c.log.close();
  });
});

describe('derived lookups', () => {
  it('an index built on first use agrees with the one evolve kept during the run', () => {
    const c = run(0);
    const kept = c.state.index;
    const replayed: ClusterState = new Replayer(c.log, clusterCodec(), { ...clusterProjection, name: 'x' }, { snapshotEvery: 0 }).stateAt().state;
    expect(replayed.indexed).toBeUndefined(); // a replay for a query does not build it
    expect(lookups(replayed.index)).toEqual(lookups(kept));
    expect([...replayed.podIps].sort()).toEqual([...c.state.podIps].sort());
    c.log.close();
  });
});
