// What `lab up` built, kept on disk so `lab check` and `lab down` (another process,
// maybe after a crash) know it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LabNode, LabPod } from './labPlan.js';

export interface LabState {
  db: string;
  at: { seq: number; time: number };
  namespaces: string[];
  pods: LabPod[];
  nodes: LabNode[];
}

/** Where the state lives: $PODNET_LAB_STATE, else /run/podnet/lab.json. */
export function labStatePath(): string {
  return process.env.PODNET_LAB_STATE ?? '/run/podnet/lab.json';
}

export function saveLabState(s: LabState): void {
  const p = labStatePath();
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, JSON.stringify(s, null, 2));
}

export function loadLabState(): LabState | undefined {
  const p = labStatePath();
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as LabState) : undefined;
}

export function clearLabState(): void {
  rmSync(labStatePath(), { force: true });
}
