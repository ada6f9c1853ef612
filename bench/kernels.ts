// Datapath kernel benchmarks: LPM (one large table, thousands of per-node tables),
// FDB learn/lookup, conntrack lookup/insert, each on both backends in one run.
//
// Every task pushes `vectors` precomputed packet vectors of VEC_MAX packets through one
// kernel call each, copying the input columns in first as a pipeline stage would, so
// ops/s counts packets and the copy is part of the honest price. Inputs are random
// from a fixed seed, so runs compare.
import { Bench } from 'tinybench';
import type { BenchResult } from './BenchResult.js';
import { BACKENDS, createDatapath, VEC_MAX, type Backend, type Datapath, type PacketVector } from '../engine/datapath/index.js';
import { LPM_DIR24_ROUTES } from '../assembly/shared/lpm.js';

/** Every row name the suite can make (the floor rows depend on lpm-large's size: see kernelsSuite). */
export const KERNEL_ROWS = ['lpm-large', 'lpm-floor-64MiB', 'lpm-floor-4MiB', 'lpm-floor-512KiB', 'lpm-per-node', 'fdb-learn', 'fdb-lookup',
  'conntrack-lookup', 'conntrack-insert'] as const;

/** Table sizes of the suite; a test can shrink them. */
export interface KernelSizes {
  /** Prefixes in the large LPM table (full: 1,000,000). */
  lpmPrefixes: number;
  /** Nodes, hence per-node route tables, bridges and conntrack zones (full: 5,000). */
  nodes: number;
  /** Live connections in the conntrack lookup table. */
  ctFlows: number;
  /** Packet vectors per timed task call. */
  vectors: number;
  /** Measuring time per task, ms. */
  timeMs: number;
}

const FULL: KernelSizes = { lpmPrefixes: 1_000_000, nodes: 5000, ctFlows: 200_000, vectors: 64, timeMs: 1000 };
const QUICK: KernelSizes = { lpmPrefixes: 100_000, nodes: 500, ctFlows: 20_000, vectors: 16, timeMs: 200 };

type Column = 'table' | 'dstIp' | 'srcIp' | 'srcPort' | 'dstPort' | 'proto' | 'l4Flags' | 'srcMacHi' | 'srcMacLo'
  | 'dstMacHi' | 'dstMacLo' | 'inPort' | 'dnatIp' | 'dnatPort' | 'snatIp' | 'drop' | 'flags';

/** One benchmark: tables built per backend, input columns (vectors * VEC_MAX each), the kernel call. */
interface Workload {
  name: string;
  build(dp: Datapath): void;
  inputs: Partial<Record<Column, Uint32Array>>;
  run(dp: Datapath): void;
  beforeEach?(dp: Datapath): void;
  note?(dp: Datapath): string;
}

/** xorshift32: a fast deterministic stream for inputs. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

function column(count: number, f: (i: number) => number): Uint32Array {
  const a = new Uint32Array(count);
  for (let i = 0; i < count; i++) a[i] = f(i);
  return a;
}

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const podCidr = (node: number) => ((10 << 24) | ((128 + (node >>> 8)) << 16) | ((node & 255) << 8)) >>> 0;
const nodeIp = (node: number) => ((10 << 24) | (node + 1)) >>> 0; // 10.0.0.0/16 node network

/** Internet-like table: mostly /24s, some shorter aggregates, a few longer. */
function lpmLarge(s: KernelSizes): Workload {
  const r = rng(1);
  const lens = [24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 23, 23, 22, 22, 22, 21, 20, 20, 19, 18, 17, 16, 16, 12, 28, 32];
  const prefixes = column(s.lpmPrefixes, () => ((1 + (r() % 223)) << 24 | (r() & 0xffffff)) >>> 0);
  const plens = column(s.lpmPrefixes, () => lens[r() % lens.length]!);
  const n = s.vectors * VEC_MAX;
  return {
    name: 'lpm-large',
    build(dp) {
      dp.lpmCreateTable(1, 'wide');
      dp.lpmInsert(1, 0, 0, 0);
      for (let i = 0; i < prefixes.length; i++) dp.lpmInsert(1, prefixes[i]!, plens[i]!, i + 1);
    },
    inputs: { table: column(n, () => 1), dstIp: column(n, () => r()) },
    run: (dp) => dp.lpmLookup(VEC_MAX),
    note: (dp) => `${s.lpmPrefixes} prefixes, random destinations; tries ${mib(dp.lpmBytes())}`,
  };
}

