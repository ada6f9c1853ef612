import { join } from 'node:path';
import { EventLog } from '../../engine/log/index.js';
import type { EventEnvelope } from '../../engine/codec/index.js';
import { clusterCodec, type ClusterState } from '../../src/cluster/index.js';
import { DEFAULT_CLUSTER_CONFIG, LiveCluster, type Command } from '../../src/control/index.js';
import { parseManifests } from '../../src/manifest/index.js';
import type { ClusterConfig, Pod } from '../../src/cluster/index.js';

let n = 0;

/** A live cluster on a fresh log: control-plane + workers, ready for given/when/then tests. */
export function newCluster(dir: string, workers = ['worker-a', 'worker-b'], config: Partial<ClusterConfig> = {}): LiveCluster {
  const log = EventLog.open(join(dir, `cluster-${process.pid}-${++n}.db`));
  const c = new LiveCluster(log, clusterCodec());
  c.execute({ type: 'CreateCluster', config: { ...DEFAULT_CLUSTER_CONFIG, ...config } }, 0);
  c.execute({ type: 'AddNode', name: 'control-plane', role: 'control-plane', labels: {} }, 0);
  for (const w of workers) c.execute({ type: 'AddNode', name: w, role: 'worker', labels: {} }, 0);
  return c;
}

/** An Apply command from manifest text. */
export function applyYaml(text: string): Command {
  const parsed = parseManifests(text, 'test.yaml');
  return { type: 'Apply', objects: parsed.objects, source: 'test.yaml', where: parsed.where };
}

/** Event types, in order. */
export function types(events: EventEnvelope[]): string[] {
  return events.map((e) => e.type);
}

/** The nginx-rs pods (the workload under test; CoreDNS pods live in kube-system). */
export function nginxPods(s: ClusterState): Pod[] {
  return [...s.pods.values()].filter((p) => p.name.startsWith('nginx-rs-'));
}

/** node name -> number of running pods whose name starts with prefix. */
export function spread(s: ClusterState, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of s.pods.values()) if (p.name.startsWith(prefix) && p.node) out[p.node] = (out[p.node] ?? 0) + 1;
  return out;
}

export const NGINX_RS = `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: nginx-rs}
spec:
  replicas: 3
  selector:
    matchExpressions:
      - {key: tier, operator: In, values: [frontend]}
      - {key: app, operator: In, values: [nginx-app]}
  template:
    metadata: {labels: {app: nginx-app, tier: frontend}}
    spec:
      containers:
        - name: nginx-container
          image: nginx
          ports: [{containerPort: 80, name: http}]
---
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  selector: {app: nginx-app}
  ports: [{port: 80, targetPort: http}]
`;
