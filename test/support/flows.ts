import type { ClusterConfig } from '../../src/cluster/index.js';
import type { LiveCluster } from '../../src/control/index.js';
import type { Trace } from '../../src/packet/index.js';
import { applyYaml, newCluster, NGINX_RS } from './cluster.js';

export const CLIENT = `
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  containers:
    - {name: app, image: curl, ports: [{containerPort: 8080}]}
`;

/** The seeds' cluster (nginx-rs x3 + Service nginx + client) in a CNI / kube-proxy mode. */
export function seedCluster(dir: string, config: Partial<ClusterConfig> = {}): { c: LiveCluster; clientNode: string; far: string; near: string } {
  const c = newCluster(dir, ['worker-a', 'worker-b'], config);
  c.execute(applyYaml(NGINX_RS), 0);
  c.execute(applyYaml(CLIENT), 10_000);
  const client = c.state.pods.get('default/client')!;
  const pods = [...c.state.pods.values()].filter((p) => p.name.startsWith('nginx-rs-'));
  return { c, clientNode: client.node!, far: pods.find((p) => p.node !== client.node)!.name, near: pods.find((p) => p.node === client.node)!.name };
}

/** `point:action` of every step, in order. */
export function steps(t: { hops: Trace['hops'] }): string[] {
  return t.hops.flatMap((h) => h.steps.map((s) => `${s.point}:${s.action}`));
}

/** Every step of a trace (optionally of one point). */
export function allSteps(t: { hops: Trace['hops'] }, point?: string) {
  return t.hops.flatMap((h) => h.steps).filter((s) => !point || s.point === point);
}
