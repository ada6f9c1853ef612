import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath } from '../../../engine/datapath/index.js';
import { ForwardingContext, forwardTraffic, replayTraffic, tracePacket } from '../../../src/packet/index.js';
import { seedCluster } from '../../support/flows.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();

describe.each(BACKENDS)('bulk forwarder (%s)', (backend) => {
  it('forwards flows x packets on vectors; every packet of pod->Service is delivered; flow records name the Service and the endpoint', () => {
    const { c } = seedCluster(dir);
    const ctx = ForwardingContext.of(createDatapath(backend), c.state);
    const r = forwardTraffic(ctx, { from: 'pod/client', to: 'svc/nginx', port: 80, proto: 'tcp', flows: 300, packets: 4 });
    expect(r.packets).toBe(1200);
    expect(r.delivered).toBe(1200);
    expect(r.flows).toHaveLength(300);
    expect(r.flows[0]!.service).toBe('default/nginx');
    expect(r.flows[0]!.packets).toBe(4);
    expect(new Set(r.flows.map((f) => f.deliveredTo)).size).toBe(3);
    expect(r.counters.conntrack.hits).toBeGreaterThan(0);
  });

  it('agrees with the tracer on the destination and disposition of sampled flows', () => {
    const { c } = seedCluster(dir);
    for (const to of ['svc/nginx', 'internet']) {
      const r = forwardTraffic(ForwardingContext.of(createDatapath(backend), c.state), { from: 'pod/client', to, port: 80, proto: 'tcp', flows: 50, packets: 1 });
      for (const k of [0, 7, 31, 49]) {
        const t = tracePacket(c.state, createDatapath(backend), { src: 'pod/client', dst: to, port: 80, proto: 'tcp', sport: 10000 + k });
        expect(t.deliveredTo).toBe(r.flows[k]!.deliveredTo);
        expect(t.disposition).toBe(r.flows[k]!.verdict);
      }
    }
  });
});

it('replays TrafficSent events into flow records', () => {
  const { c } = seedCluster(dir);
  c.execute({ type: 'SendTraffic', from: 'pod/client', to: 'svc/nginx', port: 80, proto: 'tcp', flows: 5, packets: 3 }, 40_000);
  const r = replayTraffic(c.log, Number.MAX_SAFE_INTEGER, 'ts');
  expect(r.flows).toHaveLength(5);
  expect(r.flows.every((f) => f.verdict === 'DELIVERED' && f.time === 40_000)).toBe(true);
  expect(r.dp.ctCount()).toBeGreaterThanOrEqual(5);
});
