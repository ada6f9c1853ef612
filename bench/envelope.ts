// The envelope suite: generate a scenario at Kubernetes' scalability envelope (5,000
// nodes, 150,000 pods, 10,000 services; quick: a tenth) and replay it into a fresh
// event log, as `podnet gen | podnet replay` would. One long run is the honest unit
// here, so tinybench's many-iterations model does not apply: the suite times whole
// runs and reports events/s, wall time and peak memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './BenchResult.js';
import { SuiteSkipped } from './SuiteSkipped.js';
import { parseScenario, runScenario, type Scenario } from '../src/scenario/index.js';

/** Sizes of the generated cluster and how many times it is replayed. */
export interface EnvelopeSizes {
  nodes: number;
  pods: number;
  services: number;
  runs: number;
}

const FULL: EnvelopeSizes = { nodes: 5000, pods: 150_000, services: 10_000, runs: 3 };
const QUICK: EnvelopeSizes = { nodes: 500, pods: 15_000, services: 1000, runs: 1 };

/** What the scale generator (src/scenario/gen.ts, the cluster engineer's) is expected to offer. */
type Generate = (opts: { nodes: number; pods: number; services: number; seed?: number }) => string | Scenario;

/**
 * The generator, loaded at run time because it lands separately: absent, the suite is
 * skipped with a note rather than breaking the other suites.
 */
async function loadGenerator(): Promise<Generate> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(new URL('../src/scenario/gen.js', import.meta.url).href) as Record<string, unknown>;
  } catch {
    throw new SuiteSkipped('envelope', 'the scale generator (src/scenario/gen.ts) is not available yet; envelope-replay not measured');
  }
  const gen = mod.generateScenario;
  if (typeof gen !== 'function') throw new SuiteSkipped('envelope', 'src/scenario/gen.ts exports no generateScenario(opts); envelope-replay not measured');
  return gen as Generate;
}

interface Run { wallMs: number; events: number; peakRss: number }

/** One replay into a fresh log, sampling RSS after every step (the peak a user would see). */
function replayOnce(sc: Scenario, dir: string, i: number): Run {
  let peak = process.memoryUsage().rss;
  const r = runScenario(sc, join(dir, `envelope-${i}.db`), { overwrite: true, onStep: () => { peak = Math.max(peak, process.memoryUsage().rss); } });
  return { wallMs: r.wallMs, events: r.events, peakRss: Math.max(peak, process.memoryUsage().rss) };
}

/**
 * `envelope-replay`: events/s of a whole scenario replay (controllers deciding, events
 * appended to SQLite, the projection folded). meanNs is the mean wall time per event
 * over the runs, p99Ns the slowest run's (too few runs for a percentile).
 */
export async function envelopeSuite(opts: { quick: boolean; sizes?: Partial<EnvelopeSizes> }): Promise<BenchResult[]> {
  const s: EnvelopeSizes = { ...(opts.quick ? QUICK : FULL), ...opts.sizes };
  const generate = await loadGenerator();
  const made = generate({ nodes: s.nodes, pods: s.pods, services: s.services, seed: 1 });
  const sc = typeof made === 'string' ? parseScenario(made, 'envelope (generated)') : made;
  const dir = mkdtempSync(join(tmpdir(), 'podnet-bench-'));
  const runs: Run[] = [];
  try {
    for (let i = 0; i < s.runs; i++) { runs.push(replayOnce(sc, dir, i)); rmSync(join(dir, `envelope-${i}.db`), { force: true }); }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const events = runs[0]!.events;
  const meanMs = runs.reduce((a, r) => a + r.wallMs, 0) / runs.length;
  const slowest = Math.max(...runs.map((r) => r.wallMs));
  return [{
    suite: 'envelope', name: 'envelope-replay', backend: '-', unit: 'events',
    opsPerSec: events / (meanMs / 1000), meanNs: (meanMs * 1e6) / events, p99Ns: (slowest * 1e6) / events, samples: runs.length,
    wallMs: meanMs, peakRssBytes: Math.max(...runs.map((r) => r.peakRss)),
    note: `${s.nodes} nodes, ${s.pods} pods, ${s.services} services: ${events} events in ${(meanMs / 1000).toFixed(2)} s, peak RSS ${(Math.max(...runs.map((r) => r.peakRss)) / 1048576).toFixed(0)} MiB`,
  }];
}
