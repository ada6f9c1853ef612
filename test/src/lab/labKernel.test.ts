// podnet held against the real kernel: for each CNI mode, build the lab cluster in
// network namespaces, probe it, and require every probe to agree with podnet's trace.
// Needs root, iproute2, iptables and conntrack (.ci/run installs them); otherwise the
// tests are skipped and the reason is printed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CNI_MODES } from '../../../src/cluster/index.js';
import { hasTool } from '../../../src/lab/LabHost.js';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const env = { PODNET_LAB_STATE: join(dir, 'lab.json') };
const missing = ['ip', 'bridge', 'iptables-restore', 'conntrack'].filter((t) => !hasTool(t));
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const skipReason = !root ? 'not running as root' : missing.length ? `missing ${missing.join(', ')} (apt-get install iproute2 iptables conntrack)` : '';
if (skipReason) console.warn(`lab kernel tests skipped: ${skipReason}`);

const LAB = readFileSync(join(import.meta.dirname, '../../../examples/lab.yaml'), 'utf8');

describe.skipIf(!!skipReason)('podnet lab against the Linux datapath', () => {
  for (const cni of CNI_MODES) {
    it(`${cni}: every probe agrees with the kernel, and lab down leaves nothing`, () => {
      const scenario = join(dir, `${cni}.yaml`);
      const db = join(dir, `${cni}.db`);
      writeFileSync(scenario, LAB.replace('cni: flannel-vxlan', `cni: ${cni}`));
      expect(podnet(['replay', scenario, '--db', db]).code).toBe(0);
      try {
        const up = podnet(['lab', 'up', '--db', db], env);
        expect(up.stderr).toBe('');
        expect(up.stdout).toMatch(/lab up: 3 nodes, 6 pods/);
        const check = podnet(['lab', 'check', '--probes', '60', '-o', 'json'], env);
        const report = JSON.parse(check.stdout) as { agree: boolean; results: { agree: boolean; probe: { kind: string }; checks: { what: string; kernel: string; podnet: string; agree: boolean }[] }[] };
        const bad = report.results.filter((r) => !r.agree).map((r) => JSON.stringify(r.checks.filter((c) => !c.agree)));
        expect(bad, `disagreements in ${cni}`).toEqual([]);
        expect(report.results.length).toBeGreaterThanOrEqual(50);
        const kinds = new Set(report.results.map((r) => r.probe.kind));
        expect([...kinds].sort()).toEqual(['egress', 'loadbalancer', 'nodeport', 'pod-pod across nodes', 'pod-pod same node', 'pod-service']);
        expect(check.code).toBe(0);
      } finally {
        const down = podnet(['lab', 'down'], env);
        expect(down.code).toBe(0);
      }
      const left = podnet(['lab', 'down'], env);
      expect(left.stdout).toContain('removed 0 namespaces');
    }, 180_000);
  }

  it('refuses an ipvs cluster with one clear line, building nothing', () => {
    const scenario = join(dir, 'ipvs.yaml');
    const db = join(dir, 'ipvs.db');
    writeFileSync(scenario, LAB.replace('kubeProxy: iptables', 'kubeProxy: ipvs'));
    expect(podnet(['replay', scenario, '--db', db]).code).toBe(0);
    const r = podnet(['lab', 'up', '--db', db], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: lab: kube-proxy mode ipvs is not built in the lab/);
    expect(podnet(['lab', 'down'], env).stdout).toContain('removed 0 namespaces');
  });
});
