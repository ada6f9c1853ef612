// Trace endpoints as users name them: pod/NAME, pod/NS/NAME, NS/NAME, or an IP.
import { NotFoundError, ValidationError } from '../../engine/errors.js';
import { tryParseIp } from '../../engine/net/index.js';
import { nsKey } from '../cluster/index.js';
import type { ClusterNetwork, PodNet } from '../network/index.js';

export type Target = { kind: 'pod'; pod: PodNet } | { kind: 'ip'; ip: number; text: string };

/** Resolve a trace source or destination; throws one clear line when it names nothing. */
export function resolveTarget(net: ClusterNetwork, spec: string, role: 'source' | 'destination'): Target {
  const ip = tryParseIp(spec);
  if (ip !== undefined) {
    const pod = net.podByIp(ip);
    return pod ? { kind: 'pod', pod } : { kind: 'ip', ip, text: spec };
  }
  if (/^\d+(\.\d+)*$/.test(spec)) throw new ValidationError(`${role} "${spec}" is not a valid IPv4 address`);
  const parts = spec.split('/');
  let namespace = 'default';
  let name: string;
  if (parts[0] === 'pod' || parts[0] === 'pods' || parts[0] === 'po') {
    if (parts.length === 2) name = parts[1]!;
    else if (parts.length === 3) { namespace = parts[1]!; name = parts[2]!; }
    else throw new ValidationError(`${role} "${spec}" should be pod/NAME or pod/NAMESPACE/NAME`);
  } else if (parts.length === 2) {
    namespace = parts[0]!; name = parts[1]!;
  } else {
    throw new ValidationError(`${role} "${spec}" is not something podnet can trace: use pod/NAME, pod/NAMESPACE/NAME or an IPv4 address`);
  }
  const pod = net.state.pods.get(nsKey(namespace, name));
  if (!pod) throw new NotFoundError(`${role} ${spec}: pod "${name}" not found in namespace ${namespace} (see 'podnet get pods -A')`);
  const pn = net.pod(namespace, name);
  if (!pn) throw new NotFoundError(`${role} ${spec}: pod "${name}" is ${pod.phase}${pod.reason ? ` (${pod.reason})` : ''} and has no IP yet`);
  return { kind: 'pod', pod: pn };
}
