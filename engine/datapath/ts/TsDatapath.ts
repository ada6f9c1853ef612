import { VEC_BYTES } from '../../../assembly/shared/vector.js';
import { PacketVector } from '../PacketVector.js';
import type { Datapath, FdbEntry } from '../Datapath.js';
import { TsFdb } from './TsFdb.js';
import { TsLpm } from './TsLpm.js';
import { TsConntrack, ALL_ZONES } from './TsConntrack.js';
import { TsFastPath, type FastPathKernels } from './TsFastPath.js';
import { decodeConntrack, type ConntrackEntry } from '../ConntrackEntry.js';
import { LpmRouteStore, type LpmLayout, type LpmRoute } from '../LpmRouteStore.js';

/** The pure-TypeScript datapath: same kernels as the WASM module, on typed arrays. */
export class TsDatapath implements Datapath {
  readonly backend = 'ts' as const;
  readonly vec = new PacketVector(new ArrayBuffer(VEC_BYTES), 0);
  private readonly fdb = new TsFdb();
  private readonly lpm = new TsLpm();
  private readonly ct = new TsConntrack();
  private readonly fast = new TsFastPath();
  /** Every table change also retires the fast path's cached routes. */
  private readonly routes = new LpmRouteStore({
    tableInit: (t, bits, base) => { this.lpm.tableInit(t, bits, base); this.fast.routesChanged(); },
    tableFree: (t) => { this.lpm.tableFree(t); this.fast.routesChanged(); },
    insert: (t, p, len, v) => { this.lpm.insert(t, p, len, v); this.fast.routesChanged(); },
    remove: (t, p, len, cl, cv) => { this.lpm.remove(t, p, len, cl, cv); this.fast.routesChanged(); },
    bytes: () => this.lpm.bytes(),
    // Owners never change a lookup's answer (assembly/lpm/owners.ts), so the fast path's routes stand.
    ownerSet: (base, slot, bits, owner) => this.lpm.ownerSet(base, slot, bits, owner),
    ownerDrop: (base) => this.lpm.ownerDrop(base),
  });
  private readonly fastKernels: FastPathKernels = {
    ctLookup: (v, n, now) => this.ct.lookup(v, n, now),
    lpmLookup: (v, n) => this.lpm.lookup(v, n),
    fdbPort: (bridge, hi, lo, now, ageMs) => this.fdb.portOf(bridge, hi, lo, now, ageMs),
    fdbLearnOne: (bridge, hi, lo, port, now) => this.fdb.learnOne(bridge, hi, lo, port, now),
  };

  fdbLearn(n: number, nowMs: number): number { return this.fdb.learn(this.vec, n, nowMs); }
  fdbLookup(n: number, nowMs: number, ageMs: number): void { this.fdb.lookup(this.vec, n, nowMs, ageMs); }
  fdbAge(nowMs: number, ageMs: number): number { return this.fdb.age(nowMs, ageMs); }
  fdbFlush(bridge: number, port: number): number { return this.fdb.flush(bridge, port); }
  fdbEntries(): FdbEntry[] { return this.fdb.entries(); }

  lpmCreateTable(table: number, layout: LpmLayout): void { this.routes.create(table, layout); }
  lpmDeriveTable(table: number, base: number): void { this.routes.derive(table, base); }
  lpmDropTable(table: number): void { this.routes.drop(table); }
  lpmInsert(table: number, prefix: number, len: number, value: number): boolean { return this.routes.insert(table, prefix, len, value); }
  lpmDelete(table: number, prefix: number, len: number): boolean { return this.routes.delete(table, prefix, len); }
  lpmLookup(n: number): void { this.lpm.lookup(this.vec, n); }
  lpmRoutes(table: number): LpmRoute[] { return this.routes.routes(table); }
  lpmBytes(): number { return this.routes.bytes(); }
  lpmFloor(n: number, bits: number): void { this.lpm.floor(this.vec, n, bits); }

  ctLookup(n: number, nowMs: number): void { this.ct.lookup(this.vec, n, nowMs); }
  ctInsert(n: number, nowMs: number): number { return this.ct.insert(this.vec, n, nowMs); }
  ctExpire(nowMs: number): number { return this.ct.expire(nowMs); }
  ctFlush(zone?: number): number { return this.ct.flush(zone ?? ALL_ZONES); }
  ctCount(zone?: number): number { return this.ct.count(zone ?? ALL_ZONES); }
  ctSetMax(max: number): void { this.ct.maxPerZone = max >>> 0; }
  ctDrops(): number { return this.ct.drops; }
  ctEntries(zone?: number): ConntrackEntry[] {
    const expires = this.ct.expires;
    return decodeConntrack(this.ct.entries, this.ct.nextId, (id) => expires[id]!, zone);
  }
  ctBytes(): number { return this.ct.bytes(); }

  fastPath(n: number, nowMs: number, tableBias: number, ageMs: number, mode = 0): number { return this.fast.run(this.vec, this.fastKernels, n, nowMs, tableBias, ageMs, mode); }
  fastPathSetRoute(route: number, next: number, node: number): void { this.fast.setRoute(route, next, node); }
  fastPathSetNode(zone: number, ip0: number, ip1: number, bridge: number, podMacHi: number, ready = true): void { this.fast.setNode(zone, ip0, ip1, bridge, podMacHi, ready); }
  fastPathSetPod(ip: number, node: number): void { this.fast.setPod(ip, node); }
  fastPathSetPodNet(zone: number, cidrBase: number, cidrMask: number, gwMacHi: number, gwMacLo: number): void { this.fast.setPodNet(zone, cidrBase, cidrMask, gwMacHi, gwMacLo); }
  fastPathPodTx(n: number, nowMs: number): number { return this.fast.podTx(this.vec, this.fastKernels, n, nowMs); }
  fastPathClear(): void { this.fast.clear(); }
}
