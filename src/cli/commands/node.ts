import { ValidationError } from '../../../engine/errors.js';
import { withLiveCluster, type Command } from '../../control/index.js';
import { dbOption, type RegisterVerb, dbPath, type Io } from '../context.js';

export interface NodeOptions {
  db?: string;
}

const ACTIONS = {
  fail: (name: string): Command => ({ type: 'FailNode', name }),
  recover: (name: string): Command => ({ type: 'RecoverNode', name }),
  drain: (name: string): Command => ({ type: 'DrainNode', name }),
  uncordon: (name: string): Command => ({ type: 'UncordonNode', name }),
} as const;

/** `podnet node fail|recover|drain|uncordon NAME` */
export function nodeCommand(io: Io, action: string, name: string, o: NodeOptions): void {
  if (!Object.hasOwn(ACTIONS, action)) throw new ValidationError(`node: unknown action "${action}"; use fail, recover, drain or uncordon`);
  withLiveCluster(dbPath(o.db), (c, exec) => {
    const wasCordoned = c.state.nodes.get(name)?.unschedulable;
    const events = exec(ACTIONS[action as keyof typeof ACTIONS](name));
    const evicted = events.filter((e) => e.type === 'PodDeleted' && (e.data as { reason?: string }).reason !== 'ScaledDown');
    const recreated = events.filter((e) => e.type === 'PodScheduled').length;
    if (action === 'drain') {
      if (!wasCordoned) io.out(`node/${name} cordoned`);
      for (const e of evicted) io.out(`evicting pod ${String(e.data.namespace)}/${String(e.data.name)}`);
      io.out(`node/${name} drained`);
    } else if (action === 'fail') {
      io.out(`node/${name} failed (NotReady): ${evicted.length} pods evicted, ${recreated} rescheduled`);
    } else if (action === 'recover') {
      io.out(`node/${name} recovered (Ready)`);
    } else io.out(`node/${name} uncordoned`);
  });
}

export const registerNode: RegisterVerb = (program, io) => {
  program.command('node <action> <name>')
    .description('fail or recover a node (its pods are rescheduled), drain or uncordon it like kubectl')
    .addOption(dbOption())
    .addHelpText('after', '\nExamples:\n  podnet node fail worker-b --db demo.db\n  podnet node drain worker-a --db demo.db')
    .action((action, name, o) => nodeCommand(io, action, name, o));
};
