// Scenario files: `cluster:` (the cluster and its nodes) and `steps:` (what happens,
// when). Every error names the file and the field, e.g. `demo.yaml: steps[3].scale.replicas: ...`.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../../engine/errors.js';
import { cidrsOverlap, tryParseCidr } from '../../engine/net/index.js';
import { CNI_MODES, KUBE_PROXY_MODES, WORKLOAD_KINDS, type ClusterConfig, type NodeRole, type WorkloadKind } from '../cluster/index.js';
import { DEFAULT_CLUSTER_CONFIG, KIND_ALIASES, type Command } from '../control/index.js';
import { Fields, type Raw } from '../manifest/Fields.js';
import { loadManifests, parseManifests, readManifestValues } from '../manifest/index.js';
import { tryParseDuration } from './duration.js';

/** A step: a command at a scenario time. */
export interface ScenarioStep {
  at: number;
  command: Command;
  /** `steps[3]`, for messages. */
  where: string;
}

export interface Scenario {
  file: string;
  config: ClusterConfig;
  nodes: { name: string; role: NodeRole; labels: Record<string, string> }[];
  /** In time order (stable for equal times). */
  steps: ScenarioStep[];
  warnings: string[];
}

const ACTIONS = ['apply', 'delete', 'scale', 'label', 'nodeFail', 'nodeRecover', 'drain', 'uncordon', 'traffic'] as const;

function parseAt(f: Fields, v: Raw, path: string): number {
  if (typeof v === 'number' && v >= 0) return Math.round(v * 1000);
  const s = f.string(v, path);
  if (s === undefined) f.fail(path, 'is required (e.g. 0s, 90s, 5m, 1h30m)');
  const ms = tryParseDuration(s);
  if (ms === undefined) f.fail(path, `"${s}" is not a time (write e.g. 0s, 90s, 5m, 1h30m)`);
  return ms;
}

function clusterConfig(f: Fields, c: Raw): ClusterConfig {
  const d = DEFAULT_CLUSTER_CONFIG;
  const cidr = (key: keyof ClusterConfig, dflt: string) => {
    const v = f.string(f.at(c, key), `cluster.${key}`) ?? dflt;
    if (!tryParseCidr(v)) f.fail(`cluster.${key}`, `"${v}" is not an IPv4 CIDR (a.b.c.d/len, host bits zero)`);
    return v;
  };
  const cfg: ClusterConfig = {
    name: f.string(f.at(c, 'name'), 'cluster.name') ?? d.name,
    cni: f.oneOf(f.at(c, 'cni'), 'cluster.cni', CNI_MODES, d.cni),
    kubeProxy: f.oneOf(f.at(c, 'kubeProxy'), 'cluster.kubeProxy', KUBE_PROXY_MODES, d.kubeProxy),
    podCidr: cidr('podCidr', d.podCidr),
    nodeCidrMaskSize: f.int(f.at(c, 'nodeCidrMaskSize'), 'cluster.nodeCidrMaskSize', 8, 30) ?? d.nodeCidrMaskSize,
    serviceCidr: cidr('serviceCidr', d.serviceCidr),
    nodeNetwork: cidr('nodeNetwork', d.nodeNetwork),
    publicNetwork: cidr('publicNetwork', d.publicNetwork),
    loadBalancerPool: cidr('loadBalancerPool', d.loadBalancerPool),
    clusterDomain: f.string(f.at(c, 'clusterDomain'), 'cluster.clusterDomain') ?? d.clusterDomain,
    maxPodsPerNode: f.int(f.at(c, 'maxPodsPerNode'), 'cluster.maxPodsPerNode', 1, 1000) ?? d.maxPodsPerNode,
  };
  if (cfg.nodeCidrMaskSize < tryParseCidr(cfg.podCidr)!.len) f.fail('cluster.nodeCidrMaskSize', `/${cfg.nodeCidrMaskSize} is larger than the pod CIDR ${cfg.podCidr} itself`);
  const ranges = ['podCidr', 'serviceCidr', 'nodeNetwork', 'publicNetwork', 'loadBalancerPool'] as const;
  for (let i = 0; i < ranges.length; i++) for (let j = i + 1; j < ranges.length; j++) {
    const a = ranges[i]!, b = ranges[j]!;
    if (cidrsOverlap(tryParseCidr(cfg[a])!, tryParseCidr(cfg[b])!)) f.fail(`cluster.${b}`, `${cfg[b]} overlaps cluster.${a} ${cfg[a]}`);
  }
  return cfg;
}

