import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { podnet } from '../../support/cli.js';

/**
 * A small cluster for the get/describe CLI tests: namespace shop with a ReplicaSet of
 * 2 (scaled to 3 at 30s), a Service and an Ingress; worker w1 fails at 60s.
 */
export const SHOP_SCENARIO = `cluster:
  name: t
  nodes:
    - {name: cp, role: control-plane}
    - {name: w1}
    - {name: w2, labels: {disk: ssd}}
steps:
  - at: 0s
    apply: |
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: apps/v1
      kind: ReplicaSet
      metadata: {name: web, namespace: shop}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web, tier: front}}
          spec: {containers: [{name: nginx, image: nginx, ports: [{containerPort: 80}]}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {selector: {app: web}, ports: [{port: 80, targetPort: 80}]}
      ---
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: {name: web, namespace: shop}
      spec:
        ingressClassName: nginx
        rules:
          - host: shop.example.com
            http:
              paths:
                - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
  - at: 30s
    scale: {kind: ReplicaSet, name: web, namespace: shop, replicas: 3}
  - at: 60s
    nodeFail: w1
`;

/** Replay the shop scenario into `dir`/shop.db with the real command; returns the db path. */
export function replayShop(dir: string): string {
  const file = join(dir, 'shop.yaml');
  const db = join(dir, 'shop.db');
  writeFileSync(file, SHOP_SCENARIO);
  const r = podnet(['replay', file, '--db', db]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return db;
}
