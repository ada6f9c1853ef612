// What an ingress controller does with an HTTP request: the Ingress rules of the
// cluster, matched as ingress-nginx matches them (an exact host, or a `*.` wildcard
// host, or a rule without host; then the longest matching path, `Exact` before
// `Prefix`, Prefix matching whole path elements), falling back to the Ingress's
// defaultBackend, else the controller's own default backend answers 404.
import type { ClusterState, Ingress, IngressPath } from '../cluster/index.js';

/** The Service an HTTP request goes to, or why none. */
export type IngressMatch =
  | { kind: 'rule'; ingress: Ingress; host: string; path: IngressPath; service: string; port: number | string }
  | { kind: 'default-backend'; ingress: Ingress; service: string; port: number | string }
  | { kind: 'not-found' };

/** Labels that identify an ingress-nginx controller pod. */
export const INGRESS_CONTROLLER_LABEL = { key: 'app.kubernetes.io/name', value: 'ingress-nginx' } as const;

function pathMatches(p: IngressPath, path: string): boolean {
  if (p.pathType === 'Exact') return path === p.path;
  if (p.path === '/' ) return true;
  const base = p.path.replace(/\/$/, '');
  return path === base || path.startsWith(`${base}/`);
}

function hostMatches(rule: string | undefined, host: string): boolean {
  if (!rule) return true;
  if (rule.startsWith('*.')) return host.endsWith(rule.slice(1)) && host.split('.').length === rule.split('.').length;
  return rule === host;
}

/** Match `host` and `path` against every Ingress of the cluster. */
export function matchIngress(state: ClusterState, host: string, path: string): IngressMatch {
  let best: { ingress: Ingress; host: string; path: IngressPath; score: number } | undefined;
  for (const ing of state.ingresses.values()) {
    for (const r of ing.rules) {
      if (!hostMatches(r.host, host)) continue;
      for (const p of r.paths) {
        if (!pathMatches(p, path)) continue;
        const score = (r.host ? (r.host.startsWith('*.') ? 2 : 4) : 0) * 100000 + p.path.length * 2 + (p.pathType === 'Exact' ? 1 : 0);
        if (!best || score > best.score) best = { ingress: ing, host: r.host ?? '*', path: p, score };
      }
    }
  }
  if (best) return { kind: 'rule', ingress: best.ingress, host: best.host, path: best.path, service: `${best.ingress.namespace}/${best.path.service}`, port: best.path.port };
  for (const ing of state.ingresses.values()) {
    if (ing.defaultBackend) return { kind: 'default-backend', ingress: ing, service: `${ing.namespace}/${ing.defaultBackend.service}`, port: ing.defaultBackend.port };
  }
  return { kind: 'not-found' };
}
