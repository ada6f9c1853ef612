import { ValidationError } from '../../engine/errors.js';

/** A YAML/JSON value as parsed, before validation. */
export type Raw = unknown;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Reads fields of one manifest document and fails with one line naming the file, the
 * document index and the field path: `web.yaml: document 2 (ReplicaSet/nginx-rs):
 * spec.replicas: must be a whole number >= 0, got "three"`.
 */
export class Fields {
  readonly where: string;
  constructor(where: string) {
    this.where = where;
  }

  fail(path: string, msg: string): never {
    throw new ValidationError(`${this.where}: ${path}: ${msg}`);
  }

  /** Follow a dotted path from a root value. */
  at(root: Raw, path: string): Raw {
    let v: Raw = root;
    for (const k of path.split('.')) {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'object' || Array.isArray(v)) this.fail(path, `must be a mapping`);
      v = (v as Record<string, Raw>)[k];
    }
    return v === null ? undefined : v;
  }

  map(v: Raw, path: string): Record<string, Raw> | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(path, `must be a mapping, got ${describe(v)}`);
    return v as Record<string, Raw>;
  }

  list(v: Raw, path: string): Raw[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.fail(path, `must be a list, got ${describe(v)}`);
    return v;
  }

  string(v: Raw, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(path, `must be a string, got ${describe(v)}`);
    return v;
  }

  requiredString(v: Raw, path: string): string {
    const s = this.string(v, path);
    if (s === undefined || s === '') this.fail(path, 'is required');
    return s;
  }

  bool(v: Raw, path: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(path, `must be true or false, got ${describe(v)}`);
    return v;
  }

  int(v: Raw, path: string, min: number, max: number): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(path, `must be a whole number, got ${describe(v)}`);
    if (v < min || v > max) this.fail(path, `${v} is out of range (${min}-${max})`);
    return v;
  }

  oneOf<T extends string>(v: Raw, path: string, allowed: readonly T[], dflt: T): T {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(path, `must be one of ${allowed.join(', ')}, got ${describe(v)}`);
    return v as T;
  }

  /** metadata.name / namespace: DNS-1123 subdomain (253 chars max). */
  name(v: Raw, path: string): string {
    const s = this.requiredString(v, path);
    if (s.length > 253 || !DNS1123_SUBDOMAIN.test(s)) this.fail(path, `"${s}" is not a valid name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)`);
    return s;
  }

  /** A DNS-1123 label (63 chars max): port names, namespaces. */
  label(v: Raw, path: string): string {
    const s = this.requiredString(v, path);
    if (s.length > 63 || !DNS1123_LABEL.test(s)) this.fail(path, `"${s}" is not a valid DNS-1123 label`);
    return s;
  }

  /** A map of label key -> value (metadata.labels, selectors). */
  labels(v: Raw, path: string): Record<string, string> {
    const m = this.map(v, path) ?? {};
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(m)) {
      if (!LABEL_NAME.test(k) || k.length > 316) this.fail(`${path}.${k}`, `"${k}" is not a valid label key`);
      const s = typeof val === 'number' || typeof val === 'boolean' ? this.fail(`${path}.${k}`, `label values must be strings; quote ${String(val)}`) : this.string(val ?? '', `${path}.${k}`)!;
      if (s.length > 63 || !LABEL_VALUE.test(s)) this.fail(`${path}.${k}`, `"${s}" is not a valid label value`);
      out[k] = s;
    }
    return out;
  }
}

function describe(v: Raw): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}
