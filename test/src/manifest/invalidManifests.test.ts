import { describe, expect, it } from 'vitest';
import { IllegalStateError, NotFoundError, ValidationError } from '../../../engine/errors.js';
import { parseManifests } from '../../../src/manifest/index.js';
import { applyYaml, newCluster } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();

const RS = (sel: string) => `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 2
  selector: ${sel}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]
`;
const SVC = (spec: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n${spec}`;
const POD = (spec: string, meta = '{name: p}') => `apiVersion: v1\nkind: Pod\nmetadata: ${meta}\nspec: ${spec}\n`;

/** [what, manifest text, the exact error] */
const CASES: [string, string, string][] = [
  ['malformed YAML', 'apiVersion: v1\nkind: Pod\nmetadata: {name: a\n', 'app.yaml: document 1: line 4: malformed YAML: Flow map in block collection must be sufficiently indented and end with a } at line 4, column 1:'],
  ['a selector operator that does not exist', RS('{matchExpressions: [{key: app, operator: Near, values: [web]}]}'), 'app.yaml: document 1 (ReplicaSet/web): spec.selector.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist, got "Near"'],
  ["the seed's `key: tier,app`", RS('{matchExpressions: [{key: "tier,app", operator: In, values: [web]}]}'), 'app.yaml: document 1 (ReplicaSet/web): spec.selector.matchExpressions[0].key: "tier,app" is not a valid label key'],
  ['In without values', RS('{matchExpressions: [{key: app, operator: In}]}'), 'app.yaml: document 1 (ReplicaSet/web): spec.selector.matchExpressions[0].values: must be non-empty for operator In'],
  ['an empty selector', RS('{}'), 'app.yaml: document 1 (ReplicaSet/web): spec.selector: needs matchLabels or matchExpressions (an empty selector would select every pod)'],
  ['a selector the template does not match', RS('{matchLabels: {app: api}}'), 'app.yaml: document 1 (ReplicaSet/web): spec.template.metadata.labels: do not match spec.selector: the ReplicaSet would never see its own pods'],
  ['replicas as a word', RS('{matchLabels: {app: web}}').replace('replicas: 2', 'replicas: three'), 'app.yaml: document 1 (ReplicaSet/web): spec.replicas: must be a whole number, got "three"'],
  ['a port out of range', SVC('  selector: {app: web}\n  ports: [{port: 70000}]\n'), 'app.yaml: document 1 (Service/s): spec.ports[0].port: 70000 is out of range (1-65535)'],
  ['a Service with no ports', SVC('  selector: {app: web}\n'), 'app.yaml: document 1 (Service/s): spec.ports: a Service needs at least one port'],
  ['containerPort 0', POD('{containers: [{name: c, image: x, ports: [{containerPort: 0}]}]}'), 'app.yaml: document 1 (Pod/p): spec.containers[0].ports[0].containerPort: 0 is out of range (1-65535)'],
  ['two containers binding one port', POD('{containers: [{name: a, image: x, ports: [{containerPort: 80}]}, {name: b, image: y, ports: [{containerPort: 80}]}]}'), 'app.yaml: document 1 (Pod/p): spec.containers[1].ports: port 80/TCP is already bound by container "a" in the same pod (containers share one network namespace)'],
  ['no containers', POD('{containers: []}'), 'app.yaml: document 1 (Pod/p): spec.containers: at least one container is required'],
  ['an invalid name', POD('{containers: [{name: a, image: x}]}', '{name: Web_1}'), `app.yaml: document 1 (Pod/Web_1): metadata.name: "Web_1" is not a valid name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)`],
  ['no kind', 'apiVersion: v1\nmetadata: {name: p}\n', 'app.yaml: document 1: kind: is required'],
  ['a duplicate', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n', 'app.yaml: document 2 (Namespace/a): metadata.name: duplicate Namespace/a, also defined at app.yaml: document 1'],
  ['a bad item in a List', 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec: {containers: [{name: a}]}\n', 'app.yaml: document 1 item 0 (Pod/p): spec.containers[0].image: is required'],
  ['a number as a label value', POD('{containers: [{name: a, image: x}]}', '{name: p, labels: {v: 1}}'), 'app.yaml: document 1 (Pod/p): metadata.labels.v: label values must be strings; quote 1'],
  ['a scalar document', 'just a string\n', 'app.yaml: document 1: (document): must be a mapping, got "just a string"'],
  ['a NodePort on a ClusterIP Service', SVC('  ports: [{port: 80, nodePort: 30080}]\n'), 'app.yaml: document 1 (Service/s): spec.ports[0].nodePort: may not be set for type ClusterIP'],
  ['two unnamed ports', SVC('  ports: [{port: 80}, {port: 443}]\n'), 'app.yaml: document 1 (Service/s): spec.ports[0].name: is required when a Service has more than one port'],
];

describe('invalid manifests: one error naming file, document and field', () => {
  for (const [what, text, message] of CASES) {
    it(what, () => {
      expect(() => parseManifests(text, 'app.yaml')).toThrow(ValidationError);
      expect(() => parseManifests(text, 'app.yaml')).toThrow(message);
    });
  }

  it('unknown fields are ignored and unknown kinds reported and skipped', () => {
    const r = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n---\n' + POD('{containers: [{name: a, image: x}], priorityClassName: high}') + 'status: {phase: Running}\n', 'app.yaml');
    expect(r.warnings).toEqual(['app.yaml: document 1 (ConfigMap/cm): kind ConfigMap is not modelled by podnet; skipped']);
    expect(r.objects.map((o) => o.name)).toEqual(['p']);
    expect(r.where).toEqual(['app.yaml: document 2 (Pod/p)']);
  });

  it('JSON manifests (a list of objects) read as YAML would', () => {
    const r = parseManifests(JSON.stringify([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }]), 'app.json');
    expect(r.objects).toEqual([{ kind: 'Namespace', name: 'a' }]);
    expect(() => parseManifests(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }), 'app.json')).toThrow('app.json: document 1 (Pod/p): spec: is required');
  });
});

describe('errors found at apply name the document too, and nothing is written', () => {
  const cases: [string, string, new (m: string) => Error, string][] = [
    ['a namespace that does not exist', POD('{containers: [{name: a, image: x}]}', '{name: p, namespace: shop}'), NotFoundError, 'test.yaml: document 1 (Pod/p): metadata.namespace: namespace "shop" not found; create it first (kind: Namespace)'],
    ['a nodeName that names no node', POD('{nodeName: worker-z, containers: [{name: a, image: x}]}'), NotFoundError, 'test.yaml: document 1 (Pod/p): spec.nodeName: node "worker-z" not found (nodes: control-plane, worker-a, worker-b)'],
    ['a ClusterIP outside the service CIDR', SVC('  clusterIP: 192.168.1.1\n  ports: [{port: 80}]\n'), ValidationError, 'test.yaml: document 1 (Service/s): spec.clusterIP: clusterIP 192.168.1.1 is not in the service CIDR 10.96.0.0/12'],
    ['the apiserver\'s ClusterIP', SVC('  clusterIP: 10.96.0.1\n  ports: [{port: 80}]\n'), ValidationError, 'test.yaml: document 1 (Service/s): spec.clusterIP: clusterIP 10.96.0.1 is already allocated to service default/kubernetes'],
    ['a NodePort outside 30000-32767', SVC('  type: NodePort\n  ports: [{port: 80, nodePort: 8080}]\n'), ValidationError, 'test.yaml: document 1 (Service/s): spec.ports[0].nodePort: 8080 is outside 30000-32767'],
  ];
  for (const [what, text, Err, message] of cases) {
    it(what, () => {
      const c = newCluster(dir);
      const head = c.log.lastSeq();
      const before = c.state.pods.size;
      expect(() => c.execute(applyYaml(text), 0)).toThrow(Err);
      expect(() => c.execute(applyYaml(text), 0)).toThrow(message);
      expect(c.log.lastSeq()).toBe(head);
      expect(c.state.pods.size).toBe(before);
    });
  }

  it('a full service CIDR rejects the Service, and the apply writes nothing', () => {
    const c = newCluster(dir, ['worker-a'], { serviceCidr: '10.96.0.0/29' });
    // .1 kubernetes; a /29 is too small for kube-dns's .10, so it took .2
    expect(c.state.services.get('kube-system/kube-dns')!.clusterIP).toBe('10.96.0.2');
    c.execute(applyYaml([3, 4, 5, 6].map((i) => SVC(`  ports: [{port: 80}]\n`).replace('name: s', `name: s${i}`)).join('---\n')), 0);
    const head = c.log.lastSeq();
    expect(() => c.execute(applyYaml(SVC('  ports: [{port: 80}]\n')), 0)).toThrow(IllegalStateError);
    expect(() => c.execute(applyYaml(SVC('  ports: [{port: 80}]\n')), 0)).toThrow('test.yaml: document 1 (Service/s): spec.clusterIP: the service CIDR 10.96.0.0/29 is full; no ClusterIP left (delete a Service or use a larger serviceCidr)');
    expect(c.log.lastSeq()).toBe(head);
  });
});