function objectRef(f: Fields, v: Raw, path: string): { kind: string; namespace: string; name: string } {
  // `kind/name`, `kind/ns/name`, or {kind, name, namespace}
  if (typeof v === 'string') {
    const parts = v.split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) f.fail(path, `"${v}" should be KIND/NAME or KIND/NAMESPACE/NAME`);
    const kind = KIND_ALIASES[parts[0]!.toLowerCase()];
    if (!kind) f.fail(path, `unknown kind "${parts[0]}"`);
    return parts.length === 3 ? { kind, namespace: parts[1]!, name: parts[2]! } : { kind, namespace: 'default', name: parts[1]! };
  }
  f.map(v, path);
  const k = f.requiredString(f.at(v, 'kind'), `${path}.kind`);
  const kind = KIND_ALIASES[k.toLowerCase()];
  if (!kind) f.fail(`${path}.kind`, `unknown kind "${k}"`);
  return { kind, namespace: f.string(f.at(v, 'namespace'), `${path}.namespace`) ?? 'default', name: f.requiredString(f.at(v, 'name'), `${path}.name`) };
}

function step(f: Fields, s: Raw, i: number, baseDir: string, warnings: string[]): ScenarioStep {
  const where = `steps[${i}]`;
  const m = f.map(s, where);
  if (!m) f.fail(where, 'must be a mapping with at: and one action');
  const at = parseAt(f, m.at, `${where}.at`);
  const actions = ACTIONS.filter((a) => m[a] !== undefined);
  const unknown = Object.keys(m).filter((k) => k !== 'at' && !(ACTIONS as readonly string[]).includes(k));
  if (unknown.length) f.fail(`${where}.${unknown[0]}`, `unknown action; use one of ${ACTIONS.join(', ')}`);
  if (actions.length !== 1) f.fail(where, `needs exactly one action (${ACTIONS.join(', ')}), found ${actions.length}`);
  const a = actions[0]!;
  const v = m[a];
  const p = `${where}.${a}`;
  const node = () => f.requiredString(v, p);
  let command: Command;
  switch (a) {
    case 'apply': {
      let parsed;
      const text = typeof v === 'string' ? v : '';
      if (v !== null && typeof v === 'object') {
        // Manifests written as YAML (or JSON) values right in the step.
        parsed = readManifestValues(Array.isArray(v) ? v : [v], `${f.where}: ${p}`);
      } else if (f.requiredString(v, p) && !text.includes('\n') && /\.(ya?ml|json)$|\/$/.test(text.trim())) {
        const path = isAbsolute(text.trim()) ? text.trim() : resolve(baseDir, text.trim());
        if (!existsSync(path)) f.fail(p, `${text.trim()}: no such file or folder (paths are relative to the scenario file)`);
        parsed = loadManifests(path);
      } else {
        parsed = parseManifests(text, `${f.where}: ${p}`);
      }
      warnings.push(...parsed.warnings);
      command = { type: 'Apply', objects: parsed.objects, source: `${f.where}: ${p}`, where: parsed.where };
      break;
    }
    case 'delete': command = { type: 'Delete', ...objectRef(f, v, p) }; break;
    case 'scale': {
      const ref = objectRef(f, v, p);
      if (!(WORKLOAD_KINDS as readonly string[]).includes(ref.kind)) f.fail(`${p}.kind`, `${ref.kind} cannot be scaled`);
      const replicas = f.int(f.at(v, 'replicas'), `${p}.replicas`, 0, 1_000_000);
      if (replicas === undefined) f.fail(`${p}.replicas`, 'is required');
      command = { type: 'Scale', kind: ref.kind as WorkloadKind, namespace: ref.namespace, name: ref.name, replicas };
      break;
    }
    case 'label': {
      const name = f.requiredString(f.at(v, 'node'), `${p}.node`);
      const labels: Record<string, string | null> = {};
      for (const [k, val] of Object.entries(f.map(f.at(v, 'labels'), `${p}.labels`) ?? {})) {
        labels[k] = val === null ? null : f.labels({ [k]: val }, `${p}.labels`)[k]!;
      }
      command = { type: 'LabelNode', name, labels };
      break;
    }
    case 'nodeFail': command = { type: 'FailNode', name: node() }; break;
    case 'nodeRecover': command = { type: 'RecoverNode', name: node() }; break;
    case 'drain': command = { type: 'DrainNode', name: node() }; break;
    case 'uncordon': command = { type: 'UncordonNode', name: node() }; break;
    case 'traffic': {
      f.map(v, p);
      command = {
        type: 'SendTraffic',
        from: f.requiredString(f.at(v, 'from'), `${p}.from`),
        to: f.requiredString(f.at(v, 'to'), `${p}.to`),
        port: f.int(f.at(v, 'port'), `${p}.port`, 0, 65535) ?? 80,
        proto: f.oneOf(f.at(v, 'proto'), `${p}.proto`, ['tcp', 'udp', 'icmp'] as const, 'tcp'),
        flows: f.int(f.at(v, 'flows'), `${p}.flows`, 1, 100_000_000) ?? 1,
        packets: f.int(f.at(v, 'packets'), `${p}.packets`, 1, 1_000_000_000) ?? 1,
      };
      break;
    }
  }
  return { at, command, where };
}

