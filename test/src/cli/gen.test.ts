import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();

describe('podnet gen (spawned)', () => {
  it('writes a reproducible scenario that replays to the asked-for counts', () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const args = ['--nodes', '12', '--pods', '300', '--services', '20'];
    expect(podnet(['gen', ...args, '-o', a]).code).toBe(0);
    expect(podnet(['gen', ...args, '-o', b]).code).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    const db = join(dir, 'g.db');
    const r = podnet(['replay', a, '--db', db]);
    expect(r.code).toBe(0);
    const nodes = JSON.parse(podnet(['get', 'nodes', '-o', 'json', '--db', db]).stdout) as { items: unknown[] };
    expect(nodes.items).toHaveLength(12);
    const pods = JSON.parse(podnet(['get', 'pods', '-A', '-o', 'json', '--db', db]).stdout) as { items: { spec: { nodeName?: string } }[] };
    expect(pods.items.length).toBeLessThanOrEqual(300);
    expect(pods.items.length).toBeGreaterThan(250);
    const perNode = new Map<string, number>();
    for (const p of pods.items) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    expect(Math.max(...perNode.values())).toBeLessThanOrEqual(110);
  });

  it('says what is wrong with impossible sizes, in one line', () => {
    const r = podnet(['gen', '--nodes', '3', '--pods', '1000', '-o', join(dir, 'x.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: gen: --pods: needs at least \d+ for 3 nodes and 10000 services .*: raise --pods or lower --services$/);
    // each error says which value would do, and that value passes that check
    const crowded = podnet(['gen', '--nodes', '3', '--pods', '300', '--services', '11', '-o', join(dir, 'x.json')]);
    expect(crowded.stderr.trim()).toBe('error: gen: --pods: 300 pods do not fit 2 workers at 110 pods per node: use --nodes 4 or more');
    expect(podnet(['gen', '--nodes', '4', '--pods', '300', '--services', '11', '-o', join(dir, 'x.json')]).code).toBe(0);
    const few = podnet(['gen', '--nodes', '40', '--pods', '4000', '--services', '11', '-o', join(dir, 'y.json')]);
    const need = /use --services (\d+) or more$/.exec(few.stderr.trim());
    expect(few.stderr.trim()).toMatch(/^error: gen: --services: too few for 4000 pods at 250 endpoints per Service: use --services \d+ or more$/);
    expect(podnet(['gen', '--nodes', '40', '--pods', '4000', '--services', need![1]!, '-o', join(dir, 'y.json')]).code).toBe(0);
    expect(podnet(['gen', '--nodes', '40', '--pods', '4000', '--services', String(Number(need![1]) - 1), '-o', join(dir, 'y.json')]).code).toBe(1);
  });
});
