// Bad scenario files: each gets one line naming the file and the field (or step), and
// nothing is written.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../engine/errors.js';
import { parseScenario, runScenario } from '../../../src/scenario/index.js';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const NODES = 'cluster:\n  nodes: [{name: cp, role: control-plane}, {name: w1}]\n';

const cases: [string, string, RegExp][] = [
  ['malformed YAML', 'cluster: [unclosed\n', /^s\.yaml: malformed YAML: /],
  ['no cluster', 'steps: []\n', /^s\.yaml: cluster: is required$/],
  ['no nodes', 'cluster: {name: x}\n', /^s\.yaml: cluster\.nodes: at least one node is required$/],
  ['wrong type', 'cluster:\n  nodes: {name: a}\n', /^s\.yaml: cluster\.nodes: must be a list, got a mapping$/],
  ['unknown CNI', 'cluster:\n  cni: weave\n  nodes: [{name: a}]\n', /^s\.yaml: cluster\.cni: must be one of flannel-vxlan, flannel-host-gw, calico, got "weave"$/],
  ['CIDR that does not parse', 'cluster:\n  podCidr: 10.244.0.0/33\n  nodes: [{name: a}]\n', /^s\.yaml: cluster\.podCidr: "10\.244\.0\.0\/33" is not an IPv4 CIDR/],
  ['CIDR with host bits', 'cluster:\n  serviceCidr: 10.96.0.1/12\n  nodes: [{name: a}]\n', /^s\.yaml: cluster\.serviceCidr: "10\.96\.0\.1\/12" is not an IPv4 CIDR/],
  ['overlapping CIDRs', 'cluster:\n  podCidr: 10.0.0.0/8\n  nodes: [{name: a}]\n', /^s\.yaml: cluster\.serviceCidr: 10\.96\.0\.0\/12 overlaps cluster\.podCidr 10\.0\.0\.0\/8$/],
  ['duplicate node names', 'cluster:\n  nodes: [{name: a}, {name: a}]\n', /^s\.yaml: cluster\.nodes\[1\]\.name: duplicate node name "a"$/],
  ['bad node name', 'cluster:\n  nodes: [{name: Worker_A}]\n', /^s\.yaml: cluster\.nodes\[0\]\.name: "Worker_A" is not a valid name/],
  ['bad time', `${NODES}steps:\n  - {at: soon, nodeFail: w1}\n`, /^s\.yaml: steps\[0\]\.at: "soon" is not a time/],
  ['two actions in a step', `${NODES}steps:\n  - {at: 1s, nodeFail: w1, drain: w1}\n`, /^s\.yaml: steps\[0\]: needs exactly one action/],
  ['unknown action', `${NODES}steps:\n  - {at: 1s, reboot: w1}\n`, /^s\.yaml: steps\[0\]\.reboot: unknown action; use one of apply, /],
  ['scale without replicas', `${NODES}steps:\n  - {at: 1s, scale: {kind: rs, name: web}}\n`, /^s\.yaml: steps\[0\]\.scale\.replicas: is required$/],
  ['traffic port out of range', `${NODES}steps:\n  - {at: 1s, traffic: {from: pod/a, to: pod/b, port: 70000}}\n`, /^s\.yaml: steps\[0\]\.traffic\.port: 70000 is out of range \(0-65535\)$/],
  ['apply of a missing file', `${NODES}steps:\n  - {at: 1s, apply: nothere.yaml}\n`, /^s\.yaml: steps\[0\]\.apply: nothere\.yaml: no such file or folder/],
  ['label selector that does not parse', `${NODES}steps:\n  - at: 0s\n    apply: |\n      apiVersion: apps/v1\n      kind: ReplicaSet\n      metadata: {name: web}\n      spec:\n        selector: {matchExpressions: [{key: app, operator: Near, values: [x]}]}\n        template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: i}]}}\n`, /steps\[0\]\.apply: document 1 \(ReplicaSet\/web\): spec\.selector\.matchExpressions\[0\]\.operator: must be one of In, NotIn, Exists, DoesNotExist, got "Near"$/],
];

describe('bad scenario files', () => {
  for (const [name, text, re] of cases) {
    it(`${name}: one clear line naming the field`, () => {
      let err: unknown;
      try { parseScenario(text, 's.yaml'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    });
  }

  it('a step naming an unknown node fails at its step, and no log is left behind', () => {
    const sc = parseScenario(`${NODES}steps:\n  - {at: 5s, nodeFail: ghost}\n`, join(dir, 'ghost.yaml'));
    const db = join(dir, 'ghost.db');
    expect(() => runScenario(sc, db)).toThrow(/ghost\.yaml: steps\[0\]: node "ghost" not found \(nodes: cp, w1\)/);
    expect(existsSync(db)).toBe(false);
  });

  it('from the command line: exit 1, one line on stderr, no stack trace', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'cluster:\n  podCidr: banana\n  nodes: [{name: a}]\n');
    const r = podnet(['replay', file, '--db', join(dir, 'bad.db')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*bad\.yaml: cluster\.podCidr: "banana" is not an IPv4 CIDR/);
  });
});
