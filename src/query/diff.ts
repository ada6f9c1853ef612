import { canonicalJson } from '../../engine/replay/index.js';
import type { ClusterState, Endpoints, Node, Pod, Service, Workload } from '../cluster/index.js';

/** What happened to one object between two points. */
export interface ObjectChange {
  /** Kubernetes kind: Node, Pod, Service, Endpoints, ReplicaSet, ... */
  kind: string;
  namespace?: string;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** Human-readable facts: "moved from worker-a to worker-b", "+10.244.1.5 (pod/web-1)". */
  details: string[];
}

/** Differences between two cluster states: objects, then the routes they imply. */
export interface ClusterDiff {
  changes: ObjectChange[];
  /** Route changes derived from node and pod changes: "routes to 10.244.2.0/24 added (node worker-b)". */
  routes: string[];
}

type Describe<T> = (before: T, after: T) => string[];

/** Compare one keyed collection; `describe` names what changed in an object present in both. */
function compare<T>(kind: (o: T) => string, a: Map<string, T>, b: Map<string, T>, ident: (o: T) => { namespace?: string; name: string }, summary: (o: T) => string[], describe: Describe<T>): ObjectChange[] {
  const out: ObjectChange[] = [];
  for (const [key, before] of a) {
    const after = b.get(key);
    if (!after) { out.push({ kind: kind(before), ...ident(before), change: 'removed', details: summary(before) }); continue; }
    if (canonicalJson(before) === canonicalJson(after)) continue;
    const details = describe(before, after);
    out.push({ kind: kind(after), ...ident(after), change: 'changed', details: details.length ? details : ['spec or status changed'] });
  }
  for (const [key, after] of b) if (!a.has(key)) out.push({ kind: kind(after), ...ident(after), change: 'added', details: summary(after) });
  return out;
}

const changed = (label: string, x: unknown, y: unknown): string[] => (canonicalJson(x) === canonicalJson(y) ? [] : [`${label}: ${show(x)} -> ${show(y)}`]);
const show = (v: unknown): string => (v === undefined ? '<none>' : typeof v === 'string' ? v : canonicalJson(v));

const describePod: Describe<Pod> = (p, q) => {
  const d: string[] = [];
  if (p.node && q.node && p.node !== q.node) d.push(`moved from ${p.node} to ${q.node}`);
  else d.push(...changed('node', p.node, q.node));
  return [...d, ...changed('IP', p.ip, q.ip), ...changed('phase', p.phase, q.phase), ...changed('labels', p.labels, q.labels), ...changed('reason', p.reason, q.reason)];
};

const describeNode: Describe<Node> = (n, m) => [
  ...(n.ready !== m.ready ? [m.ready ? 'became Ready' : 'became NotReady'] : []),
  ...(n.unschedulable !== m.unschedulable ? [m.unschedulable ? 'cordoned' : 'uncordoned'] : []),
  ...changed('labels', n.labels, m.labels), ...changed('taints', n.taints, m.taints),
];

const endpointText = (e: Endpoints["endpoints"][number]) => `${e.ip} (${e.pod ? `pod/${e.pod} on ` : ""}${e.node})`;

const describeEndpoints: Describe<Endpoints> = (a, b) => {
  const before = new Set(a.endpoints.map(endpointText));
  const after = new Set(b.endpoints.map(endpointText));
  return [...[...after].filter((x) => !before.has(x)).map((x) => `+${x}`), ...[...before].filter((x) => !after.has(x)).map((x) => `-${x}`)];
};

const describeService: Describe<Service> = (s, t) => [
  ...changed('type', s.type, t.type), ...changed('clusterIP', s.clusterIP, t.clusterIP), ...changed('ports', s.ports, t.ports),
  ...changed('selector', s.selector, t.selector), ...changed('loadBalancerIP', s.loadBalancerIP, t.loadBalancerIP),
];

const describeWorkload: Describe<Workload> = (w, v) => [...changed('replicas', w.replicas, v.replicas), ...changed('template', w.template, v.template)];

const named = (o: { name: string }) => ({ name: o.name });
const namespaced = (o: { namespace: string; name: string }) => ({ namespace: o.namespace, name: o.name });

/** Routes implied by node joins/removals (per-node pod CIDRs) and, for Calico, pod IPs (/32 routes). */
function routeChanges(a: ClusterState, b: ClusterState): string[] {
  const out: string[] = [];
  for (const [name, n] of b.nodes) if (!a.nodes.has(name)) out.push(`routes to ${n.podCidr} added (node ${name} joined)`);
  for (const [name, n] of a.nodes) if (!b.nodes.has(name)) out.push(`routes to ${n.podCidr} removed (node ${name} left)`);
  for (const [name, n] of b.nodes) {
    const old = a.nodes.get(name);
    if (old && old.ready !== n.ready) out.push(`routes to ${n.podCidr} ${n.ready ? 'reachable again' : 'unreachable'} (node ${name} ${n.ready ? 'Ready' : 'NotReady'})`);
  }
  if (b.config?.cni !== 'calico') return out;
  const ips = (s: ClusterState) => new Map([...s.pods.values()].filter((p) => p.ip && p.node && !p.hostNetwork).map((p) => [p.ip!, p.node!]));
  const before = ips(a);
  const after = ips(b);
  for (const [ip, node] of after) if (before.get(ip) !== node) out.push(`route to ${ip}/32 added (on ${node})`);
  for (const [ip, node] of before) if (after.get(ip) !== node) out.push(`route to ${ip}/32 removed (was on ${node})`);
  return out;
}

/** What was added, removed and changed from cluster `a` to cluster `b`. */
export function diffClusters(a: ClusterState, b: ClusterState): ClusterDiff {
  const changes = [
    ...compare(() => 'Node', a.nodes, b.nodes, named, (n) => [`podCIDR ${n.podCidr}`, `IP ${n.ip}`], describeNode),
    ...compare(() => 'Pod', a.pods, b.pods, namespaced, (p) => (p.node ? [`on ${p.node}`, `IP ${p.ip ?? '<none>'}`] : [p.phase]), describePod),
    ...compare(() => 'Service', a.services, b.services, namespaced, (s) => [`${s.type} ${s.clusterIP}`], describeService),
    ...compare(() => 'Endpoints', a.endpoints, b.endpoints, namespaced, (e) => e.endpoints.map(endpointText), describeEndpoints),
    ...compare((w) => w.kind, a.workloads, b.workloads, namespaced, (w) => [`replicas ${w.replicas}`], describeWorkload),
    ...compare(() => 'Ingress', a.ingresses, b.ingresses, namespaced, () => [], () => []),
  ];
  return { changes, routes: routeChanges(a, b) };
}
