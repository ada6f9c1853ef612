import { NotFoundError } from '../../../engine/errors.js';
import { fdbDump, trafficAt, ForwardingContext } from '../../packet/index.js';
import { parseAt } from '../../query/index.js';
import { atOption, dbOption, type RegisterVerb, dbPath, parseBackend, parseOutput, type Io } from '../context.js';

/** `podnet fdb NODE`: the node's bridge forwarding database after the log's traffic (`bridge fdb show`). */
export function fdbCommand(io: Io, node: string, o: { db?: string; at?: string; output?: string; backend?: string }): void {
  const format = parseOutput(o.output, ['table', 'json']);
  const r = trafficAt(dbPath(o.db), parseAt(o.at), parseBackend(o.backend ?? 'wasm'));
  if (!r.state.nodes.has(node)) throw new NotFoundError(`node "${node}" not found (see 'podnet get nodes')`);
  const ctx = ForwardingContext.of(r.dp, r.state);
  const d = fdbDump(ctx, ctx.net.node(node)!, r.dp.fdbEntries(), r.time);
  io.out(format === 'json' ? JSON.stringify({ node, entries: d.entries }, null, 2) : d.text);
}

export const registerFdb: RegisterVerb = (program, io) => {
  program.command('fdb <node>')
    .description("a node's bridge forwarding database (MACs learned from the log's traffic), as `bridge fdb show` prints it")
    .addOption(dbOption()).addOption(atOption())
    .option('-o, --output <fmt>', 'json')
    .option('--backend <name>', 'datapath backend: wasm or ts', 'wasm')
    .addHelpText('after', '\nExample:\n  podnet fdb worker-a')
    .action((node, o) => fdbCommand(io, node, o));
};
