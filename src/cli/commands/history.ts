import { clusterCodec } from '../../cluster/index.js';
import { history, objectStream, openForQuery, parseAt } from '../../query/index.js';
import { formatDuration } from '../../scenario/index.js';
import { atOption, dbOption, dbPath, parseOutput, type Io, type RegisterVerb } from '../context.js';
import { formatEventData } from './log.js';
import { formatTable } from '../table.js';
import { NotFoundError } from '../../../engine/errors.js';
import { Replayer } from '../../../engine/replay/index.js';
import { clusterProjection } from '../../cluster/index.js';

interface HistoryOptions { db?: string; namespace?: string; at?: string; output?: string }

/** `podnet history KIND/NAME` */
export function historyCommand(io: Io, ref: string, o: HistoryOptions): void {
  const stream = objectStream(ref, o.namespace);
  const format = parseOutput(o.output, ['table', 'json']);
  const log = openForQuery(dbPath(o.db));
  try {
    const codec = clusterCodec();
    const toSeq = new Replayer(log, codec, clusterProjection).seqOf(parseAt(o.at));
    const entries = history(log, codec, stream, toSeq);
    if (format === 'json') { io.out(JSON.stringify({ stream, events: entries }, null, 2)); return; }
    if (entries.length === 0) throw new NotFoundError(`${ref}: no events about ${stream} in ${log.path}${o.at ? ` up to ${o.at}` : ''} (check the kind, name and -n namespace)`);
    io.out(formatTable(['SEQ', 'TIME', 'EVENT', 'DATA'], entries.map((e) => [String(e.seq), formatDuration(e.time), e.type, formatEventData(e.data)])));
  } finally {
    log.close();
  }
}

export const registerHistory: RegisterVerb = (program, io) => {
  program.command('history <object>')
    .description('every event about one object, in order, with its scenario time')
    .addOption(dbOption())
    .option('-n, --namespace <ns>', 'namespace of a namespaced object', 'default')
    .addOption(atOption())
    .option('-o, --output <fmt>', 'json')
    .addHelpText('after', '\nExamples:\n  podnet history pod/nginx-rs-k7w4g\n  podnet history node/worker-b --at 90s\n  podnet history rs/nginx-rs -o json')
    .action((ref, o) => historyCommand(io, ref, o));
};
