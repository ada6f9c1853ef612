import { describe, expect, it } from 'vitest';
import { BACKENDS, createDatapath } from '../../../engine/datapath/index.js';
import { ForwardingContext, forwardTraffic, placeFlows, placePacket, replayTraffic, resolveTarget, sourceOf, TCP, tracePacket } from '../../../src/packet/index.js';
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

describe.each(BACKENDS)('placeFlows (%s)', (backend) => {
  it('writes what placePacket writes for each packet, and nothing else: vector, pipeline state and side columns; from a pod and from the internet, ICMP too', () => {
    const { c } = seedCluster(dir);
    const ctx = ForwardingContext.of(createDatapath(backend), c.state);
    const m = ctx.meta;
    const side = [m.svc, m.isNew, m.origSrc, m.origDst, m.origSport, m.origDport];
    const state = () => [ctx.dp.vec.words, ...side].map((a) => Array.from(a));
    const junk = () => { ctx.dp.vec.words.fill(7); for (const a of side) a.fill(7); };
    for (const [from, proto] of [['pod/client', 6], ['internet', 17], ['pod/client', 1]] as const) {
      const src = sourceOf(ctx, resolveTarget(ctx.net, from, 'source'));
      junk();
      // forwardTraffic's pattern: 7 flows round robin, each one's first packet a SYN
      const sport = (i: number) => 2000 + (i % 7), flags = (i: number) => (i < 7 ? TCP.SYN : TCP.ACK);
      for (let i = 0; i < 40; i++) placePacket(ctx, i, src, 0x0a600002, 80, proto, sport(i), flags(i));
      const want = state();
      junk();
      placeFlows(ctx, 40, src, 0x0a600002, 80, proto, sport, flags);
      expect(state()).toEqual(want);
    }
  });
});
