// Trace endpoints as users name them: pod/NAME, pod/NS/NAME, NS/NAME, svc/NAME,
// svc/NS/NAME, node/NAME, an IP, `internet`, a DNS name, or http://host/path.
import { NotFoundError, ValidationError } from '../../engine/errors.js';
import { tryParseIp } from '../../engine/net/index.js';
import { nsKey, type Service } from '../cluster/index.js';
import { INTERNET_HOST, type ClusterNetwork, type NodeNet, type PodNet } from '../network/index.js';

/** What a trace argument names. */
export type Target =
  | { kind: 'pod'; pod: PodNet }
  | { kind: 'node'; node: NodeNet }
  | { kind: 'service'; service: Service }
  | { kind: 'ip'; ip: number; text: string }
  | { kind: 'internet'; ip: number }
  | { kind: 'dns'; name: string }
  | { kind: 'http'; host: string; path: string };

const FORMS = 'use pod/NAME, pod/NAMESPACE/NAME, NAMESPACE/NAME, svc/NAME, node/NAME, an IPv4 address, internet, a DNS name or http://host/path';

function podTarget(net: ClusterNetwork, spec: string, role: string, namespace: string, name: string): Target {
  const pod = net.state.pods.get(nsKey(namespace, name));
  if (!pod) throw new NotFoundError(`${role} ${spec}: pod "${name}" not found in namespace ${namespace} (see 'podnet get pods -A')`);
  const pn = net.pod(namespace, name);
  if (!pn) throw new NotFoundError(`${role} ${spec}: pod "${name}" is ${pod.phase}${pod.reason ? ` (${pod.reason})` : ''} and has no IP yet`);
  return { kind: 'pod', pod: pn };
}

function namedTarget(net: ClusterNetwork, spec: string, role: string): Target {
  const parts = spec.split('/');
  const [kind, a, b] = parts;
  if (kind === 'node' || kind === 'nodes' || kind === 'no') {
    const nn = parts.length === 2 ? net.node(a!) : undefined;
    if (!nn) throw new NotFoundError(`${role} ${spec}: node "${a}" not found (see 'podnet get nodes')`);
    return { kind: 'node', node: nn };
  }
  if (kind === 'svc' || kind === 'service' || kind === 'services') {
    const [ns, name] = parts.length === 3 ? [a!, b!] : ['default', a!];
    const svc = net.state.services.get(nsKey(ns, name));
    if (!svc) throw new NotFoundError(`${role} ${spec}: service "${name}" not found in namespace ${ns} (see 'podnet get svc -A')`);
    return { kind: 'service', service: svc };
  }
  if (kind === 'pod' || kind === 'pods' || kind === 'po') {
    if (parts.length === 2) return podTarget(net, spec, role, 'default', a!);
    if (parts.length === 3) return podTarget(net, spec, role, a!, b!);
    throw new ValidationError(`${role} "${spec}" should be pod/NAME or pod/NAMESPACE/NAME`);
  }
  if (parts.length === 2) return podTarget(net, spec, role, kind!, a!);
  throw new ValidationError(`${role} "${spec}" is not something podnet can trace: ${FORMS}`);
}

/** Resolve a trace source or destination; throws one clear line when it names nothing. */
export function resolveTarget(net: ClusterNetwork, spec: string, role: 'source' | 'destination'): Target {
  const ip = tryParseIp(spec);
  if (ip !== undefined) {
    const pod = net.podByIp(ip);
    if (pod) return { kind: 'pod', pod };
    for (const n of net.state.nodes.values()) if (n.ip === spec) return { kind: 'node', node: net.node(n.name)! };
    return { kind: 'ip', ip, text: spec };
  }
  if (/^\d+(\.\d+)*$/.test(spec)) throw new ValidationError(`${role} "${spec}" is not a valid IPv4 address`);
  if (spec === 'internet') return { kind: 'internet', ip: INTERNET_HOST };
  const http = /^https?:\/\/([^/:]+)(?::\d+)?(\/[^?#]*)?/.exec(spec);
  if (http) {
    if (role === 'source') throw new ValidationError(`source ${spec}: a URL can only be a destination`);
    return { kind: 'http', host: http[1]!, path: http[2] ?? '/' };
  }
  if (!spec.includes('/')) {
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.?$/i.test(spec)) throw new ValidationError(`${role} "${spec}" is not something podnet can trace: ${FORMS}`);
    if (role === 'source') throw new ValidationError(`source ${spec}: a DNS name can only be a destination; ${FORMS}`);
    return { kind: 'dns', name: spec };
  }
  return namedTarget(net, spec, role);
}
