// Kubernetes YAML (what `kubectl apply -f` takes) -> validated objects. Multi-document
// files and `kind: List` work; fields a cluster ignores are ignored; kinds podnet does
// not model are reported and skipped; anything invalid stops the whole apply.
import { parseAllDocuments } from 'yaml';
import { ValidationError } from '../../engine/errors.js';
import type { Container, ContainerPort, LabelSelector, LabelSelectorRequirement, PodTemplate, Protocol, ServicePort, Taint, Toleration, WorkloadKind } from '../cluster/index.js';
import { Fields, type Raw } from './Fields.js';
import type { IngressObject, ManifestObject, PodObject, ServiceObject, WorkloadObject } from './objects.js';
import { tryParseIp } from '../../engine/net/index.js';

/** Result of reading manifest text. */
export interface ParsedManifests {
  objects: ManifestObject[];
  /** Kinds skipped, one line each, with where. */
  warnings: string[];
  /** Where each object was read (`web.yaml: document 2 (Service/web)`), for errors at apply. */
  where: string[];
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function containerPorts(f: Fields, v: Raw, path: string): ContainerPort[] {
  return (f.list(v, path) ?? []).map((p, i) => {
    const at = `${path}[${i}]`;
    f.map(p, at);
    const name = f.string(f.at(p, 'name'), `${at}.name`);
    if (name !== undefined && (name.length > 15 || !IANA_SVC_NAME.test(name))) f.fail(`${at}.name`, `"${name}" is not a valid port name (at most 15 lower-case letters, digits and '-')`);
    const containerPort = f.int(f.at(p, 'containerPort'), `${at}.containerPort`, 1, 65535);
    if (containerPort === undefined) f.fail(`${at}.containerPort`, 'is required');
    const protocol = f.oneOf(f.at(p, 'protocol'), `${at}.protocol`, PROTOCOLS, 'TCP');
    return name === undefined ? { containerPort, protocol } : { name, containerPort, protocol };
  });
}

function containers(f: Fields, spec: Raw, path: string): Container[] {
  const list = f.list(f.at(spec, 'containers'), `${path}.containers`);
  if (!list || list.length === 0) f.fail(`${path}.containers`, 'at least one container is required');
  const out = list.map((c, i) => {
    const at = `${path}.containers[${i}]`;
    f.map(c, at);
    return { name: f.label(f.at(c, 'name'), `${at}.name`), image: f.requiredString(f.at(c, 'image'), `${at}.image`), ports: containerPorts(f, f.at(c, 'ports'), `${at}.ports`) };
  });
  const names = new Set<string>();
  const bound = new Map<string, string>();
  for (const [i, c] of out.entries()) {
    if (names.has(c.name)) f.fail(`${path}.containers[${i}].name`, `duplicate container name "${c.name}"`);
    names.add(c.name);
    // Containers share the pod's network namespace: one port, one listener.
    for (const p of c.ports) {
      const k = `${p.protocol}/${p.containerPort}`;
      const other = bound.get(k);
      if (other) f.fail(`${path}.containers[${i}].ports`, `port ${p.containerPort}/${p.protocol} is already bound by container "${other}" in the same pod (containers share one network namespace)`);
      bound.set(k, c.name);
    }
  }
  return out;
}

function tolerations(f: Fields, v: Raw, path: string): Toleration[] | undefined {
  const list = f.list(v, path);
  if (!list) return undefined;
  return list.map((t, i) => {
    const at = `${path}[${i}]`;
    f.map(t, at);
    const tol: Toleration = {};
    const key = f.string(f.at(t, 'key'), `${at}.key`);
    if (key !== undefined) tol.key = key;
    tol.operator = f.oneOf(f.at(t, 'operator'), `${at}.operator`, ['Exists', 'Equal'] as const, 'Equal');
    const value = f.string(f.at(t, 'value'), `${at}.value`);
    if (value !== undefined) tol.value = value;
    const effect = f.string(f.at(t, 'effect'), `${at}.effect`);
    if (effect !== undefined) tol.effect = effect;
    return tol;
  });
}

function podSpec(f: Fields, spec: Raw, path: string, labels: Record<string, string>): PodTemplate & { nodeName?: string } {
  f.map(spec, path);
  if (spec === undefined) f.fail(path, 'is required');
  const t: PodTemplate & { nodeName?: string } = { labels, containers: containers(f, spec, path) };
  const ns = f.at(spec, 'nodeSelector');
  if (ns !== undefined) t.nodeSelector = f.labels(ns, `${path}.nodeSelector`);
  const tol = tolerations(f, f.at(spec, 'tolerations'), `${path}.tolerations`);
  if (tol) t.tolerations = tol;
  if (f.bool(f.at(spec, 'hostNetwork'), `${path}.hostNetwork`)) t.hostNetwork = true;
  const nodeName = f.string(f.at(spec, 'nodeName'), `${path}.nodeName`);
  if (nodeName) t.nodeName = nodeName;
  return t;
}

/** metav1.LabelSelector (apps/v1) with its validation rules. */
function labelSelector(f: Fields, v: Raw, path: string): LabelSelector {
  const m = f.map(v, path);
  if (!m) f.fail(path, 'is required');
  const sel: LabelSelector = {};
  if (m.matchLabels !== undefined) sel.matchLabels = f.labels(m.matchLabels, `${path}.matchLabels`);
  const exprs = f.list(m.matchExpressions, `${path}.matchExpressions`);
  if (exprs) {
    sel.matchExpressions = exprs.map((e, i): LabelSelectorRequirement => {
      const at = `${path}.matchExpressions[${i}]`;
      f.map(e, at);
      const key = f.requiredString(f.at(e, 'key'), `${at}.key`);
      if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) f.fail(`${at}.key`, `"${key}" is not a valid label key`);
      const operator = f.oneOf(f.at(e, 'operator'), `${at}.operator`, ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const, 'In');
      if (f.at(e, 'operator') === undefined) f.fail(`${at}.operator`, 'is required (In, NotIn, Exists or DoesNotExist)');
      const values = (f.list(f.at(e, 'values'), `${at}.values`) ?? []).map((x, j) => (typeof x === 'number' || typeof x === 'boolean' ? String(x) : f.requiredString(x, `${at}.values[${j}]`)));
      if ((operator === 'In' || operator === 'NotIn') && values.length === 0) f.fail(`${at}.values`, `must be non-empty for operator ${operator}`);
      if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) f.fail(`${at}.values`, `must be empty for operator ${operator}`);
      return values.length ? { key, operator, values } : { key, operator };
    });
  }
  if (!sel.matchLabels && !sel.matchExpressions) f.fail(path, 'needs matchLabels or matchExpressions (an empty selector would select every pod)');
  return sel;
}