/**
 * What lpm-large could be at best on this machine: the same random destinations, one
 * 32-bit load each from an array the size of what its lookups read (past
 * LPM_DIR24_ROUTES prefixes, DIR-24-8's 64 MiB root shadow; below, a 512 KiB 16-8-8
 * root) and nothing else; and the same from a 4 MiB array, for how much of that cost is
 * the size.
 */
function lpmFloor(s: KernelSizes, bits: number): Workload {
  const r = rng(1);
  const n = s.vectors * VEC_MAX;
  const bytes = 2 ** bits;
  return {
    name: `lpm-floor-${bytes >= 1048576 ? `${bytes / 1048576}MiB` : `${bytes / 1024}KiB`}`,
    build: (dp) => dp.lpmFloor(0, bits),
    inputs: { dstIp: column(n, () => r()) },
    run: (dp) => dp.lpmFloor(VEC_MAX, bits),
    note: () => `one random 32-bit load per packet from ${mib(bytes)}, nothing else: the floor under a one-load LPM`,
  };
}

/**
 * Host-gw routing on every node: a wide cluster base (default, node network, a /24 via
 * each node) and a derived table per node overriding its own /24 (dev cni0) and adding
 * its own address. Lookups: a random node's table, 90% pod destinations.
 */
function lpmPerNode(s: KernelSizes): Workload {
  const r = rng(2);
  const n = s.vectors * VEC_MAX;
  let baseBytes = 0;
  return {
    name: 'lpm-per-node',
    build(dp) {
      dp.lpmCreateTable(1, 'wide');
      dp.lpmInsert(1, 0, 0, 1);
      dp.lpmInsert(1, 10 << 24, 16, 2);
      for (let k = 0; k < s.nodes; k++) dp.lpmInsert(1, podCidr(k), 24, 1000 + k);
      baseBytes = dp.lpmBytes();
      for (let k = 0; k < s.nodes; k++) {
        dp.lpmDeriveTable(2 + k, 1);
        dp.lpmInsert(2 + k, podCidr(k), 24, 100_000 + k);
        dp.lpmInsert(2 + k, nodeIp(k), 32, 200_000 + k);
      }
    },
    inputs: {
      table: column(n, () => 2 + (r() % s.nodes)),
      dstIp: column(n, () => (r() % 10 === 0 ? r() : (podCidr(r() % s.nodes) | (r() & 255)) >>> 0)),
    },
    run: (dp) => dp.lpmLookup(VEC_MAX),
    note: (dp) => {
      const perNode = (dp.lpmBytes() - baseBytes) / s.nodes;
      return `${s.nodes} node tables: tries ${mib(dp.lpmBytes())} (shared base ${mib(baseBytes)} + ${(perNode / 1024).toFixed(1)} KiB/node)`;
    },
  };
}

/** A bridge per node with 110 pods each; learning sources that are mostly known, looking up known destinations. */
function fdb(s: KernelSizes, learn: boolean): Workload {
  const r = rng(learn ? 3 : 4);
  const n = s.vectors * VEC_MAX;
  const pods = 110;
  const bridge = column(n, () => 1 + (r() % s.nodes));
  const pod = column(n, () => r() % pods);
  const macLo = (b: number, p: number) => ((b << 8) | p) >>> 0;
  return {
    name: learn ? 'fdb-learn' : 'fdb-lookup',
    build(dp) {
      const v = dp.vec;
      for (let b = 1; b <= s.nodes; b++) {
        for (let p = 0; p < pods; p++) { v.table[p] = b; v.srcMacHi[p] = 0x0200; v.srcMacLo[p] = macLo(b, p); v.inPort[p] = p + 1; }
        dp.fdbLearn(pods, 0);
      }
    },
    inputs: learn
      ? { table: bridge, srcMacHi: column(n, () => 0x0200), srcMacLo: column(n, (i) => macLo(bridge[i]!, pod[i]!)), inPort: column(n, (i) => pod[i]! + 1) }
      : { table: bridge, dstMacHi: column(n, () => 0x0200), dstMacLo: column(n, (i) => macLo(bridge[i]!, pod[i]!)) },
    run: learn ? (dp) => dp.fdbLearn(VEC_MAX, 1) : (dp) => dp.fdbLookup(VEC_MAX, 1, 300_000),
    note: () => `${s.nodes} bridges x ${pods} MACs`,
  };
}

