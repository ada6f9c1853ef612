import type { Trace } from '../packet/index.js';
import { formatDuration } from '../scenario/index.js';
import { formatTable } from './table.js';

/** A trace as text: one block per hop, one line per step, like the seeds' diagrams. */
export function formatTrace(t: Trace): string {
  const lines = [`trace ${t.src} -> ${t.dst} ${t.proto}/${t.port}  (log seq ${t.at.seq}, t=${formatDuration(t.at.time)}, datapath ${t.backend})`];
  let n = 0;
  for (const h of t.hops) {
    lines.push('', `${h.node}  [${h.ns}]`);
    const rows = h.steps.map((s) => [`${++n}`, s.point, s.dev ?? '', s.action, [s.match, s.detail, s.frame, s.packet].filter(Boolean).join('  |  ')]);
    lines.push(...formatTable(['#', 'POINT', 'DEV', 'ACTION', 'WHAT'], rows).split('\n').slice(1).map((l) => `  ${l}`));
  }
  lines.push('', t.disposition === 'DELIVERED' ? `DELIVERED to ${t.deliveredTo}` : `DROPPED: ${t.reason}`);
  return lines.join('\n');
}