function metadata(f: Fields, doc: Raw, namespaced: boolean): { name: string; namespace: string; labels: Record<string, string> } {
  const name = f.name(f.at(doc, 'metadata.name'), 'metadata.name');
  const namespace = namespaced ? (f.at(doc, 'metadata.namespace') === undefined ? 'default' : f.label(f.at(doc, 'metadata.namespace'), 'metadata.namespace')) : '';
  return { name, namespace, labels: f.labels(f.at(doc, 'metadata.labels'), 'metadata.labels') };
}

function pod(f: Fields, doc: Raw): PodObject {
  const m = metadata(f, doc, true);
  const { nodeName, ...t } = podSpec(f, f.at(doc, 'spec'), 'spec', m.labels);
  return { kind: 'Pod', namespace: m.namespace, name: m.name, ...t, ...(nodeName ? { nodeName } : {}) };
}

function workload(f: Fields, doc: Raw, kind: WorkloadKind): WorkloadObject {
  const m = metadata(f, doc, true);
  const tmplLabels = f.labels(f.at(doc, 'spec.template.metadata.labels'), 'spec.template.metadata.labels');
  const { nodeName: _n, ...template } = podSpec(f, f.at(doc, 'spec.template.spec'), 'spec.template.spec', tmplLabels);
  let selector: LabelSelector;
  if (kind === 'ReplicationController') {
    // v1 RC: spec.selector is a plain map, defaulting to the template's labels.
    const raw = f.at(doc, 'spec.selector');
    selector = { matchLabels: raw === undefined ? tmplLabels : f.labels(raw, 'spec.selector') };
    if (Object.keys(selector.matchLabels!).length === 0) f.fail('spec.selector', 'is required (or give spec.template.metadata.labels)');
  } else {
    selector = labelSelector(f, f.at(doc, 'spec.selector'), 'spec.selector');
  }
  if (!selectorMatches(selector, tmplLabels)) f.fail('spec.template.metadata.labels', `do not match spec.selector: the ${kind} would never see its own pods`);
  const replicas = kind === 'DaemonSet' ? 0 : f.int(f.at(doc, 'spec.replicas'), 'spec.replicas', 0, 1_000_000) ?? 1;
  return { kind, namespace: m.namespace, name: m.name, replicas, selector, template };
}

