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
  showLabels?: boolean;
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

/** `svc,ep`, `pods`, `svc/nginx`: the kinds asked for and, with the slash form, the name. */
export function parseKinds(text: string, name: string | undefined): { kinds: ResourceKind[]; name: string | undefined } {
  const slash = text.indexOf('/');
  if (slash >= 0) {
    if (name !== undefined) throw new ValidationError(`get ${text} ${name}: give either KIND NAME or KIND/NAME, not both`);
    return { kinds: [lookupKind(text.slice(0, slash))], name: text.slice(slash + 1) };
  }
  return { kinds: text.split(',').filter(Boolean).map(lookupKind), name };
}

/** A kind by any of kubectl's names, or a user error listing the known ones. */
export function lookupKind(name: string): ResourceKind {
  const kind = findKind(name);
  if (!kind) throw new ValidationError(`get: unknown kind "${name}"; podnet knows ${RESOURCE_KINDS.map((k) => k.plural).join(', ')}`);
  return kind;
}

const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';

/** One kind's table; with several kinds kubectl names each row `kind[.group]/name`. */
function renderTable(kind: ResourceKind, rows: Row[], o: { wide: boolean; showNs: boolean; prefixed: boolean; showLabels: boolean }): string {
  const prefix = o.prefixed ? `${kind.kind.toLowerCase()}${kind.group ? `.${kind.group}` : ''}/` : '';
  const headers = [...(o.showNs ? ['NAMESPACE'] : []), ...kind.headers, ...(o.wide ? kind.wideHeaders : []), ...(o.showLabels ? ['LABELS'] : [])];
  return formatTable(headers, rows.map((r) => [
    ...(o.showNs ? [r.namespace] : []), prefix + r.cells[0], ...r.cells.slice(1), ...(o.wide ? r.wide : []), ...(o.showLabels ? [labelText(r.labels)] : []),
  ]));
}

function serialize(obj: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? JSON.stringify(obj, null, 4) : toYaml(obj);
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

/** `podnet get KIND[,KIND...] [NAME]` */
export function getCommand(io: Io, kindName: string | undefined, name: string | undefined, o: GetOptions): void {
  const at = clusterAt(dbPath(o.db), parseAt(o.at));
  if (o.digest) { io.out(`${clusterDigest(at.state)}  seq ${at.seq}`); return; }
  if (!kindName) throw new ValidationError(`get: name a kind (${RESOURCE_KINDS.map((k) => k.names[k.names.length - 1]).join(', ')}), or use --digest`);
  const format = parseOutput(o.output, ['table', 'wide', 'json', 'yaml']);
  const ask = parseKinds(kindName, name);
  const found = ask.kinds.map((kind) => ({ kind, rows: selectRows(at.state, kind, ask.name, o) }));
  if (format === 'json' || format === 'yaml') {
    // one named object prints bare, as kubectl does; anything else is a List
    const only = found.length === 1 && ask.name !== undefined ? found[0]!.rows[0] : undefined;
    io.out(serialize(only ? only.object : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: found.flatMap((f) => f.rows.map((r) => r.object)) }, format));
    return;
  }
  const shown = found.filter((f) => f.rows.length > 0);
  if (shown.length === 0) {
    const namespaced = ask.kinds.some((k) => k.namespaced);
    io.err(namespaced && !o.allNamespaces ? `No resources found in ${o.namespace ?? 'default'} namespace.` : 'No resources found');
    return;
  }
  const opts = { wide: format === 'wide', prefixed: ask.kinds.length > 1, showLabels: !!o.showLabels };
  io.out(shown.map((f) => renderTable(f.kind, f.rows, { ...opts, showNs: !!o.allNamespaces && f.kind.namespaced })).join('\n\n'));
}

export const registerGet: RegisterVerb = (program, io) => {
  program.command('get [kinds] [name]')
    .description('list objects like kubectl get: nodes, namespaces/ns, pods, services/svc, endpoints/ep, ingresses/ing, rs, rc, deploy, ds (comma-separate several)')
    .addOption(dbOption())
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <sel>', 'label selector, e.g. app=nginx')
    .option('-o, --output <fmt>', 'wide, json or yaml')
    .option('--show-labels', 'add a LABELS column')
    .addOption(atOption())
    .option('--digest', 'print a digest of the whole cluster state instead')
    .addHelpText('after', '\nExamples:\n  podnet get pods -o wide\n  podnet get pods -l app=nginx-app --at 30s\n  podnet get rs nginx-rs -o yaml\n  podnet get svc,ep\n  podnet get pods --show-labels\n  podnet get ingresses -A')
    .action((kind, name, o) => getCommand(io, kind, name, o));
};
