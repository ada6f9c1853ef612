// The scale generator: a scenario at Kubernetes' scalability envelope (5,000 nodes,
// 150,000 pods, 10,000 Services, at most 110 pods per node and 250 endpoints per
// Service), with what happens to such a cluster over an hour: workloads rolled out in
// waves, traffic, scale-ups, a node failure and its rescheduling, a drain.
//
// The output is JSON (valid YAML) with manifests as values, not text: at this size
// JSON.parse reads it in a fraction of a second where a YAML parser takes many.
import { ValidationError } from '../../engine/errors.js';
import { prng } from '../../engine/prng.js';

/** What to generate. */
export interface GenOptions {
  nodes: number;
  pods: number;
  services: number;
  /** PRNG seed: the same options and seed give the same file. */
  seed?: number;
}

/** Kubernetes' documented limits the generator stays within. */
export const ENVELOPE = { nodes: 5000, pods: 150_000, services: 10_000, podsPerNode: 110, endpointsPerService: 250 } as const;

const NAMESPACES = 10;
const CLIENTS = 10;
const WAVES = 10;
/** Pods kept back at rollout for the scale-ups later, so the total never passes --pods. */
const SCALE_UPS = 20;
const SCALE_STEP = 10;
/**
 * An `edge` Service whose pods a nodeSelector pins to the node that fails later: its
 * flows break at the failure (no other node may run them), so the replay report shows
 * what a failure does to pinned workloads while every other Service is rescheduled.
 */
const EDGE_REPLICAS = 2;

/** Pods every generated scenario has besides the Services' own: DaemonSet, CoreDNS, clients, reserve, edge. */
function fixedPods(workers: number): number {
  return workers + 2 + CLIENTS + SCALE_UPS * SCALE_STEP + EDGE_REPLICAS;
}

const pad = (n: number, w = 5) => String(n).padStart(w, '0');

function check(o: GenOptions): void {
  const fail = (f: string, m: string) => { throw new ValidationError(`gen: --${f}: ${m}`); };
  if (!Number.isInteger(o.nodes) || o.nodes < 2) fail('nodes', 'needs at least 2 (a control plane and a worker)');
  if (!Number.isInteger(o.services) || o.services < WAVES + 1) fail('services', `needs at least ${WAVES + 1}`);
  if (!Number.isInteger(o.pods)) fail('pods', 'must be a whole number');
  const workers = o.nodes - 1;
  const fixed = fixedPods(workers);
  if (o.pods < fixed + o.services - 1) {
    fail('pods', `needs at least ${fixed + o.services - 1} for ${o.nodes} nodes and ${o.services} services (DaemonSet, CoreDNS, clients, one per Service): raise --pods or lower --services`);
  }
  if (o.pods > workers * ENVELOPE.podsPerNode) {
    fail('pods', `${o.pods} pods do not fit ${workers} workers at ${ENVELOPE.podsPerNode} pods per node: use --nodes ${Math.ceil(o.pods / ENVELOPE.podsPerNode) + 1} or more`);
  }
  if (o.pods - fixed > (o.services - 1) * ENVELOPE.endpointsPerService) {
    fail('services', `too few for ${o.pods} pods at ${ENVELOPE.endpointsPerService} endpoints per Service: use --services ${Math.ceil((o.pods - fixed) / ENVELOPE.endpointsPerService) + 1} or more`);
  }
}

/** Replicas per Deployment: varied, each 1..250, summing to exactly `total`. */
function replicaCounts(services: number, total: number, rnd: () => number): number[] {
  const mean = total / services;
  const out = Array.from({ length: services }, () => Math.max(1, Math.min(ENVELOPE.endpointsPerService, Math.round(mean * (0.25 + 1.5 * rnd())))));
  let diff = total - out.reduce((a, b) => a + b, 0);
  for (let i = 0; diff !== 0; i = (i + 1) % services) {
    const v = out[i]!;
    if (diff > 0 && v < ENVELOPE.endpointsPerService) { const add = Math.min(diff, ENVELOPE.endpointsPerService - v); out[i] = v + add; diff -= add; }
    else if (diff < 0 && v > 1) { const sub = Math.min(-diff, v - 1); out[i] = v - sub; diff += sub; }
  }
  return out;
}

function app(i: number, replicas: number): unknown[] {
  const name = `web-${pad(i)}`;
  const namespace = `team-${i % NAMESPACES}`;
  const labels = { app: name };
  const type = i % 1000 === 999 ? 'LoadBalancer' : i % 100 === 99 ? 'NodePort' : 'ClusterIP';
  return [
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
      spec: {
        replicas, selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] } },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type, selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
  ];
}

const list = (items: unknown[]) => ({ apiVersion: 'v1', kind: 'List', items });

