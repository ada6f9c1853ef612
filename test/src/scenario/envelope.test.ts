// A tenth of Kubernetes' scalability envelope, generated and replayed: the counts the
// log rebuilds must be the ones asked for, within the envelope's per-node and
// per-Service limits. (The full 5,000-node envelope runs in `podnet bench`.)
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../engine/log/index.js';
import { Replayer } from '../../../engine/replay/index.js';
import { clusterCodec, clusterDigest, clusterProjection } from '../../../src/cluster/index.js';
import { generateScenario, parseScenario, runScenario } from '../../../src/scenario/index.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();

describe('envelope scenario (1/10 scale)', () => {
  it('gen + replay: 500 nodes, 15,000 pods, 1,000 Services, all Running, <=110 pods/node, <=250 endpoints/Service', { timeout: 120_000 }, () => {
    const text = generateScenario({ nodes: 500, pods: 15_000, services: 1000, seed: 7 });
    expect(generateScenario({ nodes: 500, pods: 15_000, services: 1000, seed: 7 })).toBe(text);
    const sc = parseScenario(text, 'envelope.json');
    const db = join(dir, 'envelope.db');
    const r = runScenario(sc, db);
    const s = r.state;
    expect(s.nodes.size).toBe(500);
    expect(s.pods.size).toBe(15_000);
    expect([...s.pods.values()].filter((p) => p.phase !== 'Running')).toEqual([]);
    expect(s.services.size).toBe(1000 + 2); // + kubernetes and kube-dns
    expect(s.endpoints.size).toBe(1002);
    const perNode = new Map<string, number>();
    for (const p of s.pods.values()) perNode.set(p.node!, (perNode.get(p.node!) ?? 0) + 1);
    expect(Math.max(...perNode.values())).toBeLessThanOrEqual(110);
    // every node but the failed one (whose fluentd pod stays) carries pods; spreading kept them even
    const counts = [...perNode.entries()].filter(([n]) => n !== 'control-plane').map(([, c]) => c);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(40);
    const eps = [...s.endpoints.values()].filter((e) => e.namespace.startsWith('team-'));
    expect(Math.max(...eps.map((e) => e.endpoints.length))).toBeLessThanOrEqual(250);
    expect(eps.reduce((a, e) => a + e.endpoints.length, 0)).toBe([...s.pods.values()].filter((p) => /^(web|edge)-/.test(p.name) && s.nodes.get(p.node!)!.ready).length);
    const ips = [...s.pods.values()].filter((p) => !p.hostNetwork).map((p) => p.ip);
    expect(new Set(ips).size).toBe(ips.length);
    // the log alone rebuilds the same cluster
    const log = EventLog.open(db, { readonly: true });
    try {
      const replayed = new Replayer(log, clusterCodec(), clusterProjection).stateAt().state;
      expect(clusterDigest(replayed)).toBe(clusterDigest(s));
    } finally {
      log.close();
    }
  });
});
