import { NotFoundError } from '../../../engine/errors.js';
import { ClusterNetwork, iptablesSave, ServiceTable } from '../../network/index.js';
import { clusterAt, parseAt } from '../../query/index.js';
import { atOption, dbOption, type RegisterVerb, dbPath, parseOutput, type Io } from '../context.js';

/** `podnet iptables NODE`: kube-proxy's nat table as `iptables-save -t nat` prints it. */
export function iptablesCommand(io: Io, node: string, o: { db?: string; at?: string; output?: string }): void {
  const format = parseOutput(o.output, ['table', 'json']);
  const { state } = clusterAt(dbPath(o.db), parseAt(o.at));
  if (!state.nodes.has(node)) throw new NotFoundError(`node "${node}" not found (see 'podnet get nodes')`);
  const text = iptablesSave(new ClusterNetwork(state), new ServiceTable(state), node);
  io.out(format === 'json' ? JSON.stringify({ node, table: 'nat', kubeProxy: state.config!.kubeProxy, lines: text.split('\n') }, null, 2) : text);
}

export const registerIptables: RegisterVerb = (program, io) => {
  program.command('iptables <node>')
    .description("kube-proxy's nat table on a node, as iptables-save prints it (KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-*, ...)")
    .addOption(dbOption()).addOption(atOption())
    .option('-o, --output <fmt>', 'json')
    .addHelpText('after', '\nExample:\n  podnet iptables worker-a')
    .action((node, o) => iptablesCommand(io, node, o));
};
