import { ValidationError } from '../../../engine/errors.js';
import { nsKey, workloadKey, WORKLOAD_KINDS, type ClusterState, type WorkloadKind } from '../../cluster/index.js';
import { withLiveCluster } from '../../control/index.js';
import { loadManifests, resourceName, type ManifestObject } from '../../manifest/index.js';
import { dbOption, type RegisterVerb, dbPath, type Io } from '../context.js';

export interface ApplyOptions {
  db?: string;
  filename?: string;
}

/** Does the object exist already (then kubectl says "configured")? */
function exists(s: ClusterState, o: ManifestObject): boolean {
  switch (o.kind) {
    case 'Namespace': return s.namespaces.has(o.name);
    case 'Node': return s.nodes.has(o.name);
    case 'Pod': return s.pods.has(nsKey(o.namespace, o.name));
    case 'Service': return s.services.has(nsKey(o.namespace, o.name));
    case 'Ingress': return s.ingresses.has(nsKey(o.namespace, o.name));
    default: return (WORKLOAD_KINDS as readonly string[]).includes(o.kind) && s.workloads.has(workloadKey(o.kind as WorkloadKind, o.namespace, o.name));
  }
}

/** `podnet apply -f FILE|DIR`: every object in one batch, or none of them. */
export function applyCommand(io: Io, o: ApplyOptions): void {
  if (!o.filename) throw new ValidationError('apply: name the manifests with -f FILE or -f FOLDER');
  const m = loadManifests(o.filename);
  for (const w of m.warnings) io.err(`warning: ${w}`);
  withLiveCluster(dbPath(o.db), (c, exec) => {
    const verbs = m.objects.map((obj) => (exists(c.state, obj) ? (obj.kind === 'Pod' ? 'unchanged' : 'configured') : 'created'));
    exec({ type: 'Apply', objects: m.objects, source: o.filename!, where: m.where });
    m.objects.forEach((obj, i) => io.out(`${resourceName(obj.kind)}/${obj.name} ${verbs[i]}`));
  });
}

export const registerApply: RegisterVerb = (program, io) => {
  program.command('apply')
    .description('apply Kubernetes manifests (a file or a folder of .yaml/.yml/.json) to the cluster in the log')
    .addOption(dbOption())
    .option('-f, --filename <path>', 'manifest file or folder')
    .addHelpText('after', '\nExample:\n  podnet apply -f examples/seeds/nginx-rc.yaml --db demo.db')
    .action((o) => applyCommand(io, o));
};
