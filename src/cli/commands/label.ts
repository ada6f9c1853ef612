import { ValidationError } from '../../../engine/errors.js';
import { withLiveCluster } from '../../control/index.js';
import { Fields } from '../../manifest/Fields.js';
import { dbOption, type RegisterVerb, dbPath, type Io } from '../context.js';

export interface LabelOptions {
  db?: string;
}

/** `k=v` sets, `k-` removes (null), as kubectl label reads them. */
function parseChanges(args: string[]): Record<string, string | null> {
  const f = new Fields('label');
  const out: Record<string, string | null> = {};
  for (const a of args) {
    if (a.endsWith('-') && !a.includes('=')) { out[a.slice(0, -1)] = null; continue; }
    const i = a.indexOf('=');
    const k = a.slice(0, i);
    Object.assign(out, f.labels({ [k]: a.slice(i + 1) }, 'labels'));
  }
  return out;
}

/** `podnet label nodes NAME... k=v [k-]` */
export function labelCommand(io: Io, kind: string, args: string[], o: LabelOptions): void {
  if (!['nodes', 'node', 'no'].includes(kind)) throw new ValidationError(`label: podnet labels nodes only (podnet label nodes NAME k=v), not "${kind}"`);
  const names = args.filter((a) => !a.includes('=') && !a.endsWith('-'));
  const changes = args.filter((a) => a.includes('=') || a.endsWith('-'));
  if (names.length === 0 || changes.length === 0) throw new ValidationError('label: give node names and at least one key=value or key- (podnet label nodes worker-a node=server)');
  const labels = parseChanges(changes);
  withLiveCluster(dbPath(o.db), (c, exec) => {
    const missing = names.filter((n) => !c.state.nodes.has(n));
    if (missing.length) throw new ValidationError(`label: node "${missing[0]}" not found`);
    for (const name of names) {
      exec({ type: 'LabelNode', name, labels });
      io.out(`node/${name} labeled`);
    }
  });
}

export const registerLabel: RegisterVerb = (program, io) => {
  program.command('label <kind> <args...>')
    .description('set (k=v) or remove (k-) node labels, like kubectl label nodes')
    .addOption(dbOption())
    .addHelpText('after', '\nExample:\n  podnet label nodes worker-a worker-b node=server --db demo.db')
    .action((kind, args, o) => labelCommand(io, kind, args, o));
};
