import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../packageRoot.js';
import { PacketVector } from '../PacketVector.js';
import type { Datapath, FdbEntry } from '../Datapath.js';
import { decodeConntrack, type ConntrackEntry } from '../ConntrackEntry.js';
import { LpmRouteStore, type LpmLayout, type LpmRoute } from '../LpmRouteStore.js';

/** The exports of build/podnet.wasm (assembly/index.ts), as JS sees them. */
interface Kernels {
  memory: WebAssembly.Memory;
  vectorBase(): number;
  fdbLearn(n: number, now: number): number;
  fdbLookup(n: number, now: number, ageMs: number): void;
  fdbAge(now: number, ageMs: number): number;
  fdbFlush(bridge: number, port: number): number;
  fdbSize(): number;
  fdbCapacity(): number;
  fdbTable(): number;
  lpmTableInit(t: number, rootBits: number, base: number): void;
  lpmTableFree(t: number): void;
  lpmInsert(t: number, prefix: number, len: number, value: number): void;
  lpmRemove(t: number, prefix: number, len: number, coverLen: number, coverValue: number): void;
  lpmLookup(n: number): void;
  lpmBytes(): number;
  lpmFloor(n: number, bits: number): void;
  lpmOwnerSet(base: number, slot: number, bits: number, owner: number): void;
  lpmOwnerDrop(base: number): void;
  ctLookup(n: number, now: number): void;
  ctInsert(n: number, now: number): number;
  ctExpire(now: number): number;
  ctFlush(zone: number): number;
  ctCount(zone: number): number;
  ctSetMax(max: number): void;
  ctDrops(): number;
  ctEntries(): number;
  ctIdLimit(): number;
  ctBytes(): number;
  fastPath(n: number, now: number, tableBias: number, ageMs: number, mode: number): number;
  fastPathSetRoute(route: number, next: number, node: number): void;
  fastPathSetNode(zone: number, ip0: number, ip1: number, bridge: number, podMacHi: number, ready: number): void;
  fastPathSetPod(ip: number, node: number): void;
  fastPathSetPodNet(zone: number, cidrBase: number, cidrMask: number, gwMacHi: number, gwMacLo: number): void;
  fastPathPodTx(n: number, now: number): number;
  fastPathClear(): void;
  fastPathRoutesChanged(): void;
}

const ALL_ZONES = 0xffffffff;

let compiled: WebAssembly.Module | undefined;

/** The compiled module, shared by every instance (each instance has its own memory). */
function wasmModule(): WebAssembly.Module {
  if (compiled) return compiled;
  const file = join(packageRoot(), 'build', 'podnet.wasm');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new Error(`podnet: the WASM datapath ${file} is missing; run 'npm run build:wasm' (or use --backend ts)`);
  }
  compiled = new WebAssembly.Module(bytes);
  return compiled;
}

/**
 * The WebAssembly datapath. One instance = one linear memory with its own tables.
 * JS views over memory are rebuilt whenever memory.buffer changes (growth detaches
 * the old ArrayBuffer), checked by the vec getter from the view's length.
 */
export class WasmDatapath implements Datapath {
  readonly backend = 'wasm' as const;
  private readonly k: Kernels;
  private view: PacketVector;
  private readonly routes: LpmRouteStore;

  constructor() {
    const instance = new WebAssembly.Instance(wasmModule(), {
      env: {
        abort(_msg: number, _file: number, line: number, col: number): never {
          throw new Error(`podnet: WASM datapath aborted at ${line}:${col}`);
        },
      },
    });
    this.k = instance.exports as unknown as Kernels;
    this.view = new PacketVector(this.k.memory.buffer, this.k.vectorBase());
    const k = this.k;
    this.routes = new LpmRouteStore({
      // Every table change also retires the fast path's cached routes.
      tableInit: (t, bits, base) => { k.lpmTableInit(t, bits, base); k.fastPathRoutesChanged(); },
      tableFree: (t) => { k.lpmTableFree(t); k.fastPathRoutesChanged(); },
      insert: (t, p, len, v) => { k.lpmInsert(t, p, len, v); k.fastPathRoutesChanged(); },
      remove: (t, p, len, cl, cv) => { k.lpmRemove(t, p, len, cl, cv); k.fastPathRoutesChanged(); },
      bytes: () => k.lpmBytes(),
      // Owners never change a lookup's answer (assembly/lpm/owners.ts), so the fast path's routes stand.
      ownerSet: (base, slot, bits, owner) => k.lpmOwnerSet(base, slot, bits, owner),
      ownerDrop: (base) => k.lpmOwnerDrop(base),
    });
  }

