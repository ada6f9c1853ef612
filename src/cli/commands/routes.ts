import { NotFoundError } from '../../../engine/errors.js';
import { createDatapath } from '../../../engine/datapath/index.js';
import { ForwardingContext, routeDump } from '../../packet/index.js';
import { clusterAt, parseAt } from '../../query/index.js';
import { atOption, dbOption, type RegisterVerb, dbPath, parseOutput, type Io } from '../context.js';

/** `podnet routes NODE`: the node's main route table as `ip route` prints it. */
export function routesCommand(io: Io, node: string, o: { db?: string; at?: string; output?: string }): void {
  const format = parseOutput(o.output, ['table', 'json']);
  const { state } = clusterAt(dbPath(o.db), parseAt(o.at));
  const ctx = ForwardingContext.of(createDatapath('ts'), state);
  const nn = ctx.net.node(node);
  if (!nn) throw new NotFoundError(`node "${node}" not found (see 'podnet get nodes')`);
  const d = routeDump(ctx, nn);
  io.out(format === 'json' ? JSON.stringify({ node, cni: ctx.net.cni, routes: d.routes }, null, 2) : d.text);
}

export const registerRoutes: RegisterVerb = (program, io) => {
  program.command('routes <node>')
    .description("a node's route table in `ip route` format (per CNI mode: flannel.1, host-gw, Calico /26 and /32)")
    .addOption(dbOption()).addOption(atOption())
    .option('-o, --output <fmt>', 'json')
    .addHelpText('after', '\nExample:\n  podnet routes worker-a --at 30s')
    .action((node, o) => routesCommand(io, node, o));
};
