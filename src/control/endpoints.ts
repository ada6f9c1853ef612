// The endpoints controller: a Service's endpoints are the Running pods matching its
// selector on Ready nodes, with each Service port's targetPort resolved per pod
// (a name looks up the container port of that name; a number is taken as it is).
import type { ClusterState, Endpoint, Pod, Service } from '../cluster/index.js';
import { event } from '../cluster/index.js';
import { canonicalJson } from '../../engine/replay/index.js';
import { matchesLabels } from './labels.js';
import type { Emit } from './scheduler.js';

function resolvePorts(svc: Service, p: Pod): Endpoint['ports'] | undefined {
  const out: Endpoint['ports'] = [];
  for (const sp of svc.ports) {
    let port: number | undefined;
    if (typeof sp.targetPort === 'number') port = sp.targetPort;
    else {
      for (const c of p.containers) for (const cp of c.ports) if (cp.name === sp.targetPort && cp.protocol === sp.protocol) port = cp.containerPort;
    }
    if (port === undefined) continue; // named port this pod lacks: not an endpoint for that port
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol });
  }
  return out.length ? out : undefined;
}

/** The endpoints a Service should have now. */
export function desiredEndpoints(s: ClusterState, svc: Service): Endpoint[] {
  const out: Endpoint[] = [];
  if (!svc.selector) return out;
  for (const p of s.pods.values()) {
    if (p.namespace !== svc.namespace || p.phase !== 'Running' || !p.ip || !p.node) continue;
    if (!s.nodes.get(p.node)?.ready) continue;
    if (!matchesLabels(p.labels, svc.selector)) continue;
    const ports = resolvePorts(svc, p);
    if (ports) out.push({ ip: p.ip, pod: p.name, node: p.node, ports });
  }
  return out;
}

/** Emit EndpointsChanged for every selector Service whose endpoints differ. */
export function reconcileEndpoints(s: ClusterState, emit: Emit): void {
  for (const svc of s.services.values()) {
    if (!svc.selector) continue;
    const want = desiredEndpoints(s, svc);
    const key = `${svc.namespace}/${svc.name}`;
    const have = s.endpoints.get(key);
    if (have && canonicalJson(have.endpoints) === canonicalJson(want)) continue;
    emit(event('EndpointsChanged', `endpoints/${key}`, { namespace: svc.namespace, name: svc.name, endpoints: want }));
  }
}
