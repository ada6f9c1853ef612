import { ValidationError } from '../../../engine/errors.js';
import { KIND_ALIASES, withLiveCluster, type Command } from '../../control/index.js';
import { loadManifests, resourceName } from '../../manifest/index.js';
import { dbOption, type RegisterVerb, dbPath, type Io } from '../context.js';

export interface DeleteOptions {
  db?: string;
  filename?: string;
  namespace?: string;
}

type Target = { kind: string; namespace: string; name: string };

/** `KIND/NAME` or `KIND NAME`, with kubectl's short kind names. */
export function parseTarget(verb: string, ref: string, name: string | undefined, namespace: string): Target {
  const [k, n] = ref.includes('/') ? ref.split('/', 2) : [ref, name];
  const kind = KIND_ALIASES[(k ?? '').toLowerCase()];
  if (!kind) throw new ValidationError(`${verb}: unknown kind "${k}" (use e.g. rs/nginx-rs, rc/nginx-rc, deploy/web, ds/fluentd-ds, pod/x, svc/x, node/x)`);
  if (!n) throw new ValidationError(`${verb}: name the object: ${k}/NAME`);
  return { kind, namespace, name: n };
}

/** `podnet delete KIND/NAME` or `podnet delete -f FILE`. */
export function deleteCommand(io: Io, ref: string | undefined, name: string | undefined, o: DeleteOptions): void {
  let targets: Target[];
  if (o.filename) {
    targets = loadManifests(o.filename).objects.map((obj) => ({ kind: obj.kind, namespace: 'namespace' in obj ? obj.namespace : '', name: obj.name }));
  } else {
    if (!ref) throw new ValidationError('delete: name what to delete (KIND/NAME) or give -f FILE');
    targets = [parseTarget('delete', ref, name, o.namespace ?? 'default')];
  }
  withLiveCluster(dbPath(o.db), (_c, exec) => {
    for (const t of targets) {
      const cmd: Command = { type: 'Delete', ...t };
      exec(cmd);
      io.out(`${resourceName(t.kind)} "${t.name}" deleted`);
    }
  });
}

export const registerDelete: RegisterVerb = (program, io) => {
  program.command('delete [ref] [name]')
    .description('delete an object (KIND/NAME) or the objects of a manifest file (-f), like kubectl delete')
    .addOption(dbOption())
    .option('-f, --filename <path>', 'delete the objects this manifest file or folder describes')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .addHelpText('after', '\nExamples:\n  podnet delete rs/nginx-rs --db demo.db\n  podnet delete -f examples/seeds/nginx-rc.yaml --db demo.db')
    .action((ref, name, o) => deleteCommand(io, ref, name, o));
};