/** The edge Deployment and Service, pinned to nodes labelled pool=edge. */
function edge(): unknown[] {
  const labels = { app: 'edge' };
  return [
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'edge', namespace: 'team-0' },
      spec: { replicas: EDGE_REPLICAS, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { nodeSelector: { pool: 'edge' }, containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'edge', namespace: 'team-0' }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
  ];
}

function platform(): unknown[] {
  const ns = Array.from({ length: NAMESPACES }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${i}` } }));
  const fluentd = {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'fluentd-ds', namespace: 'kube-system' },
    spec: { selector: { matchLabels: { name: 'fluentd' } }, template: { metadata: { labels: { name: 'fluentd' } }, spec: { containers: [{ name: 'fluentd', image: 'gcr.io/google-containers/fluentd-elasticsearch:1.20' }] } } },
  };
  const clients = Array.from({ length: CLIENTS }, (_, i) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `client-${i}`, labels: { app: 'client' } },
    spec: { containers: [{ name: 'curl', image: 'curlimages/curl' }] },
  }));
  return [...ns, fluentd, ...clients];
}

/** Later events: traffic, scale-ups, a node failure and recovery, a drain. */
function timeline(o: GenOptions, replicas: number[], rnd: () => number): unknown[] {
  const svc = (i: number) => `svc/team-${i % NAMESPACES}/web-${pad(i)}`;
  const pick = () => Math.floor(rnd() * (o.services - 1));
  const worker = (i: number) => `node-${pad(1 + (i % (o.nodes - 1)), 4)}`;
  const steps: unknown[] = [];
  for (let t = 0; t < 6; t++) steps.push({ at: `${2 + t}m`, traffic: { from: `pod/client-${t % CLIENTS}`, to: svc(pick()), port: 80, proto: 'tcp', flows: 100, packets: 1000 } });
  for (let k = 0; k < SCALE_UPS; k++) {
    const i = pick();
    replicas[i] = Math.min(ENVELOPE.endpointsPerService, replicas[i]! + SCALE_STEP);
    steps.push({ at: `${10 + k}m`, scale: { kind: 'Deployment', namespace: `team-${i % NAMESPACES}`, name: `web-${pad(i)}`, replicas: replicas[i] } });
  }
  steps.push({ at: '25m', label: { node: worker(16), labels: { pool: 'edge' } } });
  steps.push({ at: '26m', apply: list(edge()) });
  const edgeTraffic = { from: 'pod/client-0', to: 'svc/team-0/edge', port: 80, proto: 'tcp', flows: 100, packets: 1000 };
  steps.push({ at: '29m', traffic: edgeTraffic });
  steps.push({ at: '30m', nodeFail: worker(16) });
  steps.push({ at: '31m', traffic: { from: 'pod/client-0', to: svc(pick()), port: 80, proto: 'tcp', flows: 100, packets: 1000 } });
  steps.push({ at: '31m', traffic: edgeTraffic });
  steps.push({ at: '35m', label: { node: worker(17), labels: { node: 'server' } } });
  steps.push({ at: '40m', drain: worker(18) });
  steps.push({ at: '45m', nodeRecover: worker(16) });
  steps.push({ at: '50m', uncordon: worker(18) });
  return steps;
}

/** A scenario (JSON text) at the given size. Throws a ValidationError for sizes past the envelope's rules. */
export function generateScenario(o: GenOptions): string {
  check(o);
  const rnd = prng(o.seed ?? 1);
  const workers = o.nodes - 1;
  const budget = o.pods - fixedPods(workers);
  const web = o.services - 1; // the last Service is the pinned edge one
  const replicas = replicaCounts(web, budget, rnd);
  const nodes = [{ name: 'control-plane', role: 'control-plane' }, ...Array.from({ length: workers }, (_, i) => ({ name: `node-${pad(i + 1, 4)}`, labels: { 'topology.kubernetes.io/zone': `zone-${'abc'[i % 3]}` } }))];
  const steps: unknown[] = [{ at: '0s', apply: list(platform()) }];
  const per = Math.ceil(web / WAVES);
  for (let w = 0; w < WAVES; w++) {
    const items: unknown[] = [];
    for (let i = w * per; i < Math.min(web, (w + 1) * per); i++) items.push(...app(i, replicas[i]!));
    steps.push({ at: `${10 * (w + 1)}s`, apply: list(items) });
  }
  steps.push(...timeline(o, replicas, rnd));
  const cluster = {
    name: `envelope-${o.nodes}`, cni: 'flannel-vxlan', kubeProxy: 'iptables',
    // /24 per node from a /9 fits 32,768 nodes and stays clear of the service range.
    podCidr: '10.128.0.0/9', serviceCidr: '10.96.0.0/12', nodeNetwork: '172.16.0.0/16', publicNetwork: '100.64.0.0/16',
    nodes,
  };
  return JSON.stringify({ cluster, steps });
}
