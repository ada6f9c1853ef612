import { NotFoundError } from '../../../engine/errors.js';
import { formatIp } from '../../../engine/net/index.js';
import { formatConntrack, protoName, trafficAt } from '../../packet/index.js';
import { parseAt } from '../../query/index.js';
import { atOption, dbOption, type RegisterVerb, dbPath, parseBackend, parseOutput, type Io } from '../context.js';

/** `podnet conntrack NODE`: the node's connections after the log's traffic, as `conntrack -L` lists them. */
export function conntrackCommand(io: Io, node: string, o: { db?: string; at?: string; output?: string; backend?: string }): void {
  const format = parseOutput(o.output, ['table', 'json']);
  const r = trafficAt(dbPath(o.db), parseAt(o.at), parseBackend(o.backend ?? 'wasm'));
  const n = r.state.nodes.get(node);
  if (!n) throw new NotFoundError(`node "${node}" not found (see 'podnet get nodes')`);
  const entries = r.dp.ctEntries(n.index);
  if (format === 'json') {
    io.out(JSON.stringify({ node, time: r.time, entries: entries.map((e) => ({
      proto: protoName(e.proto), state: e.state, timeoutSec: Math.max(0, Math.floor((e.expiresMs - r.time) / 1000)),
      orig: { src: formatIp(e.origSrc), dst: formatIp(e.origDst), sport: e.origSport, dport: e.origDport },
      reply: { src: formatIp(e.replySrc), dst: formatIp(e.replyDst), sport: e.replySport, dport: e.replyDport }, dnat: e.dnat, snat: e.snat,
    })) }, null, 2));
    return;
  }
  if (entries.length) io.out(entries.map((e) => formatConntrack(e, r.time)).join('\n'));
  io.err(`conntrack v1.4.7 (conntrack-tools): ${entries.length} flow entries have been shown.`);
}

export const registerConntrack: RegisterVerb = (program, io) => {
  program.command('conntrack <node>')
    .description("a node's conntrack table after the log's traffic, as `conntrack -L` prints it")
    .addOption(dbOption()).addOption(atOption())
    .option('-o, --output <fmt>', 'json')
    .option('--backend <name>', 'datapath backend: wasm or ts', 'wasm')
    .addHelpText('after', '\nExample:\n  podnet conntrack worker-a --at 2m')
    .action((node, o) => conntrackCommand(io, node, o));
};
