// The endpoints controller: a Service's endpoints are the Running pods matching its
// selector on Ready nodes, with each Service port's targetPort resolved per pod
// (a name looks up the container port of that name; a number is taken as it is).
// The apiserver's `default/kubernetes` has no selector: its endpoints are the Ready
// control-plane nodes at the apiserver port, as the apiserver itself maintains them.
//
// Only Services the index marked dirty (a selected pod was bound or deleted, a node
// changed readiness, the Service changed) are recomputed, and each from the pods
// carrying its rarest selector label, so a change costs what it touches.
import type { ClusterState, Endpoint, Pod, Service } from '../cluster/index.js';
import { API_SERVER_SERVICE, event } from '../cluster/index.js';
import { canonicalJson } from '../../engine/replay/index.js';
import { API_SERVER_PORT } from './bootstrap.js';
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

/** Pods that may match a selector: those with its rarest label pair, or the namespace's. */
function candidates(s: ClusterState, namespace: string, selector: Record<string, string>): Iterable<string> {
  let best: ReadonlySet<string> | undefined;
  for (const [k, v] of Object.entries(selector)) {
    const set = s.index.podsWithLabel(namespace, k, v);
    if (!best || set.size < best.size) best = set;
  }
  if (best) return best;
  return [...s.pods.keys()].filter((k) => k.startsWith(`${namespace}/`));
}

function apiServerEndpoints(s: ClusterState): Endpoint[] {
  const out: Endpoint[] = [];
  for (const n of s.nodes.values()) {
    if (n.role === 'control-plane' && n.ready) out.push({ ip: n.ip, pod: '', node: n.name, ports: [{ name: 'https', port: API_SERVER_PORT, protocol: 'TCP' }] });
  }
  return out;
}

/** The endpoints a Service should have now. */
export function desiredEndpoints(s: ClusterState, svc: Service): Endpoint[] {
  if (!svc.selector) return `${svc.namespace}/${svc.name}` === API_SERVER_SERVICE ? apiServerEndpoints(s) : [];
  const out: Endpoint[] = [];
  for (const key of candidates(s, svc.namespace, svc.selector)) {
    const p = s.pods.get(key);
    if (!p || p.namespace !== svc.namespace || p.phase !== 'Running' || !p.ip || !p.node) continue;
    if (!s.nodes.get(p.node)?.ready) continue;
    if (!matchesLabels(p.labels, svc.selector)) continue;
    const ports = resolvePorts(svc, p);
    if (ports) out.push({ ip: p.ip, pod: p.name, node: p.node, ports });
  }
  return out;
}

/** Emit EndpointsChanged for every dirty Service whose endpoints differ. */
export function reconcileEndpoints(s: ClusterState, emit: Emit): void {
  const dirty = s.index.dirtyServices;
  if (dirty.size === 0) return;
  const keys = [...dirty];
  dirty.clear();
  for (const key of keys) {
    const svc = s.services.get(key);
    if (!svc || (!svc.selector && key !== API_SERVER_SERVICE)) continue;
    const want = desiredEndpoints(s, svc);
    const have = s.endpoints.get(key);
    if (have && canonicalJson(have.endpoints) === canonicalJson(want)) continue;
    emit(event('EndpointsChanged', `endpoints/${key}`, { namespace: svc.namespace, name: svc.name, endpoints: want }));
  }
}
