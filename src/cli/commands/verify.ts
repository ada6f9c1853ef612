import { PodnetError } from '../../../engine/errors.js';
import { EventLog } from '../../../engine/log/index.js';
import { clusterCodec, clusterProjection } from '../../cluster/index.js';
import { verifyLog } from '../../query/index.js';
import { dbOption, dbPath, parseOutput, type Io, type RegisterVerb } from '../context.js';

interface VerifyOptions { db?: string; output?: string }

/** `podnet verify`: exits non-zero (a PodnetError) when the log has a problem. */
export function verifyCommand(io: Io, o: VerifyOptions): void {
  const format = parseOutput(o.output, ['table', 'json']);
  const db = dbPath(o.db);
  const log = EventLog.open(db, { readonly: true });
  let r;
  try {
    r = verifyLog(log, clusterCodec(), clusterProjection);
  } finally {
    log.close();
  }
  if (format === 'json') io.out(JSON.stringify({ db, ok: r.problems.length === 0, ...r }, null, 2));
  else {
    io.out(`${db}: ${r.events} events in ${r.chunks} chunks, ${r.snapshots} snapshots checked`);
    for (const p of r.problems) io.out(`problem: ${p}`);
  }
  if (r.problems.length) throw new PodnetError('VERIFY_FAILED', `${db}: ${r.problems.length} problem(s), first: ${r.problems[0]}`);
  if (format !== 'json') io.out('ok: sequence gap-free, every payload decodes, snapshots match a replay');
}

export const registerVerify: RegisterVerb = (program, io) => {
  program.command('verify')
    .description('check a log: sequence continuity, every payload decodes, snapshots match a replay')
    .addOption(dbOption())
    .option('-o, --output <fmt>', 'json')
    .addHelpText('after', '\nExamples:\n  podnet verify --db demo.db')
    .action((o) => verifyCommand(io, o));
};
