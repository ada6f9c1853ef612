// The column-stored pod table against a plain Map of Pod objects: the same changes give
// the same pods in the same order, a restored (lazy) table reads back equal to the one it
// was taken from, and a snapshot of the former layout is ignored, not misread.
import { describe, expect, it } from 'vitest';
import { canonicalJson, decodeSnapshot, encodeSnapshot } from '../../../engine/replay/index.js';
import { clusterProjection, initialClusterState, PodTable, type Pod } from '../../../src/cluster/index.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

const LABELS: Record<string, string>[] = [{ app: 'web' }, { app: 'api', tier: 'backend' }];
const CONTAINERS = [[{ name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' as const }] }]];
const OWNERS = [undefined, { kind: 'ReplicaSet' as const, name: 'web' }];

/** A pod as evolve creates one (Pending, every field present). */
function pending(ns: string, name: string, r: () => number, time: number): Pod {
  return {
    namespace: ns, name, labels: LABELS[r() % 2]!, containers: CONTAINERS[0]!, nodeSelector: undefined, tolerations: undefined,
    hostNetwork: r() % 7 === 0 ? true : undefined, owner: OWNERS[r() % 2], targetNode: undefined,
    phase: 'Pending', reason: undefined, message: undefined, node: undefined, ip: undefined, createdAt: time, startedAt: undefined,
  };
}

/** Apply `n` random changes to a table and to a Map model of it. */
function churn(t: PodTable, model: Map<string, Pod>, n: number, seed: number, names = 3000): void {
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const ns = r() % 5 === 0 ? 'kube-system' : 'default';
    const name = `p-${r() % names}`;
    const key = `${ns}/${name}`;
    const op = r() % 10;
    if (op < 5) {
      const p = pending(ns, name, r, i);
      t.create(p, i, -1);
      model.set(key, p);
    } else if (op < 7) {
      const slot = t.find(ns, name);
      const p = model.get(key);
      expect(slot >= 0).toBe(p !== undefined);
      if (!p) continue;
      const ip = `10.0.${(i >>> 8) & 255}.${i & 255}`;
      t.bind(slot, `node-${i % 3}`, ip, i);
      model.set(key, { ...p, node: `node-${i % 3}`, ip, phase: 'Running', startedAt: i, reason: undefined, message: undefined });
    } else if (op < 8) {
      const slot = t.find(ns, name);
      const p = model.get(key);
      if (!p) continue;
      t.unschedulable(slot, 'Unschedulable', `0/3 nodes are available (${i})`);
      model.set(key, { ...p, reason: 'Unschedulable', message: `0/3 nodes are available (${i})` });
    } else {
      expect(t.delete(key)).toBe(model.delete(key));
    }
  }
}

function same(t: ReadonlyMap<string, Pod>, model: ReadonlyMap<string, Pod>): void {
  expect(t.size).toBe(model.size);
  expect([...t.keys()]).toEqual([...model.keys()]);
  expect(canonicalJson([...t.entries()])).toBe(canonicalJson([...model.entries()]));
}

function roundTrip(t: PodTable): PodTable {
  return PodTable.restore(decodeSnapshot(encodeSnapshot(t.toSnapshot())) as ReturnType<PodTable['toSnapshot']>);
}

describe('PodTable', () => {
  it('given random creates, binds, reasons and deletes, then it holds what a Map of Pod objects holds, in Map order', () => {
    const t = new PodTable();
    const model = new Map<string, Pod>();
    churn(t, model, 20_000, 1);
    same(t, model);
    for (const k of ['default/p-1', 'default/nope', 'nope/p-1', 'no-slash', 'default/p-1/x']) expect(t.get(k)).toEqual(model.get(k));
  });

  it('given more holes than pods, when it compacts, then order and contents are kept', () => {
    const t = new PodTable();
    const model = new Map<string, Pod>();
    const r = rng(2);
    for (let i = 0; i < 5000; i++) { const p = pending('default', `c-${i}`, r, i); t.create(p, i, -1); model.set(`default/c-${i}`, p); }
    for (let i = 0; i < 5000; i++) if (i % 10 !== 3) { t.delete(`default/c-${i}`); model.delete(`default/c-${i}`); }
    same(t, model);
    churn(t, model, 5000, 3);
    same(t, model);
    t.clear();
    model.clear();
    same(t, model);
    churn(t, model, 2000, 11);
    same(t, model);
  });

  it('given a restored table, then it reads back equal to the one it was taken from, and changes go on alike', () => {
    const t = new PodTable();
    const model = new Map<string, Pod>();
    churn(t, model, 10_000, 4);
    const back = roundTrip(t);
    same(back, model);
    for (const k of model.keys()) expect(back.has(k)).toBe(true);
    expect(back.has('default/absent')).toBe(false);
    churn(back, model, 10_000, 5);
    same(back, model);
    same(roundTrip(back), model);
  });

  it('returns one object per pod, and its own changes show in it', () => {
    const t = new PodTable();
    t.create(pending('default', 'a', rng(6), 0), 0, -1);
    const p = t.get('default/a')!;
    expect(t.get('default/a')).toBe(p);
    t.bind(t.find('default', 'a'), 'node-1', '10.0.0.9', 5);
    expect(p).toMatchObject({ node: 'node-1', ip: '10.0.0.9', phase: 'Running', startedAt: 5 });
    const q = { ...p, name: 'b' };
    t.set('default/b', q);
    expect(t.get('default/b')).toBe(q);
    expect(() => t.set('default/c', q)).toThrow(/namespace\/name/);
  });

  it('shares a spec part with the sibling created before it, by value', () => {
    const t = new PodTable();
    const r = rng(7);
    const a = pending('default', 'a', r, 0);
    const b = { ...pending('default', 'b', r, 1), labels: { ...a.labels }, owner: a.owner && { ...a.owner } };
    const sa = t.create(a, 0, -1);
    const sb = t.create(b, 1, sa);
    expect(t.pod(sb).labels).toBe(t.pod(sa).labels);
    expect(t.pod(sb).owner).toBe(t.pod(sa).owner);
  });
});

describe('cluster snapshots of the column layout', () => {
  it('given a snapshot body in the former layout (pods as objects) under the current version, then it does not restore', () => {
    const s = initialClusterState();
    const old = { nodes: [], namespaces: [], pods: [], podKeys: [], workloads: [], services: [], endpoints: [], ingresses: [], nodeSerial: 0, seq: 0, time: 0 };
    expect(() => clusterProjection.fromSnapshot(decodeSnapshot(encodeSnapshot(old)))).toThrow();
    expect(clusterProjection.fromSnapshot(decodeSnapshot(encodeSnapshot(clusterProjection.toSnapshot(s)))).pods.size).toBe(0);
  });

  it('is a version newer than the row-per-pod layout (2), so older snapshots are ignored', () => {
    expect(clusterProjection.version).toBeGreaterThan(2);
  });
});

describe('PodTable snapshots', () => {
  it('store a column in the fewest bytes that hold its codes, and read each width back', () => {
    const t = new PodTable();
    const r = rng(8);
    // 300 distinct messages need two bytes a code; namespaces fit in one.
    for (let i = 0; i < 300; i++) {
      const slot = t.create(pending('default', `w-${i}`, r, i), i, -1);
      t.unschedulable(slot, 'Unschedulable', `message ${i}`);
    }
    const snap = t.toSnapshot();
    expect(snap.dicts.namespace.width).toBe(1);
    expect(snap.dicts.message.width).toBe(2);
    same(roundTrip(t), new Map(t.entries()));
    snap.dicts.message.width = 3;
    expect(() => PodTable.restore(snap)).toThrow(/width/);
  });
});

describe('PodTable strings', () => {
  it('finds, reads and restores names and IPs that are not ASCII, and tells them from their ASCII look-alikes', () => {
    const t = new PodTable();
    const model = new Map<string, Pod>();
    const r = rng(9);
    for (const [ns, name] of [['default', 'café-0'], ['default', 'cafe-0'], ['ünï', '名前'], ['default', 'a'.repeat(300)]] as const) {
      const p = pending(ns, name, r, 1);
      t.create(p, 1, -1);
      model.set(`${ns}/${name}`, p);
    }
    same(t, model);
    expect(t.has('default/café-0') && t.has('default/cafe-0') && t.has('ünï/名前')).toBe(true);
    expect(t.has('default/café-1')).toBe(false);
    const back = roundTrip(t);
    same(back, model);
    expect(back.get('ünï/名前')?.name).toBe('名前');
  });
});

describe('PodTable addresses', () => {
  it('reads back every address as it was given: dotted quads as numbers, anything else as the string', () => {
    const ips = ['10.244.0.1', '0.0.0.0', '255.255.255.255', '010.0.0.1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '::1', 'fd00::12', '', '1.2.3.4 '];
    const t = new PodTable();
    const model = new Map<string, Pod>();
    const r = rng(10);
    ips.forEach((ip, i) => {
      const p = pending('default', `ip-${i}`, r, i);
      t.bind(t.create(p, i, -1), 'node-0', ip, i);
      model.set(`default/ip-${i}`, { ...p, node: 'node-0', ip, phase: 'Running', startedAt: i });
    });
    same(t, model);
    same(roundTrip(t), model);
    // Rebinding a string address to a number and back leaves no stale string.
    const s = t.find('default', 'ip-8');
    t.bind(s, 'node-1', '10.0.0.8', 99);
    expect(t.get('default/ip-8')?.ip).toBe('10.0.0.8');
    expect(roundTrip(t).get('default/ip-8')?.ip).toBe('10.0.0.8');
  });
});
