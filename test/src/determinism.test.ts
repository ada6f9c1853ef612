// Determinism: the same scenario gives the same log and the same cluster every time,
// and a trace is the same on either datapath backend.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath } from '../../engine/datapath/index.js';
import { EventLog } from '../../engine/log/index.js';
import { Replayer } from '../../engine/replay/index.js';
import { clusterCodec, clusterDigest, clusterProjection } from '../../src/cluster/index.js';
import { tracePacket } from '../../src/packet/index.js';
import { parseScenario, runScenario } from '../../src/scenario/index.js';
import { tmpDir } from '../support/tmp.js';

const dir = tmpDir();
const DEMO = join(import.meta.dirname, '../../examples/demo.yaml');

function runDemo(name: string) {
  const db = join(dir, name);
  const summary = runScenario(parseScenario(readFileSync(DEMO, 'utf8'), DEMO), db);
  const log = EventLog.open(db, { readonly: true });
  const rows = [...log.read()].map((r) => [r.seq, r.time, r.type, r.stream, Buffer.from(r.payload).toString('hex')]);
  const replayed = new Replayer(log, clusterCodec(), clusterProjection).stateAt().state;
  log.close();
  return { summary, rows, replayed };
}

describe('determinism', () => {
  it('the demo replayed twice writes identical events and folds to the same digest', () => {
    const a = runDemo('a.db');
    const b = runDemo('b.db');
    expect(a.rows.length).toBeGreaterThan(20);
    expect(b.rows).toEqual(a.rows);
    expect(clusterDigest(a.replayed)).toBe(clusterDigest(b.replayed));
    expect(clusterDigest(a.replayed)).toBe(clusterDigest(a.summary.state));
  });

  it('traces between every pair of running pods agree on both backends', () => {
    const { replayed } = runDemo('c.db');
    const pods = [...replayed.pods.values()].filter((p) => p.phase === 'Running' && p.ip && !p.hostNetwork).slice(0, 6);
    expect(pods.length).toBeGreaterThan(3);
    for (const a of pods) for (const b of pods) {
      const req = { src: `pod/${a.namespace}/${a.name}`, dst: b.ip!, port: 80, proto: 'tcp' as const };
      const [w, t] = BACKENDS.map((be) => tracePacket(replayed, createDatapath(be), req));
      expect({ ...w!, backend: '' }, `${req.src} -> ${req.dst}`).toEqual({ ...t!, backend: '' });
    }
  });
});