function tryJson(text: string): Raw | undefined {
  try { return JSON.parse(text) as Raw; } catch { return undefined; }
}

/** Parse a scenario's text. `file` names it in errors; relative apply: paths resolve from its folder. */
export function parseScenario(text: string, file: string): Scenario {
  let doc: Raw;
  try {
    // A generated envelope scenario is JSON (which is YAML): JSON.parse reads it ~50x faster.
    doc = text.trimStart().startsWith('{') ? tryJson(text) ?? parseYaml(text, { prettyErrors: true }) : parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new ValidationError(`${file}: malformed YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const f: Fields = new Fields(file);
  const root = f.map(doc, '(file)');
  if (!root) f.fail('(file)', 'is empty; a scenario needs cluster: and steps:');
  const c = f.map(root.cluster, 'cluster');
  if (!c) f.fail('cluster', 'is required');
  const config = clusterConfig(f, c);
  const nodeList = f.list(c.nodes, 'cluster.nodes');
  if (!nodeList || nodeList.length === 0) f.fail('cluster.nodes', 'at least one node is required');
  const names = new Set<string>();
  const nodes = nodeList.map((n, i) => {
    const at = `cluster.nodes[${i}]`;
    f.map(n, at);
    const name = f.name(f.at(n, 'name'), `${at}.name`);
    if (names.has(name)) f.fail(`${at}.name`, `duplicate node name "${name}"`);
    names.add(name);
    return { name, role: f.oneOf(f.at(n, 'role'), `${at}.role`, ['control-plane', 'worker'] as const, 'worker'), labels: f.labels(f.at(n, 'labels'), `${at}.labels`) };
  });
  const warnings: string[] = [];
  const steps = (f.list(root.steps, 'steps') ?? []).map((s, i) => step(f, s, i, dirname(resolve(file)), warnings));
  steps.sort((a, b) => a.at - b.at);
  return { file, config, nodes, steps, warnings };
}
