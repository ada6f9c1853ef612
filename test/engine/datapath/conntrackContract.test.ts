// The conntrack/NAT contract, run against both backends: build the packet, seed the
// table, check the verdict and the rewritten packet.
import { describe, expect, it } from 'vitest';
import {
  BACKENDS, createDatapath, dropCode, CT_CLOSE, CT_CLOSE_WAIT, CT_ESTABLISHED, CT_FIN_WAIT, CT_LAST_ACK,
  CT_REPLIED, CT_SYN_RECV, CT_SYN_SENT, CT_TIME_WAIT, CT_UNREPLIED, FLAG_CT_NEW, FLAG_CT_REPLY,
  FLAG_NAT_DST, FLAG_NAT_SRC, type Datapath,
} from '../../../engine/datapath/index.js';
import { ip } from './ip.js';

const TCP = 6, UDP = 17, ICMP = 1;
const SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04;

interface Pkt { zone?: number; proto: number; src: string; sport: number; dst: string; dport: number; flags?: number; dnat?: [string, number]; snat?: string }
interface Out { id: number; state: number; flags: number; drop: number; src: string; sport: number; dst: string; dport: number }

function load(dp: Datapath, i: number, p: Pkt): void {
  const v = dp.vec;
  v.table[i] = p.zone ?? 1; v.proto[i] = p.proto; v.srcIp[i] = ip(p.src); v.dstIp[i] = ip(p.dst);
  v.srcPort[i] = p.sport; v.dstPort[i] = p.dport; v.l4Flags[i] = p.flags ?? 0; v.flags[i] = 0; v.drop[i] = 0;
  v.dnatIp[i] = p.dnat ? ip(p.dnat[0]) : 0; v.dnatPort[i] = p.dnat ? p.dnat[1] : 0; v.snatIp[i] = p.snat ? ip(p.snat) : 0;
}

function read(dp: Datapath, i: number): Out {
  const v = dp.vec;
  const d = (a: number) => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
  return { id: v.result[i]!, state: v.result2[i]!, flags: v.flags[i]!, drop: v.drop[i]!, src: d(v.srcIp[i]!), sport: v.srcPort[i]!, dst: d(v.dstIp[i]!), dport: v.dstPort[i]! };
}

/** Look the packet up; on a miss, create its connection. */
function send(dp: Datapath, p: Pkt, now: number): Out {
  load(dp, 0, p);
  dp.ctLookup(1, now);
  if (dp.vec.result[0] === 0) dp.ctInsert(1, now);
  return read(dp, 0);
}

