import { ValidationError } from '../../../engine/errors.js';
import { clusterCodec, clusterEventSchemas } from '../../cluster/index.js';
import { openForQuery, parseAt, readEvents } from '../../query/index.js';
import { formatDuration } from '../../scenario/index.js';
import { dbOption, dbPath, parseOutput, type Io, type RegisterVerb } from '../context.js';
import { formatTable } from '../table.js';

const MAX_DATA_WIDTH = 120;

/**
 * An event's data on one line: `key=value` for scalars, compact JSON for the rest,
 * cut at MAX_DATA_WIDTH characters (the full data is in `-o json`).
 */
export function formatEventData(data: Record<string, unknown>): string {
  const text = Object.entries(data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return text.length > MAX_DATA_WIDTH ? `${text.slice(0, MAX_DATA_WIDTH - 3)}...` : text;
}

interface LogOptions { db?: string; type?: string[]; since?: string; until?: string; output?: string }

/** `podnet log` */
export function logCommand(io: Io, o: LogOptions): void {
  const format = parseOutput(o.output, ['table', 'json']);
  const types = (o.type ?? []).flatMap((t) => t.split(',')).filter((t) => t !== '');
  const known = new Set(clusterEventSchemas.map((s) => s.type));
  for (const t of types) if (!known.has(t)) throw new ValidationError(`--type ${t}: no such event type; known types: ${[...known].join(', ')}`);
  const log = openForQuery(dbPath(o.db));
  try {
    const events = readEvents(log, clusterCodec(), { types, ...(o.since ? { since: parseAt(o.since, '--since') } : {}), ...(o.until ? { until: parseAt(o.until, '--until') } : {}) });
    if (format === 'json') { io.out(JSON.stringify(events, null, 2)); return; }
    if (events.length === 0) { io.err('No events found'); return; }
    io.out(formatTable(['SEQ', 'TIME', 'EVENT', 'OBJECT', 'DATA'], events.map((e) => [String(e.seq), formatDuration(e.time), e.type, e.stream, formatEventData(e.data)])));
  } finally {
    log.close();
  }
}

export const registerLog: RegisterVerb = (program, io) => {
  program.command('log')
    .description('the raw events of the log, filtered by type and range')
    .addOption(dbOption())
    .option('--type <type...>', 'only these event types (repeat or comma-separate)')
    .option('--since <point>', 'from this sequence number (42) or scenario time (90s), inclusive')
    .option('--until <point>', 'up to this sequence number or scenario time, inclusive')
    .option('-o, --output <fmt>', 'json')
    .addHelpText('after', '\nExamples:\n  podnet log --type PodScheduled --since 30s --until 1m\n  podnet log --since 100 --until 120 -o json')
    .action((o) => logCommand(io, o));
};
