// Property: any manifest, however mangled (a field dropped, retyped, or set out of
// range), either applies or fails with one PodnetError whose message names the file,
// the document and the field. Never a TypeError, never a half-written log.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { PodnetError } from '../../../engine/errors.js';
import { parseManifests } from '../../../src/manifest/index.js';
import type { LiveCluster } from '../../../src/control/index.js';
import { newCluster } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const SEEDS = join(import.meta.dirname, '../../../examples/seeds');

const EXTRA = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: NodePort
  selector: {app: nginx-app}
  ports: [{name: http, port: 80, targetPort: 80, nodePort: 30080}, {name: https, port: 443, targetPort: 443, protocol: TCP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}, matchExpressions: [{key: tier, operator: NotIn, values: [db]}, {key: app, operator: Exists}]}
  template:
    metadata: {labels: {app: api}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      tolerations: [{key: dedicated, operator: Equal, value: api, effect: NoSchedule}]
      containers: [{name: api, image: api, ports: [{name: http, containerPort: 8080, protocol: TCP}]}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
---
apiVersion: v1
kind: Node
metadata: {name: worker-z, labels: {node: server}}
spec:
  taints: [{key: dedicated, value: api, effect: NoSchedule}]
`;

const BASES: unknown[] = [
  ...readdirSync(SEEDS).map((f) => readFileSync(join(SEEDS, f), 'utf8')),
  EXTRA,
].flatMap((t) => parseAllDocuments(t).map((d) => d.toJS() as unknown));

type Path = (string | number)[];

function paths(v: unknown, at: Path = []): Path[] {
  if (v === null || typeof v !== 'object') return [at];
  const kids = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return [at, ...kids.flatMap(([k, x]) => paths(x, [...at, k]))];
}

const WEIRD: unknown[] = [null, -1, 0, 1.5, 65536, 70000, 2 ** 40, '', 'x', 'Not A Name!', true, [], {}, ['a'], { a: 1 }, '10.96.0.1', 'None', '999.1.1.1'];

function mutate(doc: unknown, path: Path, how: 'drop' | 'set', value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return how === 'drop' ? null : value;
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (how === 'drop') {
    if (Array.isArray(parent)) parent.splice(last as number, 1); else delete parent[last];
  } else parent[last] = value;
  return copy;
}

const mutation = fc.record({
  doc: fc.nat({ max: BASES.length - 1 }),
  pick: fc.nat(),
  how: fc.constantFrom('drop' as const, 'set' as const),
  value: fc.constantFrom(...WEIRD),
  json: fc.boolean(),
});

const WHERE = /^mut\.(yaml|json): document \d+( item \d+)?( \([^)]*\))?: [^:]+: ./;

describe('mutated manifests never crash', () => {
  it('each of 2,000 mutations applies or fails with one error naming file, document and field', () => {
    let cluster: LiveCluster | undefined;
    let n = 0;
    let failed = 0;
    fc.assert(fc.property(mutation, ({ doc, pick, how, value, json }) => {
      if (n++ % 300 === 0) cluster = newCluster(dir);
      const c = cluster!;
      const base = BASES[doc]!;
      const ps = paths(base);
      const path = ps[pick % ps.length]!;
      // 70,000 replicas is valid and would apply: a scale test, not this one's business.
      const v = path[path.length - 1] === 'replicas' && typeof value === 'number' && value > 100 ? 7 : value;
      const mutated = mutate(base, path, how, v);
      const file = json ? 'mut.json' : 'mut.yaml';
      const text = json ? JSON.stringify(mutated) : stringify(mutated);
      const head = c.log.lastSeq();
      try {
        const parsed = parseManifests(text, file);
        c.execute({ type: 'Apply', objects: parsed.objects, source: file, where: parsed.where }, n);
      } catch (e) {
        failed++;
        if (!(e instanceof PodnetError)) throw new Error(`not a PodnetError for ${text}: ${(e as Error).stack}`);
        expect(e.message.split('\n')).toHaveLength(1);
        expect(e.message).toMatch(WHERE);
        expect(c.log.lastSeq()).toBe(head);
      }
    }), { numRuns: 2000, seed: 4 });
    expect(failed).toBeGreaterThan(200); // the mutations do bite
    expect(failed).toBeLessThan(1900); // and many still apply
  });
});