describe.each(BACKENDS)('conntrack contract (%s)', (backend) => {
  it('DNATs a ClusterIP flow and un-DNATs the reply in one lookup', () => {
    const dp = createDatapath(backend);
    const q: Pkt = { proto: UDP, src: '10.244.1.5', sport: 40000, dst: '10.96.0.10', dport: 53, dnat: ['10.244.2.7', 5353] };
    const first = send(dp, q, 0);
    expect(first).toMatchObject({ state: CT_UNREPLIED, flags: FLAG_CT_NEW | FLAG_NAT_DST, src: '10.244.1.5', sport: 40000, dst: '10.244.2.7', dport: 5353 });
    expect(first.id).toBeGreaterThan(0);
    const reply = send(dp, { proto: UDP, src: '10.244.2.7', sport: 5353, dst: '10.244.1.5', dport: 40000 }, 5);
    expect(reply).toMatchObject({ id: first.id, state: CT_REPLIED, flags: FLAG_CT_REPLY | FLAG_NAT_SRC, src: '10.96.0.10', sport: 53, dst: '10.244.1.5', dport: 40000 });
    const again = send(dp, { ...q, dnat: undefined }, 10);
    expect(again).toMatchObject({ id: first.id, flags: FLAG_NAT_DST, dst: '10.244.2.7', dport: 5353 });
    expect(dp.ctEntries()).toEqual([expect.objectContaining({ zone: 1, proto: UDP, origDst: ip('10.96.0.10'), replySrc: ip('10.244.2.7'), replySport: 5353, replyDport: 40000, dnat: true, snat: false, expiresMs: 10 + 120_000 })]);
  });

  it('masquerades, keeping the source port when free and choosing another on a clash', () => {
    const dp = createDatapath(backend);
    const a = send(dp, { proto: TCP, src: '10.244.1.5', sport: 40000, dst: '8.8.8.8', dport: 443, flags: SYN, snat: '192.168.1.10' }, 0);
    expect(a).toMatchObject({ flags: FLAG_CT_NEW | FLAG_NAT_SRC, src: '192.168.1.10', sport: 40000, dst: '8.8.8.8' });
    const b = send(dp, { proto: TCP, src: '10.244.1.6', sport: 40000, dst: '8.8.8.8', dport: 443, flags: SYN, snat: '192.168.1.10' }, 0);
    expect(b.src).toBe('192.168.1.10');
    expect(b.sport).not.toBe(40000);
    expect(b.sport).toBeGreaterThanOrEqual(1024);
    const back = send(dp, { proto: TCP, src: '8.8.8.8', sport: 443, dst: '192.168.1.10', dport: b.sport, flags: SYN | ACK }, 1);
    expect(back).toMatchObject({ id: b.id, flags: FLAG_CT_REPLY | FLAG_NAT_DST, dst: '10.244.1.6', dport: 40000, state: CT_SYN_RECV });
  });

  it('remaps the source port when two DNATed flows would share a reply tuple (null binding)', () => {
    const dp = createDatapath(backend);
    send(dp, { proto: TCP, src: '10.0.0.1', sport: 1000, dst: '10.96.0.1', dport: 80, dnat: ['10.244.2.7', 8080] }, 0);
    const b = send(dp, { proto: TCP, src: '10.0.0.1', sport: 1000, dst: '10.96.0.2', dport: 80, dnat: ['10.244.2.7', 8080] }, 0);
    expect(b.flags).toBe(FLAG_CT_NEW | FLAG_NAT_DST | FLAG_NAT_SRC);
    expect(b.src).toBe('10.0.0.1');
    expect(b.sport).not.toBe(1000);
    const r = send(dp, { proto: TCP, src: '10.244.2.7', sport: 8080, dst: '10.0.0.1', dport: b.sport }, 1);
    expect(r).toMatchObject({ id: b.id, src: '10.96.0.2', sport: 80, dport: 1000 });
  });

  it('marks port-only translations in the entry: dnat for a new destination port, snat for a remapped source port', () => {
    const dp = createDatapath(backend);
    send(dp, { proto: TCP, src: '10.0.0.1', sport: 1000, dst: '10.0.0.9', dport: 80, dnat: ['10.0.0.9', 8080] }, 0);
    // Same reply tuple (10.0.0.9:8080 -> 10.0.0.1:1000): the source port is remapped, the address kept.
    send(dp, { proto: TCP, src: '10.0.0.1', sport: 1000, dst: '10.96.0.2', dport: 80, dnat: ['10.0.0.9', 8080] }, 0);
    send(dp, { proto: TCP, src: '10.0.0.1', sport: 1001, dst: '10.0.0.9', dport: 8080 }, 0);
    expect(dp.ctEntries().map((e) => [e.dnat, e.snat])).toEqual([[true, false], [true, true], [false, false]]);
  });

  it('walks the TCP states with the kernel timeouts (kube-proxy: 24 h established, 1 h close-wait)', () => {
    const dp = createDatapath(backend);
    const o = (flags: number): Pkt => ({ proto: TCP, src: '10.0.0.1', sport: 5000, dst: '10.0.0.2', dport: 80, flags });
    const r = (flags: number): Pkt => ({ proto: TCP, src: '10.0.0.2', sport: 80, dst: '10.0.0.1', dport: 5000, flags });
    const steps: [Pkt, number, number][] = [
      [o(SYN), CT_SYN_SENT, 120_000], [r(SYN | ACK), CT_SYN_RECV, 60_000], [o(ACK), CT_ESTABLISHED, 86_400_000],
      [o(FIN | ACK), CT_FIN_WAIT, 120_000], [r(ACK), CT_CLOSE_WAIT, 3_600_000], [r(FIN | ACK), CT_LAST_ACK, 30_000],
      [o(ACK), CT_TIME_WAIT, 120_000], [o(SYN), CT_SYN_SENT, 120_000], [r(RST), CT_CLOSE, 10_000],
    ];
    steps.forEach(([p, state, timeout], k) => {
      expect(send(dp, p, k).state).toBe(state);
      expect(dp.ctEntries()[0]!.expiresMs).toBe(k + timeout);
    });
    expect(dp.ctCount()).toBe(1);
  });

  it('picks up a mid-stream TCP flow as established (nf_conntrack_tcp_loose)', () => {
    const dp = createDatapath(backend);
    expect(send(dp, { proto: TCP, src: '10.0.0.1', sport: 5000, dst: '10.0.0.2', dport: 80, flags: ACK }, 0).state).toBe(CT_ESTABLISHED);
  });

  it('expires connections on their timeout, on sight and by sweep', () => {
    const dp = createDatapath(backend);
    send(dp, { proto: UDP, src: '10.0.0.1', sport: 1, dst: '10.0.0.2', dport: 2 }, 0);
    send(dp, { proto: ICMP, src: '10.0.0.1', sport: 7, dst: '10.0.0.2', dport: 7 }, 0);
    send(dp, { proto: TCP, src: '10.0.0.1', sport: 1, dst: '10.0.0.2', dport: 2, flags: ACK }, 0);
    load(dp, 0, { proto: UDP, src: '10.0.0.1', sport: 1, dst: '10.0.0.2', dport: 2 });
    dp.ctLookup(1, 30_000);
    expect(read(dp, 0).id).toBe(0);
    expect(dp.ctCount()).toBe(2);
    expect(dp.ctExpire(30_000)).toBe(1);
    expect(dp.ctEntries().map((e) => e.proto)).toEqual([TCP]);
    expect(dp.ctExpire(86_400_000)).toBe(1);
    expect(dp.ctCount()).toBe(0);
  });

  it('tracks ICMP echo by id in both directions, masqueraded', () => {
    const dp = createDatapath(backend);
    const req = send(dp, { proto: ICMP, src: '10.244.1.5', sport: 99, dst: '1.1.1.1', dport: 99, snat: '192.168.1.10' }, 0);
    expect(req).toMatchObject({ src: '192.168.1.10', sport: 99, dport: 99 });
    const rep = send(dp, { proto: ICMP, src: '1.1.1.1', sport: 99, dst: '192.168.1.10', dport: 99 }, 1);
    expect(rep).toMatchObject({ id: req.id, dst: '10.244.1.5', flags: FLAG_CT_REPLY | FLAG_NAT_DST, state: CT_REPLIED });
    const other = send(dp, { proto: ICMP, src: '10.244.1.6', sport: 99, dst: '1.1.1.1', dport: 99, snat: '192.168.1.10' }, 2);
    expect(other.sport).toBe(other.dport);
    expect(other.sport).not.toBe(99);
  });

  it('drops new flows of a full zone with CT_TABLE_FULL and counts them; zones are apart', () => {
    const dp = createDatapath(backend);
    dp.ctSetMax(2);
    for (let k = 0; k < 3; k++) load(dp, k, { proto: UDP, src: '10.0.0.1', sport: 100 + k, dst: '10.0.0.2', dport: 53 });
    load(dp, 3, { zone: 2, proto: UDP, src: '10.0.0.1', sport: 100, dst: '10.0.0.2', dport: 53 });
    expect(dp.ctInsert(4, 0)).toBe(3);
    expect(read(dp, 2)).toMatchObject({ id: 0, drop: dropCode('CT_TABLE_FULL') });
    expect(read(dp, 3).drop).toBe(0);
    expect(dp.ctDrops()).toBe(1);
    expect([dp.ctCount(1), dp.ctCount(2), dp.ctCount()]).toEqual([2, 1, 3]);
    expect(dp.ctFlush(1)).toBe(2);
    expect(dp.ctEntries(2)).toHaveLength(1);
    expect(dp.ctFlush()).toBe(1);
  });

  it('a full flush empties the table: old tuples miss both ways, ids restart, the freed NAT port is free again', () => {
    const dp = createDatapath(backend);
    const a = send(dp, { zone: 1, proto: TCP, src: '10.244.1.5', sport: 40000, dst: '8.8.8.8', dport: 443, flags: SYN, snat: '192.168.1.10' }, 0);
    const b = send(dp, { zone: 2, proto: TCP, src: '10.244.1.6', sport: 40000, dst: '8.8.8.8', dport: 443, flags: SYN, snat: '192.168.1.10' }, 0);
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(dp.ctFlush()).toBe(2);
    expect([dp.ctCount(), dp.ctCount(1), dp.ctCount(2), dp.ctEntries()]).toEqual([0, 0, 0, []]);
    load(dp, 0, { zone: 1, proto: TCP, src: '10.244.1.5', sport: 40000, dst: '8.8.8.8', dport: 443, flags: ACK });
    load(dp, 1, { zone: 1, proto: TCP, src: '8.8.8.8', sport: 443, dst: '192.168.1.10', dport: 40000, flags: ACK });
    dp.ctLookup(2, 1);
    expect([read(dp, 0).id, read(dp, 1).id]).toEqual([0, 0]);
    const c = send(dp, { zone: 1, proto: TCP, src: '10.244.1.7', sport: 40000, dst: '8.8.8.8', dport: 443, flags: SYN, snat: '192.168.1.10' }, 2);
    expect(c).toMatchObject({ id: 1, src: '192.168.1.10', sport: 40000, flags: FLAG_CT_NEW | FLAG_NAT_SRC });
    expect(dp.ctCount(1)).toBe(1);
  });

  it('skips dropped packets and grows past its first capacity', () => {
    const dp = createDatapath(backend);
    for (let round = 0; round < 12; round++) {
      for (let k = 0; k < 256; k++) load(dp, k, { zone: round, proto: TCP, src: '10.0.0.1', sport: k, dst: '10.0.0.2', dport: 80, flags: SYN, snat: '10.9.9.9' });
      dp.vec.drop[255] = 1;
      expect(dp.ctInsert(256, 0)).toBe(255);
    }
    expect(dp.ctCount()).toBe(12 * 255);
    for (let k = 0; k < 256; k++) load(dp, k, { zone: 11, proto: TCP, src: '10.0.0.2', sport: 80, dst: '10.9.9.9', dport: k, flags: ACK });
    dp.ctLookup(256, 1);
    const v = dp.vec;
    expect(Array.from(v.result.subarray(0, 255)).every((id) => id > 0)).toBe(true);
    expect(v.result[255]).toBe(0);
    expect(Array.from(v.dstPort.subarray(0, 255))).toEqual(Array.from({ length: 255 }, (_, k) => k));
  });
});
