import type { Trace } from '../packet/index.js';
import { formatDuration } from '../scenario/index.js';
import { formatTable } from './table.js';

/** A trace as text: one block per hop, one line per step, like the seeds' diagrams. */
export function formatTrace(t: Trace): string {
  const lines = [`trace ${t.src} -> ${t.dst} ${t.proto}/${t.port}  (log seq ${t.at.seq}, t=${formatDuration(t.at.time)}, datapath ${t.backend})`];
  formatHops(t.hops, lines);
  lines.push('', t.disposition === 'DELIVERED' ? `DELIVERED to ${t.deliveredTo}` : `DROPPED: ${t.reason}`);
  if (t.reply) {
    lines.push('', '--- reply ---');
    formatHops(t.reply.hops, lines);
    lines.push('', t.reply.disposition === 'DELIVERED' ? `REPLY DELIVERED to ${t.reply.deliveredTo}` : `REPLY DROPPED: ${t.reply.reason}`);
  }
  return lines.join('\n');
}

function formatHops(hops: Trace['hops'], lines: string[]): void {
  let n = 0;
  for (const h of hops) {
    lines.push('', `${h.node}  [${h.ns}]`);
    const rows = h.steps.map((s) => [`${++n}`, s.point, s.dev ?? '', s.action, [s.match, s.detail, s.frame, s.packet].filter(Boolean).join('  |  ')]);
    lines.push(...formatTable(['#', 'POINT', 'DEV', 'ACTION', 'WHAT'], rows).split('\n').slice(1).map((l) => `  ${l}`));
  }
}
