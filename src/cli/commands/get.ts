import { stringify as toYaml } from 'yaml';
import { NotFoundError, ValidationError } from '../../../engine/errors.js';
import { clusterDigest, type ClusterState } from '../../cluster/index.js';
import { clusterAt, parseAt } from '../../query/index.js';
import { atOption, dbOption, type RegisterVerb, dbPath, parseOutput, type Io } from '../context.js';
import { findKind, RESOURCE_KINDS, type ResourceKind, type Row } from '../resources.js';
import { formatTable } from '../table.js';

export interface GetOptions {
  db?: string;
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  output?: string;
  at?: string;
  digest?: boolean;
}

/** `-l app=nginx,tier!=db`: equality-based selectors as kubectl parses them. */
function parseLabelSelector(text: string): (labels: Record<string, string>) => boolean {
  const reqs = text.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)\s*$/.exec(part) ?? /^\s*(!?)([A-Za-z0-9./_-]+)\s*$/.exec(part);
    if (!m) throw new ValidationError(`-l ${text}: cannot parse "${part}" (use key=value, key!=value, key or !key)`);
    return m;
  });
  return (labels) => reqs.every((m) => {
    if (m.length === 4 && (m[2] === '=' || m[2] === '==' || m[2] === '!=')) return m[2] === '!=' ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
    return m[1] === '!' ? !Object.hasOwn(labels, m[2]!) : Object.hasOwn(labels, m[2]!);
  });
}

function render(kind: ResourceKind, rows: Row[], format: string, showNs: boolean): string {
  if (format === 'json' || format === 'yaml') {
    const list = { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: rows.map((r) => r.object) };
    return format === 'json' ? JSON.stringify(list, null, 4) : toYaml(list);
  }
  const headers = [...(showNs ? ['NAMESPACE'] : []), ...kind.headers, ...(format === 'wide' ? kind.wideHeaders : [])];
  return formatTable(headers, rows.map((r) => [...(showNs ? [r.namespace] : []), ...r.cells, ...(format === 'wide' ? r.wide : [])]));
}

/** The rows `get` would show, filtered (exported for describe and tests). */
export function selectRows(s: ClusterState, kind: ResourceKind, name: string | undefined, o: GetOptions): Row[] {
  let rows = kind.rows(s);
  if (kind.namespaced && !o.allNamespaces) rows = rows.filter((r) => r.namespace === (o.namespace ?? 'default'));
  if (o.selector) { const m = parseLabelSelector(o.selector); rows = rows.filter((r) => m(r.labels)); }
  if (name !== undefined) {
    rows = rows.filter((r) => r.name === name);
    if (rows.length === 0) throw new NotFoundError(`${kind.plural} "${name}" not found${kind.namespaced ? ` in namespace ${o.namespace ?? 'default'}` : ''}`);
  }
  return rows;
}

/** `podnet get KIND [NAME]` */
export function getCommand(io: Io, kindName: string | undefined, name: string | undefined, o: GetOptions): void {
  const at = clusterAt(dbPath(o.db), parseAt(o.at));
  if (o.digest) { io.out(`${clusterDigest(at.state)}  seq ${at.seq}`); return; }
  if (!kindName) throw new ValidationError(`get: name a kind (${RESOURCE_KINDS.map((k) => k.names[k.names.length - 1]).join(', ')}), or use --digest`);
  const kind = findKind(kindName);
  if (!kind) throw new ValidationError(`get: unknown kind "${kindName}"; podnet knows ${RESOURCE_KINDS.map((k) => k.plural).join(', ')}`);
  const format = parseOutput(o.output, ['table', 'wide', 'json', 'yaml']);
  const rows = selectRows(at.state, kind, name, o);
  if (rows.length === 0 && format !== 'json' && format !== 'yaml') {
    io.err(kind.namespaced && !o.allNamespaces ? `No resources found in ${o.namespace ?? 'default'} namespace.` : 'No resources found');
    return;
  }
  if (name !== undefined && (format === 'json' || format === 'yaml')) {
    const obj = rows[0]!.object;
    io.out(format === 'json' ? JSON.stringify(obj, null, 4) : toYaml(obj));
    return;
  }
  io.out(render(kind, rows, format, !!o.allNamespaces && kind.namespaced));
}

export const registerGet: RegisterVerb = (program, io) => {
  program.command('get [kind] [name]')
    .description('list objects like kubectl get: nodes, pods, services/svc, endpoints/ep, rs, rc, deploy, ds')
    .addOption(dbOption())
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <sel>', 'label selector, e.g. app=nginx')
    .option('-o, --output <fmt>', 'wide, json or yaml')
    .addOption(atOption())
    .option('--digest', 'print a digest of the whole cluster state instead')
    .addHelpText('after', '\nExamples:\n  podnet get pods -o wide\n  podnet get pods -l app=nginx-app --at 30s\n  podnet get rs nginx-rs -o yaml')
    .action((kind, name, o) => getCommand(io, kind, name, o));
};
