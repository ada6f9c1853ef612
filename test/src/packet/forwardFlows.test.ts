import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath } from '../../../engine/datapath/index.js';
import { ForwardingContext, forwardTraffic, type TrafficSpec } from '../../../src/packet/index.js';
import { flowsOf, forwardFlows, mergeTrafficParts, TrafficRunner, runTrafficOfLog } from '../../../src/packet/parallel/index.js';
import { seedCluster } from '../../support/flows.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const SPEC: TrafficSpec = { from: 'pod/client', to: 'svc/nginx', port: 80, proto: 'tcp', flows: 300, packets: 4 };

describe.each(BACKENDS)('forwardFlows (%s)', (backend) => {
  it('all flows give forwardTraffic\'s flow records, and dispositions sum to the packets', () => {
    const { c } = seedCluster(dir);
    const want = forwardTraffic(ForwardingContext.of(createDatapath(backend), c.state), SPEC);
    const got = forwardFlows(ForwardingContext.of(createDatapath(backend), c.state), SPEC, flowsOf(SPEC, 0, 1));
    expect(got.packets).toBe(want.packets);
    expect(got.flows.map(({ flow: _f, ...r }) => r)).toEqual(want.flows);
    expect(Object.values(got.dispositions).reduce((a, b) => a + b, 0)).toBe(got.packets);
    expect(got.dispositions.DELIVERED_POD).toBe(want.delivered);
  });

  it('the partitions of 3 workers cover every flow once and, together, give the same records', () => {
    const { c } = seedCluster(dir);
    const want = forwardTraffic(ForwardingContext.of(createDatapath(backend), c.state), SPEC);
    const parts = [0, 1, 2].map((p) => flowsOf(SPEC, p, 3));
    expect(parts.reduce((n, p) => n + p.length, 0)).toBe(SPEC.flows);
    expect(parts.every((p) => p.length > 50)).toBe(true);
    const got = parts.flatMap((p) => forwardFlows(ForwardingContext.of(createDatapath(backend), c.state), SPEC, p).flows);
    got.sort((a, b) => a.flow - b.flow);
    expect(got.map(({ flow: _f, ...r }) => r)).toEqual(want.flows);
  });
});

it('a runner over a log with a node failure: partitioned runs merge to the single run', () => {
  const { c } = seedCluster(dir);
  const endpointNode = [...c.state.pods.values()].find((p) => p.name.startsWith('nginx-rs-'))!.node!;
  c.execute({ type: 'SendTraffic', from: 'pod/client', to: 'svc/nginx', port: 80, proto: 'tcp', flows: 60, packets: 3 }, 20_000);
  c.execute({ type: 'FailNode', name: endpointNode }, 30_000);
  c.execute({ type: 'SendTraffic', from: 'pod/client', to: 'svc/nginx', port: 80, proto: 'tcp', flows: 60, packets: 3 }, 40_000);
  const run = (part: number, parts: number) => { const r = new TrafficRunner({ backend: 'ts', part, parts }); runTrafficOfLog(c.log, r); return r.result; };
  const one = mergeTrafficParts([run(0, 1)]);
  const two = mergeTrafficParts([run(0, 2), run(1, 2)]);
  expect(two.packets).toBe(one.packets);
  expect(two.dispositions).toEqual(one.dispositions);
  expect(two.broken.map((f) => [f.flow, f.after.verdict])).toEqual(one.broken.map((f) => [f.flow, f.after.verdict]));
  expect(one.packets).toBe(360);
  expect(one.failures).toEqual([expect.objectContaining({ node: endpointNode })]);
  expect(one.broken.length).toBeGreaterThan(0);
  for (const f of one.broken) expect(f.before.node === endpointNode || f.before.path.includes(endpointNode)).toBe(true);
});
