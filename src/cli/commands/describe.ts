import { ValidationError, NotFoundError } from '../../../engine/errors.js';
import { clusterAt, parseAt } from '../../query/index.js';
import { atOption, dbOption, dbPath, type Io, type RegisterVerb } from '../context.js';
import { DESCRIBERS } from '../describers.js';
import { formatDescribe, type DescribeLine } from '../formatDescribe.js';
import { eventRows, objectEvents } from '../objectEvents.js';
import { RESOURCE_KINDS, type ResourceKind } from '../resources.js';
import { formatTable } from '../table.js';
import { parseKinds, selectRows } from './get.js';

export interface DescribeOptions {
  db?: string;
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  at?: string;
}

const WORKLOADS = new Set(['ReplicaSet', 'ReplicationController', 'Deployment', 'DaemonSet']);

/** The log stream an object's events are on (as the controllers name them). */
function streamOf(kind: ResourceKind, namespace: string, name: string): string {
  return kind.namespaced ? `${kind.kind.toLowerCase()}/${namespace}/${name}` : `${kind.kind.toLowerCase()}/${name}`;
}

function eventsLines(db: string, kind: ResourceKind, namespace: string, name: string, at: { seq: number; time: number }): DescribeLine[] {
  const owner = WORKLOADS.has(kind.kind) ? { kind: kind.kind, namespace, name } : undefined;
  const events = objectEvents(db, streamOf(kind, namespace, name), at.seq, owner);
  if (events.length === 0) return [[0, 'Events:', '<none>']];
  const rows = eventRows(events, at.time);
  const text = formatTable(['Type', 'Reason', 'Age', 'From', 'Message'], [['----', '------', '----', '----', '-------'], ...rows]);
  return [[0, 'Events:'], ...text.split('\n').map((l): DescribeLine => [1, l])];
}

/** `podnet describe KIND [NAME]`: every matching object, separated by a blank line as kubectl does. */
export function describeCommand(io: Io, kindName: string, name: string | undefined, o: DescribeOptions): void {
  const db = dbPath(o.db);
  const at = clusterAt(db, parseAt(o.at));
  const ask = parseKinds(kindName, name);
  const blocks: string[] = [];
  for (const kind of ask.kinds) {
    const describe = DESCRIBERS[kind.kind];
    if (!describe) throw new ValidationError(`describe: podnet cannot describe ${kind.plural} yet; it describes ${RESOURCE_KINDS.filter((k) => DESCRIBERS[k.kind]).map((k) => k.plural).join(', ')}`);
    for (const row of selectRows(at.state, kind, ask.name, o)) {
      const lines = describe(at.state, row.namespace, row.name);
      if (lines) blocks.push(formatDescribe([...lines, ...eventsLines(db, kind, row.namespace, row.name, { seq: at.seq, time: at.state.time })]));
    }
  }
  if (blocks.length === 0) throw new NotFoundError(`No resources found${ask.kinds.some((k) => k.namespaced) && !o.allNamespaces ? ` in ${o.namespace ?? 'default'} namespace` : ''}.`);
  io.out(blocks.join('\n\n\n'));
}

export const registerDescribe: RegisterVerb = (program, io) => {
  program.command('describe <kind> [name]')
    .description('show one object in detail, as kubectl describe: pods, nodes, services, ingresses, rs, rc, deploy, ds, with the events the log holds about it')
    .addOption(dbOption())
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <sel>', 'label selector, e.g. app=nginx')
    .addOption(atOption())
    .addHelpText('after', '\nExamples:\n  podnet describe pod client\n  podnet describe node worker-a --at 60s\n  podnet describe rs nginx-rs\n  podnet describe svc/nginx')
    .action((kind, name, o) => describeCommand(io, kind, name, o));
};
