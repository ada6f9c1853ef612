// `lab up` builds the plan in namespaces and starts a probe listener in every pod;
// `lab down` removes every namespace with the podnet prefix (and so every device and
// process in them), whatever state a failed or interrupted run left.
import { join } from 'node:path';
import { packageRoot } from '../../engine/packageRoot.js';
import type { ClusterState } from '../cluster/index.js';
import { PodnetError } from '../../engine/errors.js';
import { checkLabHost, run, startDetached, tryRun } from './LabHost.js';
import { formatIp } from '../../engine/net/index.js';
import { INTERNET_HOST } from '../network/index.js';
import { INTERNET_NS, LAB_PREFIX } from './labNames.js';
import { planLab } from './labPlan.js';
import { clearLabState, saveLabState, type LabState } from './labState.js';

/** The compiled probe agent (dist/ is built by npm ci; tests run from source but spawn this). */
const AGENT = join(packageRoot(), 'dist', 'src', 'lab', 'probeAgent.js');

/** Namespaces on this machine that the lab made. */
export function labNamespaces(): string[] {
  const out = tryRun(['ip', 'netns', 'list']) ?? '';
  return out.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(LAB_PREFIX));
}

/** Remove everything the lab made; returns how many namespaces went. Safe to run twice. */
export function labDown(): number {
  const all = labNamespaces();
  for (const ns of all) {
    const pids = (tryRun(['ip', 'netns', 'pids', ns]) ?? '').split('\n').filter(Boolean);
    for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ } }
  }
  for (const ns of all) tryRun(['ip', 'netns', 'del', ns]);
  clearLabState();
  return all.length;
}

export interface LabUpOptions {
  db: string;
}

/** Build the cluster's network as it was in `state`. Cleans up after itself if any step fails or on Ctrl-C. */
export function labUp(state: ClusterState, o: LabUpOptions): LabState {
  checkLabHost();
  const plan = planLab(state);
  if (labNamespaces().length) labDown();
  const onSignal = () => { labDown(); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const ns of plan.namespaces) run({ argv: ['ip', 'netns', 'add', ns] });
    for (const c of plan.commands) run(c);
    for (const p of plan.pods) {
      startDetached(['ip', 'netns', 'exec', p.ns, process.execPath, AGENT, 'listen', `pod ${p.key}`, ...p.ports.map((x) => `${x.proto}:${x.port}`)]);
    }
    for (const n of plan.nodes) {
      if (n.ports.length) startDetached(['ip', 'netns', 'exec', n.ns, process.execPath, AGENT, 'listen', `node ${n.name}`, ...n.ports.map((x) => `${x.proto}:${x.port}`)]);
    }
    startDetached(['ip', 'netns', 'exec', INTERNET_NS, process.execPath, AGENT, 'listen', `internet ${formatIp(INTERNET_HOST)}`, 'tcp:80', 'tcp:443', 'udp:53']);
    waitForListeners([
      ...plan.pods.map((p) => ({ ns: p.ns, ports: p.ports })),
      ...plan.nodes.filter((n) => n.ports.length).map((n) => ({ ns: n.ns, ports: n.ports })),
      { ns: INTERNET_NS, ports: [{ proto: 'tcp' as const, port: 80 }, { proto: 'tcp' as const, port: 443 }, { proto: 'udp' as const, port: 53 }] },
    ]);
    const s: LabState = { db: o.db, at: { seq: state.seq, time: state.time }, namespaces: plan.namespaces, pods: plan.pods, nodes: plan.nodes };
    saveLabState(s);
    return s;
  } catch (e) {
    labDown();
    throw e;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** How long lab up waits for every probe listener to be bound (a loaded machine starts node slowly). */
const LISTEN_TIMEOUT_MS = 30_000;

/**
 * Wait until every listener is bound (`ss -ltnu` in its namespace), so `lab check`
 * never probes a pod before its listener exists: a refused connection would look like
 * a disagreement with podnet.
 */
function waitForListeners(want: { ns: string; ports: { proto: 'tcp' | 'udp'; port: number }[] }[]): void {
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  let pending = want;
  while (pending.length) {
    pending = pending.filter((w) => {
      const out = tryRun(['ip', 'netns', 'exec', w.ns, 'ss', '-Hlntu']) ?? '';
      return !w.ports.every((p) => new RegExp(`^${p.proto}\\s.*:${p.port}\\s`, 'm').test(out));
    });
    if (!pending.length) return;
    if (Date.now() > deadline) throw new PodnetError('LAB_LISTENERS', `lab: probe listeners did not start within ${LISTEN_TIMEOUT_MS / 1000} s in ${pending.map((w) => w.ns).join(', ')}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** Path of the probe agent script (for lab check's clients). */
export function probeAgentPath(): string {
  return AGENT;
}
