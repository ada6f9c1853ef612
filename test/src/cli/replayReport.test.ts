import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../../engine/log/index.js';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const scenario = join(dir, 'small.json');

function replay(db: string, ...extra: string[]) {
  const r = podnet(['replay', scenario, '--db', db, '-o', 'json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('podnet replay report (spawned CLI, a small generated scenario)', () => {
  let report: ReturnType<typeof replay>;
  beforeAll(() => {
    const g = podnet(['gen', '--nodes', '20', '--pods', '300', '--services', '20', '-o', scenario]);
    expect(g.code, g.stderr).toBe(0);
    // The generator's traffic is 100 flows x 1,000 packets per step; 20 packets keep the test fast.
    const doc = JSON.parse(readFileSync(scenario, 'utf8'));
    for (const s of doc.steps) if (s.traffic) s.traffic.packets = 20;
    writeFileSync(scenario, JSON.stringify(doc));
    report = replay(join(dir, 'one.db'));
  });

  it('counts the events in the log, and its dispositions sum to the packets forwarded', () => {
    const log = EventLog.open(join(dir, 'one.db'), { readonly: true });
    try {
      expect(report.events).toBe(log.lastSeq());
      const sent = [...log.read()].filter((e) => e.type === 'TrafficSent').length;
      expect(report.traffic.steps).toHaveLength(sent);
    } finally {
      log.close();
    }
    const t = report.traffic;
    expect(t.packets).toBeGreaterThan(0);
    expect(Object.values(t.dispositions as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(t.packets);
    const spec = t.steps.reduce((n: number, s: { spec: { flows: number; packets: number } }) => n + s.spec.flows * s.spec.packets, 0);
    expect(t.packets + t.unsent).toBe(spec);
    expect(report.eventsPerSec).toBeGreaterThan(0);
    expect(report.peakRssBytes).toBeGreaterThan(1 << 20);
  });

  it('lists flows broken at the node failure, each of which had crossed the failed node', () => {
    const t = report.traffic;
    expect(t.failures).toHaveLength(1);
    const failed = t.failures[0];
    const log = EventLog.open(join(dir, 'one.db'), { readonly: true });
    try {
      const e = [...log.read(failed.seq, failed.seq)][0]!;
      expect([e.type, e.stream]).toEqual(['NodeFailed', `node/${failed.node}`]);
    } finally {
      log.close();
    }
    expect(t.broken.length).toBeGreaterThan(0);
    expect(t.broken.length).toBe(failed.broken);
    for (const f of t.broken) {
      expect(f.failedNode).toBe(failed.node);
      expect(f.before.verdict).toBe('DELIVERED');
      expect(f.before.node === failed.node || f.before.path.includes(failed.node)).toBe(true);
      expect(f.after.verdict !== 'DELIVERED' || f.after.deliveredTo !== f.before.deliveredTo).toBe(true);
    }
  });

  it('--workers 1,2 gives the same counts as in-process forwarding, and reports the scaling', () => {
    const w = replay(join(dir, 'workers.db'), '--workers', '1,2');
    expect(w.scaling.map((s: { workers: number }) => s.workers)).toEqual([1, 2]);
    expect(w.scaling.every((s: { sameCounts: boolean; packetsPerSec: number }) => s.sameCounts && s.packetsPerSec > 0)).toBe(true);
    for (const k of ['packets', 'unsent', 'dispositions', 'probePackets', 'broken', 'failures'] as const) expect(w.traffic[k]).toEqual(report.traffic[k]);
  });

  it('prints a table report; --workers 0 is an error naming the flag', () => {
    const r = podnet(['replay', scenario, '--db', join(dir, 'table.db')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/events\/s\); wall [\d.]+ s, peak RSS \d+ MiB/);
    expect(r.stdout).toMatch(/^DISPOSITION\s+PACKETS$/m);
    expect(r.stdout).toMatch(/node-\d+ failed at 30m0?s? \(seq \d+\): \d+ delivered flows probed/);
    expect(r.stderr).toBe('');
    const bad = podnet(['replay', scenario, '--db', join(dir, 'bad.db'), '--workers', '0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--workers 0');
  });
});
