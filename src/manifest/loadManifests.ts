import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../engine/errors.js';
import { parseManifests, type ParsedManifests } from './parseManifests.js';

/** Read manifests from a file or a folder (its .yaml, .yml and .json files, in name order), like `kubectl apply -f`. */
export function loadManifests(path: string): ParsedManifests {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ValidationError(`${path}: no such file or directory`);
  }
  const files = st.isDirectory()
    ? readdirSync(path).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => join(path, f))
    : [path];
  if (files.length === 0) throw new ValidationError(`${path}: no .yaml, .yml or .json files in this folder`);
  const out: ParsedManifests = { objects: [], warnings: [], where: [] };
  for (const f of files) {
    const r = parseManifests(readFileSync(f, 'utf8'), f);
    // One at a time: spreading 150,000 objects into push() overflows the call stack.
    for (const o of r.objects) out.objects.push(o);
    for (const w of r.where) out.where.push(w);
    out.warnings.push(...r.warnings);
  }
  return out;
}