function selectorMatches(sel: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    if (r.operator === 'In' && !(has && r.values!.includes(labels[r.key]!))) return false;
    if (r.operator === 'NotIn' && has && r.values!.includes(labels[r.key]!)) return false;
    if (r.operator === 'Exists' && !has) return false;
    if (r.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function portRef(f: Fields, v: Raw, path: string): number | string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return f.int(v, path, 1, 65535);
  const s = f.string(v, path)!;
  if (/^\d+$/.test(s)) return f.int(Number(s), path, 1, 65535);
  if (s.length > 15 || !IANA_SVC_NAME.test(s)) f.fail(path, `"${s}" is neither a port number nor a valid port name`);
  return s;
}

function service(f: Fields, doc: Raw): ServiceObject {
  const m = metadata(f, doc, true);
  const type = f.oneOf(f.at(doc, 'spec.type'), 'spec.type', ['ClusterIP', 'NodePort', 'LoadBalancer'] as const, 'ClusterIP');
  const list = f.list(f.at(doc, 'spec.ports'), 'spec.ports');
  if (!list || list.length === 0) f.fail('spec.ports', 'a Service needs at least one port');
  const ports: ServicePort[] = list.map((p, i) => {
    const at = `spec.ports[${i}]`;
    f.map(p, at);
    const port = f.int(f.at(p, 'port'), `${at}.port`, 1, 65535);
    if (port === undefined) f.fail(`${at}.port`, 'is required');
    const name = f.string(f.at(p, 'name'), `${at}.name`);
    if (name !== undefined) f.label(name, `${at}.name`);
    if (list.length > 1 && !name) f.fail(`${at}.name`, 'is required when a Service has more than one port');
    const sp: ServicePort = { protocol: f.oneOf(f.at(p, 'protocol'), `${at}.protocol`, PROTOCOLS, 'TCP') as Protocol, port, targetPort: portRef(f, f.at(p, 'targetPort'), `${at}.targetPort`) ?? port };
    if (name) sp.name = name;
    const np = f.int(f.at(p, 'nodePort'), `${at}.nodePort`, 1, 65535);
    if (np !== undefined) {
      if (type === 'ClusterIP') f.fail(`${at}.nodePort`, 'may not be set for type ClusterIP');
      sp.nodePort = np;
    }
    return sp;
  });
  const seen = new Set<string>();
  for (const [i, p] of ports.entries()) {
    const k = `${p.port}/${p.protocol}`;
    if (seen.has(k)) f.fail(`spec.ports[${i}]`, `duplicate port ${k}`);
    seen.add(k);
  }
  const svc: ServiceObject = {
    kind: 'Service', namespace: m.namespace, name: m.name, type, ports,
    externalTrafficPolicy: f.oneOf(f.at(doc, 'spec.externalTrafficPolicy'), 'spec.externalTrafficPolicy', ['Cluster', 'Local'] as const, 'Cluster'),
    sessionAffinity: f.oneOf(f.at(doc, 'spec.sessionAffinity'), 'spec.sessionAffinity', ['None', 'ClientIP'] as const, 'None'),
  };
  if (svc.externalTrafficPolicy === 'Local' && type === 'ClusterIP') f.fail('spec.externalTrafficPolicy', 'Local applies only to NodePort and LoadBalancer Services');
  const sel = f.at(doc, 'spec.selector');
  if (sel !== undefined) svc.selector = f.labels(sel, 'spec.selector');
  const cip = f.string(f.at(doc, 'spec.clusterIP'), 'spec.clusterIP');
  if (cip !== undefined && cip !== '') {
    if (cip !== 'None' && tryParseIp(cip) === undefined) f.fail('spec.clusterIP', `"${cip}" is not an IPv4 address or None`);
    if (cip === 'None' && type !== 'ClusterIP') f.fail('spec.clusterIP', `None (headless) is only valid for type ClusterIP`);
    svc.clusterIP = cip;
  }
  const lb = f.string(f.at(doc, 'spec.loadBalancerIP'), 'spec.loadBalancerIP');
  if (lb) {
    if (tryParseIp(lb) === undefined) f.fail('spec.loadBalancerIP', `"${lb}" is not an IPv4 address`);
    svc.loadBalancerIP = lb;
  }
  return svc;
}

function ingressBackend(f: Fields, v: Raw, path: string): { service: string; port: number | string } {
  f.map(v, path);
  const service = f.name(f.at(v, 'service.name'), `${path}.service.name`);
  const num = f.at(v, 'service.port.number');
  const port = num !== undefined ? f.int(num, `${path}.service.port.number`, 1, 65535)! : f.requiredString(f.at(v, 'service.port.name'), `${path}.service.port.name`);
  return { service, port };
}

function ingress(f: Fields, doc: Raw): IngressObject {
  const m = metadata(f, doc, true);
  const ing: IngressObject = { kind: 'Ingress', namespace: m.namespace, name: m.name, rules: [] };
  const cls = f.string(f.at(doc, 'spec.ingressClassName'), 'spec.ingressClassName');
  if (cls) ing.className = cls;
  const db = f.at(doc, 'spec.defaultBackend');
  if (db !== undefined) ing.defaultBackend = ingressBackend(f, db, 'spec.defaultBackend');
  for (const [i, r] of (f.list(f.at(doc, 'spec.rules'), 'spec.rules') ?? []).entries()) {
    const at = `spec.rules[${i}]`;
    f.map(r, at);
    const host = f.string(f.at(r, 'host'), `${at}.host`);
    const paths = (f.list(f.at(r, 'http.paths'), `${at}.http.paths`) ?? []).map((p, j) => {
      const pat = `${at}.http.paths[${j}]`;
      f.map(p, pat);
      const path = f.string(f.at(p, 'path'), `${pat}.path`) ?? '/';
      if (!path.startsWith('/')) f.fail(`${pat}.path`, `must start with '/', got "${path}"`);
      const pathType = f.oneOf(f.at(p, 'pathType'), `${pat}.pathType`, ['Prefix', 'Exact', 'ImplementationSpecific'] as const, 'Prefix');
      if (f.at(p, 'pathType') === undefined) f.fail(`${pat}.pathType`, 'is required (Prefix, Exact or ImplementationSpecific)');
      return { path, pathType, ...ingressBackend(f, f.at(p, 'backend'), `${pat}.backend`) };
    });
    ing.rules.push(host ? { host, paths } : { paths });
  }
  if (!ing.defaultBackend && ing.rules.length === 0) f.fail('spec', 'an Ingress needs rules or a defaultBackend');
  return ing;
}

function node(f: Fields, doc: Raw): ManifestObject {
  const m = metadata(f, doc, false);
  const taints: Taint[] = (f.list(f.at(doc, 'spec.taints'), 'spec.taints') ?? []).map((t, i) => {
    const at = `spec.taints[${i}]`;
    const key = f.requiredString(f.at(t, 'key'), `${at}.key`);
    const value = f.string(f.at(t, 'value'), `${at}.value`);
    const effect = f.oneOf(f.at(t, 'effect'), `${at}.effect`, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const, 'NoSchedule');
    return value === undefined ? { key, effect } : { key, value, effect };
  });
  const role = Object.hasOwn(m.labels, 'node-role.kubernetes.io/control-plane') ? 'control-plane' : 'worker';
  return { kind: 'Node', name: m.name, role, labels: m.labels, taints };
}

/** Readers per kind (apiVersion is checked loosely: the kind decides). */
const KINDS: Record<string, (f: Fields, doc: Raw) => ManifestObject> = {
  Pod: pod,
  Service: service,
  ReplicaSet: (f, d) => workload(f, d, 'ReplicaSet'),
  ReplicationController: (f, d) => workload(f, d, 'ReplicationController'),
  Deployment: (f, d) => workload(f, d, 'Deployment'),
  DaemonSet: (f, d) => workload(f, d, 'DaemonSet'),
  Ingress: ingress,
  Namespace: (f, d) => ({ kind: 'Namespace', name: f.label(f.at(d, 'metadata.name'), 'metadata.name') }),
  Node: node,
};

/** Read one document's value (an object or a `kind: List`) into `out`. */
function readDocument(value: Raw, file: string, index: number, out: ParsedManifests, seen: Map<string, string>): void {
  if (value === null || value === undefined) return; // empty document (a trailing ---)
  const items: [Raw, string][] = [];
  const base = new Fields(`${file}: document ${index}`);
  base.map(value, '(document)');
  if ((value as Record<string, Raw>).kind === 'List') {
    (base.list(base.at(value, 'items'), 'items') ?? []).forEach((it, j) => items.push([it, `${file}: document ${index} item ${j}`]));
  } else items.push([value, `${file}: document ${index}`]);
  for (const [item, where] of items) {
    const f0 = new Fields(where);
    f0.map(item, '(object)');
    const kind = f0.requiredString(f0.at(item, 'kind'), 'kind');
    f0.requiredString(f0.at(item, 'apiVersion'), 'apiVersion');
    const reader = KINDS[kind];
    const nm = typeof f0.at(item, 'metadata.name') === 'string' ? (f0.at(item, 'metadata.name') as string) : '?';
    if (!reader) { out.warnings.push(`${where} (${kind}/${nm}): kind ${kind} is not modelled by podnet; skipped`); continue; }
    const at = `${where} (${kind}/${nm})`;
    const obj = reader(new Fields(at), item);
    const id = 'namespace' in obj ? `${obj.kind}/${obj.namespace}/${obj.name}` : `${obj.kind}/${obj.name}`;
    const prev = seen.get(id);
    if (prev) throw new ValidationError(`${at}: metadata.name: duplicate ${id}, also defined at ${prev}`);
    seen.set(id, where);
    out.objects.push(obj);
    out.where.push(at);
  }
}

/**
 * Manifests already parsed (a scenario's `apply:` written as YAML objects, or JSON):
 * one value per document, numbered from 1 as in a file.
 */
export function readManifestValues(values: Raw[], file: string): ParsedManifests {
  const out: ParsedManifests = { objects: [], warnings: [], where: [] };
  const seen = new Map<string, string>();
  values.forEach((v, i) => readDocument(v, file, i + 1, out, seen));
  return out;
}

/** JSON is YAML too, and JSON.parse reads a generated 50 MB manifest far faster. */
function tryJson(text: string): Raw[] | undefined {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as Raw;
    return Array.isArray(v) ? [{ apiVersion: 'v1', kind: 'List', items: v }] : [v];
  } catch {
    return undefined; // not strict JSON: the YAML parser reads it and reports any error
  }
}

/** Parse manifest text (one or more YAML documents). `file` names it in errors. */
export function parseManifests(text: string, file: string): ParsedManifests {
  const json = tryJson(text);
  if (json) return readManifestValues(json, file);
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const out: ParsedManifests = { objects: [], warnings: [], where: [] };
  const seen = new Map<string, string>();
  const arr = Array.isArray(docs) ? docs : [docs];
  arr.forEach((doc, di) => {
    const index = di + 1;
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0] ? ` line ${e.linePos[0].line}` : '';
      throw new ValidationError(`${file}: document ${index}:${line}: malformed YAML: ${e.message.split('\n')[0]}`);
    }
    readDocument(doc.toJS({ maxAliasCount: 100 }) as Raw, file, index, out, seen);
  });
  return out;
}