/** Service traffic: a client pod on some node reaches a ClusterIP, DNATed to an endpoint, half masqueraded. */
function flows(count: number, nodes: number, seed: number): Partial<Record<Column, Uint32Array>> & Record<'srcIp' | 'dstIp' | 'srcPort' | 'dstPort', Uint32Array> {
  const r = rng(seed);
  const zone = column(count, () => r() % nodes);
  return {
    table: zone, proto: column(count, () => (r() & 3) === 0 ? 17 : 6),
    srcIp: column(count, (i) => (podCidr(zone[i]!) | (r() & 255)) >>> 0), dstIp: column(count, () => (0x0a600000 | (r() & 0xffff)) >>> 0),
    srcPort: column(count, () => 1024 + (r() % 64512)), dstPort: column(count, () => [80, 443, 53, 8080][r() & 3]!),
    l4Flags: column(count, () => 0x02), dnatIp: column(count, () => (podCidr(r() % nodes) | (r() & 255)) >>> 0),
    dnatPort: column(count, () => 8080), snatIp: column(count, (i) => (r() & 1 ? nodeIp(zone[i]!) : 0)),
    drop: new Uint32Array(count), flags: new Uint32Array(count),
  };
}

function copyRange(v: PacketVector, cols: Partial<Record<Column, Uint32Array>>, from: number, count: number): void {
  for (const [c, a] of Object.entries(cols) as [Column, Uint32Array][]) v[c].set(a.subarray(from, from + count));
}

/** Lookups of established flows, half of them replies (un-NAT). */
function ctLookup(s: KernelSizes): Workload {
  const r = rng(5);
  const n = s.vectors * VEC_MAX;
  const seed = flows(s.ctFlows, s.nodes, 6);
  const inputs: Partial<Record<Column, Uint32Array>> = {
    table: new Uint32Array(n), proto: new Uint32Array(n), srcIp: new Uint32Array(n), dstIp: new Uint32Array(n),
    srcPort: new Uint32Array(n), dstPort: new Uint32Array(n), l4Flags: column(n, () => 0x10), drop: new Uint32Array(n), flags: new Uint32Array(n),
  };
  return {
    name: 'conntrack-lookup',
    build(dp) {
      dp.ctSetMax(1 << 30);
      for (let f = 0; f < s.ctFlows; f += VEC_MAX) {
        const k = Math.min(VEC_MAX, s.ctFlows - f);
        copyRange(dp.vec, seed, f, k);
        dp.ctInsert(k, 0);
        const v = dp.vec;
        for (let i = 0; i < k; i++) { // record the packet as the kernel rewrote it, for replies
          const j = r() % n;
          const reply = (j & 1) === 1;
          inputs.table![j] = v.table[i]!; inputs.proto![j] = v.proto[i]!;
          inputs.srcIp![j] = reply ? v.dstIp[i]! : seed.srcIp[f + i]!; inputs.dstIp![j] = reply ? v.srcIp[i]! : seed.dstIp[f + i]!;
          inputs.srcPort![j] = reply ? v.dstPort[i]! : seed.srcPort[f + i]!; inputs.dstPort![j] = reply ? v.srcPort[i]! : seed.dstPort[f + i]!;
        }
      }
    },
    inputs,
    run: (dp) => dp.ctLookup(VEC_MAX, 1),
    note: (dp) => `${dp.ctCount()} connections in ${s.nodes} zones; ${mib(dp.ctBytes())}`,
  };
}

/** New connections with DNAT (and masquerade for half); the table is flushed between timed calls. */
function ctInsert(s: KernelSizes): Workload {
  const n = s.vectors * VEC_MAX;
  return {
    name: 'conntrack-insert',
    build: (dp) => dp.ctSetMax(1 << 30),
    inputs: flows(n, s.nodes, 7),
    run: (dp) => dp.ctInsert(VEC_MAX, 0),
    beforeEach: (dp) => { dp.ctFlush(); },
    note: () => `${n} new flows per timed call into an emptied table, DNAT + 50% SNAT`,
  };
}

