import { ValidationError } from '../../../engine/errors.js';
import { clusterAt, diffClusters, parseAt, type ObjectChange } from '../../query/index.js';
import { dbOption, dbPath, parseOutput, type Io, type RegisterVerb } from '../context.js';

interface DiffOptions { db?: string; from?: string; to?: string; output?: string }

const SIGN = { added: '+', removed: '-', changed: '~' } as const;

function objectLine(c: ObjectChange): string {
  const name = c.namespace ? `${c.namespace}/${c.name}` : c.name;
  return `${SIGN[c.change]} ${c.kind.toLowerCase()}/${name} ${c.change}${c.details.length ? `: ${c.details.join('; ')}` : ''}`;
}

/** `podnet diff --from T1 --to T2` */
export function diffCommand(io: Io, o: DiffOptions): void {
  if (o.from === undefined) throw new ValidationError('diff: give --from (a sequence number or a scenario time, e.g. 60s)');
  const format = parseOutput(o.output, ['table', 'json']);
  const db = dbPath(o.db);
  const a = clusterAt(db, parseAt(o.from, '--from'));
  const b = clusterAt(db, parseAt(o.to, '--to'));
  const d = diffClusters(a.state, b.state);
  const from = { seq: a.seq, time: a.time };
  const to = { seq: b.seq, time: b.time };
  if (format === 'json') { io.out(JSON.stringify({ from, to, ...d }, null, 2)); return; }
  io.out(`diff seq ${a.seq} -> ${b.seq}: ${d.changes.length} object(s) changed, ${d.routes.length} route change(s)`);
  for (const c of d.changes) io.out(objectLine(c));
  for (const r of d.routes) io.out(`  ${r}`);
}

export const registerDiff: RegisterVerb = (program, io) => {
  program.command('diff')
    .description('what was added, removed and changed between two points of the log')
    .addOption(dbOption())
    .option('--from <point>', 'the earlier point: a sequence number (42) or a scenario time (60s)')
    .option('--to <point>', 'the later point (default: the end of the log)')
    .option('-o, --output <fmt>', 'json')
    .addHelpText('after', '\nExamples:\n  podnet diff --from 60s --to 90s\n  podnet diff --from 10 -o json')
    .action((o) => diffCommand(io, o));
};
