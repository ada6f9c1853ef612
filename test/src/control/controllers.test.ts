import { describe, expect, it } from 'vitest';
import { IllegalStateError, NotFoundError, ValidationError } from '../../../engine/errors.js';
import { applyYaml, newCluster, NGINX_RS, nginxPods, spread, types } from '../../support/cluster.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();

describe('ReplicaSet and scheduler', () => {
  it('given 2 workers and a tainted control plane, when a 3-replica RS applies, then 2 pods land on one worker and 1 on the other', () => {
    const c = newCluster(dir);
    const events = c.execute(applyYaml(NGINX_RS), 1000);
    expect(types(events).filter((t) => t === 'PodCreated')).toHaveLength(3);
    expect(types(events).filter((t) => t === 'PodScheduled')).toHaveLength(3);
    expect(spread(c.state, 'nginx-rs-')).toEqual({ 'worker-a': 2, 'worker-b': 1 });
    const ips = nginxPods(c.state).map((p) => p.ip);
    expect(new Set(ips).size).toBe(3);
  });

  it('then the Service gets the 3 pod IPs as endpoints, with the named targetPort resolved', () => {
    const c = newCluster(dir);
    c.execute(applyYaml(NGINX_RS), 0);
    const ep = c.state.endpoints.get('default/nginx')!;
    expect(ep.endpoints.map((e) => e.ip).sort()).toEqual(nginxPods(c.state).map((p) => p.ip).sort());
    expect(ep.endpoints.every((e) => e.ports[0]!.port === 80)).toBe(true);
    expect(c.state.services.get('default/nginx')!.clusterIP).toMatch(/^10\.96\./);
  });

  it('when scaled to 6 and back to 2, then the pod count follows and endpoints shrink', () => {
    const c = newCluster(dir);
    c.execute(applyYaml(NGINX_RS), 0);
    c.execute({ type: 'Scale', kind: 'ReplicaSet', namespace: 'default', name: 'nginx-rs', replicas: 6 }, 10_000);
    expect(spread(c.state, 'nginx-rs-')).toEqual({ 'worker-a': 3, 'worker-b': 3 });
    c.execute({ type: 'Scale', kind: 'ReplicaSet', namespace: 'default', name: 'nginx-rs', replicas: 2 }, 20_000);
    expect(nginxPods(c.state)).toHaveLength(2);
    expect(c.state.endpoints.get('default/nginx')!.endpoints).toHaveLength(2);
  });

  it('when a worker fails, then its pods are replaced on the healthy worker with new IPs', () => {
    const c = newCluster(dir);
    c.execute(applyYaml(NGINX_RS), 0);
    const before = new Map(nginxPods(c.state).map((p) => [p.name, p.ip]));
    c.execute({ type: 'FailNode', name: 'worker-b' }, 60_000);
    expect(spread(c.state, 'nginx-rs-')).toEqual({ 'worker-a': 3 });
    const fresh = nginxPods(c.state).filter((p) => !before.has(p.name));
    expect(fresh).toHaveLength(1);
    expect([...before.values()]).not.toContain(fresh[0]!.ip);
    expect(c.state.endpoints.get('default/nginx')!.endpoints.every((e) => e.node === 'worker-a')).toBe(true);
  });

  it('when every node is full, then pods stay Pending with the scheduler\'s reason', () => {
    const c = newCluster(dir, ['worker-a'], { maxPodsPerNode: 2 });
    c.execute(applyYaml(NGINX_RS), 0);
    const pending = nginxPods(c.state).filter((p) => p.phase === 'Pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]!.reason).toBe('Unschedulable');
    expect(pending[0]!.message).toContain('1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');
    expect(pending[0]!.message).toContain('1 node(s) had too many pods');
  });

  it('when a node CIDR is full, then pods stay Pending and no IP is handed out twice', () => {
    const c = newCluster(dir, ['worker-a'], { nodeCidrMaskSize: 30 });
    c.execute(applyYaml(NGINX_RS), 0);
    // A /30 has one usable pod address after the gateway: CoreDNS's second replica took
    // worker-a's, so every nginx pod waits.
    const ips = [...c.state.pods.values()].flatMap((p) => (p.ip ? [p.ip] : []));
    expect(ips).toEqual(['10.244.0.2', '10.244.0.6']);
    expect(nginxPods(c.state).map((p) => p.phase)).toEqual(['Pending', 'Pending', 'Pending']);
    expect(nginxPods(c.state)[0]!.message).toBe('0/2 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had no free pod IP in 10.244.0.4/30.');
  });
});

describe('refused commands change nothing', () => {
  it('scaling a ReplicaSet that does not exist is NotFound and appends nothing', () => {
    const c = newCluster(dir);
    const head = c.log.lastSeq();
    expect(() => c.execute({ type: 'Scale', kind: 'ReplicaSet', namespace: 'default', name: 'nope', replicas: 2 }, 0)).toThrow(NotFoundError);
    expect(c.log.lastSeq()).toBe(head);
  });

  it('a ClusterIP outside the service CIDR is a ValidationError naming the field', () => {
    const c = newCluster(dir);
    const head = c.log.lastSeq();
    const bad = NGINX_RS.replace('selector: {app: nginx-app}', 'selector: {app: nginx-app}\n  clusterIP: 192.168.1.1');
    expect(() => c.execute(applyYaml(bad), 0)).toThrow(ValidationError);
    expect(() => c.execute(applyYaml(bad), 0)).toThrow(/spec.clusterIP: clusterIP 192.168.1.1 is not in the service CIDR/);
    expect(c.log.lastSeq()).toBe(head);
    expect(c.state.workloads.has('ReplicaSet/default/nginx-rs')).toBe(false);
  });

  it('failing a node twice is an IllegalStateError', () => {
    const c = newCluster(dir);
    c.execute({ type: 'FailNode', name: 'worker-a' }, 0);
    expect(() => c.execute({ type: 'FailNode', name: 'worker-a' }, 0)).toThrow(IllegalStateError);
  });
});