interface Measured { backend: Backend; opsPerSec: number; meanNs: number; p99Ns: number; samples: number; note?: string }

async function measure(w: Workload, s: KernelSizes): Promise<Measured[]> {
  const bench = new Bench({ name: 'kernels', time: s.timeMs, warmupTime: Math.max(20, s.timeMs / 5) });
  const packets = s.vectors * VEC_MAX;
  const dps = new Map<Backend, Datapath>();
  // Each vector's slice of each input column, made once: the timed loop copies them in
  // and allocates nothing (two subarray views a vector were 10 of lpm-per-node's 56
  // instructions a packet).
  const cols = Object.entries(w.inputs) as [Column, Uint32Array][];
  const slices = Array.from({ length: s.vectors }, (_, k) =>
    cols.map(([c, a]) => [c, a.subarray(k * VEC_MAX, (k + 1) * VEC_MAX)] as const));
  for (const backend of BACKENDS) {
    const dp = createDatapath(backend);
    w.build(dp);
    dps.set(backend, dp);
    bench.add(backend, () => {
      for (let k = 0; k < s.vectors; k++) {
        const v = dp.vec; // re-read: an insert may have grown WASM memory
        for (const [c, a] of slices[k]!) v[c].set(a);
        w.run(dp);
      }
    }, w.beforeEach ? { beforeEach: () => w.beforeEach!(dp) } : {});
  }
  await bench.run();
  return bench.tasks.map((t) => {
    const res = t.result;
    if (res.state !== 'completed') throw new Error(`podnet: benchmark ${w.name}/${t.name} did not complete (${res.state})`);
    const meanNs = (res.latency.mean * 1e6) / packets;
    const dp = dps.get(t.name as Backend)!;
    return {
      backend: t.name as Backend, opsPerSec: 1e9 / meanNs, meanNs, p99Ns: (res.latency.p99 * 1e6) / packets,
      samples: res.latency.samplesCount, note: w.note?.(dp),
    };
  });
}

/**
 * The kernel suite: lpm-large and its floors (lpm-floor-64MiB and lpm-floor-4MiB in full
 * and quick runs), lpm-per-node, fdb-learn, fdb-lookup, conntrack-lookup, conntrack-insert, each on wasm and ts; wasm rows carry ratioToTs. `quick` shrinks the
 * tables and times; `sizes` overrides single figures (tests use tiny ones); `only` names
 * the workloads to build and measure (the rest are skipped).
 */
export async function kernelsSuite(opts: { quick: boolean; sizes?: Partial<KernelSizes>; only?: readonly string[] }): Promise<BenchResult[]> {
  const s: KernelSizes = { ...(opts.quick ? QUICK : FULL), ...opts.sizes };
  const readBits = s.lpmPrefixes > LPM_DIR24_ROUTES ? 26 : 19; // log2 bytes: a DIR-24-8 shadow or a 16-8-8 root
  const floors = (readBits > 22 ? [readBits, 22] : [readBits]).map((bits) => (k: KernelSizes) => lpmFloor(k, bits));
  const workloads = [lpmLarge, ...floors, lpmPerNode, (k: KernelSizes) => fdb(k, true), (k: KernelSizes) => fdb(k, false), ctLookup, ctInsert];
  const out: BenchResult[] = [];
  for (const make of workloads) {
    const w = make(s);
    if (opts.only && !opts.only.includes(w.name)) continue;
    const rows = await measure(w, s);
    const ts = rows.find((m) => m.backend === 'ts');
    for (const m of rows) {
      out.push({
        suite: 'kernels', name: w.name, backend: m.backend, opsPerSec: m.opsPerSec, meanNs: m.meanNs, p99Ns: m.p99Ns,
        samples: m.samples, ...(m.backend === 'wasm' && ts ? { ratioToTs: m.opsPerSec / ts.opsPerSec } : {}),
        ...(m.note ? { note: m.note } : {}),
      });
    }
  }
  return out;
}
