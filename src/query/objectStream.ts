import { ValidationError } from '../../engine/errors.js';

/** A kind as the log names its streams: `<prefix>/<namespace>/<name>` or `<prefix>/<name>`. */
interface StreamKind {
  prefix: string;
  namespaced: boolean;
}

// kubectl's names (plural, singular, short) for every kind that has events in the log.
const KINDS: [names: string[], kind: StreamKind][] = [
  [['pods', 'pod', 'po'], { prefix: 'pod', namespaced: true }],
  [['nodes', 'node', 'no'], { prefix: 'node', namespaced: false }],
  [['services', 'service', 'svc'], { prefix: 'service', namespaced: true }],
  [['endpoints', 'ep'], { prefix: 'endpoints', namespaced: true }],
  [['replicasets', 'replicaset', 'rs'], { prefix: 'replicaset', namespaced: true }],
  [['replicationcontrollers', 'replicationcontroller', 'rc'], { prefix: 'replicationcontroller', namespaced: true }],
  [['deployments', 'deployment', 'deploy'], { prefix: 'deployment', namespaced: true }],
  [['daemonsets', 'daemonset', 'ds'], { prefix: 'daemonset', namespaced: true }],
  [['ingresses', 'ingress', 'ing'], { prefix: 'ingress', namespaced: true }],
  [['namespaces', 'namespace', 'ns'], { prefix: 'namespace', namespaced: false }],
  [['clusters', 'cluster'], { prefix: 'cluster', namespaced: false }],
];

/** The log stream of `kind/name` (kubectl kind names, short ones too), e.g. `po/web-0` -> `pod/default/web-0`. */
export function objectStream(ref: string, namespace = 'default'): string {
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) throw new ValidationError(`${ref}: name an object as KIND/NAME, e.g. pod/web-0 or node/worker-a`);
  const kindName = ref.slice(0, slash).toLowerCase();
  const name = ref.slice(slash + 1);
  const kind = KINDS.find(([names]) => names.includes(kindName))?.[1];
  if (!kind) throw new ValidationError(`${ref}: unknown kind "${kindName}"; use one of ${KINDS.map(([n]) => n[0]).join(', ')}`);
  return kind.namespaced ? `${kind.prefix}/${namespace}/${name}` : `${kind.prefix}/${name}`;
}
