import { beforeAll, describe, expect, it } from 'vitest';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';
import { replayShop } from './shopScenario.js';

const dir = tmpDir();
let db = '';
beforeAll(() => { db = replayShop(dir); });

const get = (...args: string[]) => podnet(['get', ...args, '--db', db]);
const lines = (text: string) => text.trimEnd().split('\n');

describe('podnet get (spawned)', () => {
  it('several kinds at once: one table each, rows named kind/name, a blank line between', () => {
    const r = get('svc,ep,ing', '-n', 'shop');
    expect(r.code).toBe(0);
    const blocks = r.stdout.trimEnd().split('\n\n').map(lines);
    expect(blocks).toHaveLength(3);
    expect(blocks[0]![0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(blocks[0]![1]).toMatch(/^service\/web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+60s$/);
    expect(blocks[1]![1]).toMatch(/^endpoints\/web\s+(10\.244\.\d+\.\d+:80,?){3}\s+60s$/);
    expect(blocks[2]).toEqual([
      expect.stringMatching(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/),
      expect.stringMatching(/^ingress\.networking\.k8s\.io\/web\s+nginx\s+shop\.example\.com\s+203\.0\.113\.\d+\s+80\s+60s$/),
    ]);
  });

  it('namespaces and ingresses by their short names', () => {
    const ns = lines(get('ns').stdout);
    expect(ns[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    const names = ns.slice(1).map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'shop']));
    expect(ns.find((l) => l.startsWith('shop '))).toMatch(/^shop\s+Active\s+60s$/);
    // the address is the ingress controller's LoadBalancer IP
    const lb = JSON.parse(get('svc', 'ingress-nginx-controller', '-n', 'ingress-nginx', '-o', 'json').stdout) as { status: { loadBalancer: { ingress: { ip: string }[] } } };
    const address = lb.status.loadBalancer.ingress[0]!.ip;
    expect(lines(get('ing', '-A').stdout)[1]).toMatch(new RegExp(`^shop\\s+web\\s+nginx\\s+shop\\.example\\.com\\s+${address.replaceAll('.', '\\.')}\\s+80\\s+60s$`));
    // nothing in default: kubectl's message, on stderr
    const none = get('ing');
    expect(none.stdout).toBe('');
    expect(none.stderr.trim()).toBe('No resources found in default namespace.');
  });

  it('--show-labels adds a LABELS column; -l filters', () => {
    const r = get('pods', '-n', 'shop', '--show-labels', '-l', 'tier=front');
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/\s+AGE\s+LABELS$/);
    expect(out.slice(1)).toHaveLength(3);
    for (const l of out.slice(1)) expect(l).toMatch(/^web-\w+\s+1\/1\s+Running\s+.*\sapp=web,tier=front$/);
    expect(lines(get('nodes', 'w2', '--show-labels').stdout)[1]).toMatch(/disk=ssd/);
  });

  it('KIND/NAME works like KIND NAME', () => {
    expect(get('svc/web', '-n', 'shop').stdout).toBe(get('svc', 'web', '-n', 'shop').stdout);
  });

  it('-o json: Kubernetes-shaped objects, one bare when named, a List otherwise', () => {
    const ing = JSON.parse(get('ing', 'web', '-n', 'shop', '-o', 'json').stdout) as Record<string, any>;
    expect(ing.apiVersion).toBe('networking.k8s.io/v1');
    expect(ing.kind).toBe('Ingress');
    expect(ing.metadata).toMatchObject({ name: 'web', namespace: 'shop' });
    expect(ing.status.loadBalancer.ingress[0].ip).toMatch(/^203\.0\.113\.\d+$/);
    expect(ing.spec).toEqual({ ingressClassName: 'nginx', rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] });
    const list = JSON.parse(get('svc,pods', '-n', 'shop', '-o', 'json').stdout) as { kind: string; apiVersion: string; metadata: object; items: Record<string, any>[] };
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } });
    expect(list.items.map((i) => i.kind)).toEqual(['Service', 'Pod', 'Pod', 'Pod']);
    const pod = list.items[1]!;
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', controller: true, blockOwnerDeletion: true }]);
    expect(pod.spec).toMatchObject({ nodeName: 'w2', restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' });
    expect(pod.status.phase).toBe('Running');
    expect(pod.status.podIP).toMatch(/^10\.244\.2\.\d+$/);
    expect(pod.status.podIPs).toEqual([{ ip: pod.status.podIP }]);
    expect(pod.status.hostIP).toMatch(/^172\.18\.0\.\d+$/);
    expect(pod.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    expect(list.items[0]!.spec).toMatchObject({ type: 'ClusterIP', ipFamilies: ['IPv4'], ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] });
  });

  it('-o yaml of a failed node: Ready Unknown, as the node controller leaves it', () => {
    const r = get('node', 'w1', '-o', 'yaml');
    expect(r.stdout).toMatch(/^apiVersion: v1\nkind: Node\nmetadata:\n  name: w1\n/);
    expect(r.stdout).toMatch(/- type: Ready\n\s+status: Unknown\n\s+reason: NodeStatusUnknown/);
  });

  it('errors: unknown kind in a list, KIND/NAME with a NAME', () => {
    const a = get('svc,widgets');
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^error: get: unknown kind "widgets"/);
    const b = get('svc/web', 'web');
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^error: get svc\/web web: give either KIND NAME or KIND\/NAME/);
  });
});