  get vec(): PacketVector {
    // Growth detaches the old ArrayBuffer, and a view over a detached buffer has
    // length 0. The view's length is read inline by the JIT; ArrayBuffer byteLength
    // and memory.buffer are builtin calls, and this getter runs several times per
    // packet (placing it, delivering it).
    if (this.view.words.length === 0) {
      this.view = new PacketVector(this.k.memory.buffer, this.k.vectorBase());
    }
    return this.view;
  }

  fdbLearn(n: number, nowMs: number): number { return this.k.fdbLearn(n, nowMs); }
  fdbLookup(n: number, nowMs: number, ageMs: number): void { this.k.fdbLookup(n, nowMs, ageMs); }
  fdbAge(nowMs: number, ageMs: number): number { return this.k.fdbAge(nowMs, ageMs); }
  fdbFlush(bridge: number, port: number): number { return this.k.fdbFlush(bridge, port); }

  lpmCreateTable(table: number, layout: LpmLayout): void { this.routes.create(table, layout); }
  lpmDeriveTable(table: number, base: number): void { this.routes.derive(table, base); }
  lpmDropTable(table: number): void { this.routes.drop(table); }
  lpmInsert(table: number, prefix: number, len: number, value: number): boolean { return this.routes.insert(table, prefix, len, value); }
  lpmDelete(table: number, prefix: number, len: number): boolean { return this.routes.delete(table, prefix, len); }
  lpmLookup(n: number): void { this.k.lpmLookup(n); }
  lpmRoutes(table: number): LpmRoute[] { return this.routes.routes(table); }
  lpmBytes(): number { return this.routes.bytes(); }
  lpmFloor(n: number, bits: number): void { this.k.lpmFloor(n, bits); }

  ctLookup(n: number, nowMs: number): void { this.k.ctLookup(n, nowMs); }
  ctInsert(n: number, nowMs: number): number { return this.k.ctInsert(n, nowMs); }
  ctExpire(nowMs: number): number { return this.k.ctExpire(nowMs); }
  ctFlush(zone?: number): number { return this.k.ctFlush(zone ?? ALL_ZONES); }
  ctCount(zone?: number): number { return this.k.ctCount(zone ?? ALL_ZONES) >>> 0; }
  ctSetMax(max: number): void { this.k.ctSetMax(max); }
  ctDrops(): number { return this.k.ctDrops() >>> 0; }
  ctEntries(zone?: number): ConntrackEntry[] {
    const base = this.k.ctEntries() >>> 0;
    const limit = this.k.ctIdLimit() >>> 0;
    const buf = this.k.memory.buffer;
    const words = new Uint32Array(buf, base, limit * 12);
    const f64 = new Float64Array(buf, base, limit * 6);
    return decodeConntrack(words, limit, (id) => f64[id * 6 + 4]!, zone);
  }
  ctBytes(): number { return this.k.ctBytes(); }

  fastPath(n: number, nowMs: number, tableBias: number, ageMs: number, mode = 0): number { return this.k.fastPath(n, nowMs, tableBias, ageMs, mode); }
  fastPathSetRoute(route: number, next: number, node: number): void { this.k.fastPathSetRoute(route, next, node); }
  fastPathSetNode(zone: number, ip0: number, ip1: number, bridge: number, podMacHi: number, ready = true): void { this.k.fastPathSetNode(zone, ip0, ip1, bridge, podMacHi, ready ? 1 : 0); }
  fastPathSetPod(ip: number, node: number): void { this.k.fastPathSetPod(ip, node); }
  fastPathSetPodNet(zone: number, cidrBase: number, cidrMask: number, gwMacHi: number, gwMacLo: number): void { this.k.fastPathSetPodNet(zone, cidrBase, cidrMask, gwMacHi, gwMacLo); }
  fastPathPodTx(n: number, nowMs: number): number { return this.k.fastPathPodTx(n, nowMs); }
  fastPathClear(): void { this.k.fastPathClear(); }

  fdbEntries(): FdbEntry[] {
    const cap = this.k.fdbCapacity();
    const base = this.k.fdbTable();
    const dv = new DataView(this.k.memory.buffer);
    const out: FdbEntry[] = [];
    for (let s = 0; s < cap; s++) {
      const e = base + s * 24;
      const bridge = dv.getUint32(e, true);
      if (bridge === 0 || bridge === 0xffffffff) continue;
      out.push({ bridge, port: dv.getUint32(e + 4, true), macLo: dv.getUint32(e + 8, true), macHi: dv.getUint32(e + 12, true), seenMs: dv.getFloat64(e + 16, true) });
    }
    return out;
  }
}
