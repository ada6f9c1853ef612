// Merging what the partitions saw. Every partition sees every TrafficSent and every
// NodeFailed in log order, so their step and failure lists line up index by index;
// counts add up exactly, and broken flows are sorted by a total order, so the merge
// is the same whatever order the workers finished in and however many there were.
import type { BrokenFlow, TrafficPart } from './TrafficRunner.js';

function addInto(to: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) to[k] = (to[k] ?? 0) + n;
}

function sortedKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function brokenOrder(a: BrokenFlow, b: BrokenFlow): number {
  return a.failedSeq - b.failedSeq || a.before.seq - b.before.seq || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0)
    || (a.to < b.to ? -1 : a.to > b.to ? 1 : 0) || a.flow - b.flow;
}

/**
 * One TrafficPart from many. Per step, `loadMs` and `forwardMs` are the slowest
 * partition's (the partitions run side by side); the totals are the sums of those.
 */
export function mergeTrafficParts(parts: readonly TrafficPart[]): TrafficPart {
  const first = parts[0];
  if (!first) throw new Error('mergeTrafficParts: no parts');
  const out: TrafficPart = {
    packets: 0, unsent: 0, unsentReasons: {}, dispositions: {}, probePackets: 0, probeMs: 0, loads: 0, loadMs: 0, forwardMs: 0,
    steps: first.steps.map((s) => ({ ...s, packets: 0, unsent: 0, loadMs: 0, forwardMs: 0 })),
    failures: first.failures.map((f) => ({ ...f, probedFlows: 0, broken: 0 })),
    broken: [],
  };
  for (const p of parts) {
    if (p.steps.length !== out.steps.length || p.failures.length !== out.failures.length) throw new Error('mergeTrafficParts: partitions saw different logs');
    out.packets += p.packets;
    out.unsent += p.unsent;
    out.probePackets += p.probePackets;
    out.probeMs = Math.max(out.probeMs, p.probeMs);
    out.loads = Math.max(out.loads, p.loads);
    addInto(out.unsentReasons, p.unsentReasons);
    addInto(out.dispositions, p.dispositions);
    p.steps.forEach((s, i) => {
      const o = out.steps[i]!;
      o.packets += s.packets; o.unsent += s.unsent;
      o.loadMs = Math.max(o.loadMs, s.loadMs); o.forwardMs = Math.max(o.forwardMs, s.forwardMs);
    });
    p.failures.forEach((f, i) => { const o = out.failures[i]!; o.probedFlows += f.probedFlows; o.broken += f.broken; });
    out.broken.push(...p.broken);
  }
  for (const s of out.steps) { out.loadMs += s.loadMs; out.forwardMs += s.forwardMs; }
  out.dispositions = sortedKeys(out.dispositions);
  out.unsentReasons = sortedKeys(out.unsentReasons);
  out.broken.sort(brokenOrder);
  return out;
}
