import { ValidationError } from '../../../engine/errors.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../../cluster/index.js';
import { withLiveCluster } from '../../control/index.js';
import { resourceName } from '../../manifest/index.js';
import { dbOption, type RegisterVerb, dbPath, type Io } from '../context.js';
import { parseTarget } from './delete.js';

export interface ScaleOptions {
  db?: string;
  replicas?: string;
  namespace?: string;
}

/** `podnet scale KIND/NAME --replicas N` */
export function scaleCommand(io: Io, ref: string, name: string | undefined, o: ScaleOptions): void {
  const t = parseTarget('scale', ref, name, o.namespace ?? 'default');
  if (!(WORKLOAD_KINDS as readonly string[]).includes(t.kind)) throw new ValidationError(`scale: a ${t.kind} cannot be scaled (scale rs, rc or deploy)`);
  if (o.replicas === undefined || !/^\d+$/.test(o.replicas)) throw new ValidationError(`scale: --replicas must be a whole number >= 0${o.replicas === undefined ? '' : ` (got "${o.replicas}")`}`);
  withLiveCluster(dbPath(o.db), (_c, exec) => {
    exec({ type: 'Scale', kind: t.kind as WorkloadKind, namespace: t.namespace, name: t.name, replicas: Number(o.replicas) });
    io.out(`${resourceName(t.kind)}/${t.name} scaled`);
  });
}

export const registerScale: RegisterVerb = (program, io) => {
  program.command('scale <ref> [name]')
    .description('set the replicas of a ReplicaSet, ReplicationController or Deployment, like kubectl scale')
    .addOption(dbOption())
    .option('--replicas <n>', 'the new number of replicas')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .addHelpText('after', '\nExample:\n  podnet scale rc/nginx-rc --replicas 6 --db demo.db')
    .action((ref, name, o) => scaleCommand(io, ref, name, o));
};
