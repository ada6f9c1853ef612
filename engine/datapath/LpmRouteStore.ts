// The control-plane side of longest prefix match, shared by both backends: the route
// list of every table (for `ip route` dumps, and to find the cover a deleted prefix
// falls back to), table kinds and the base/derived links. Only the structure a lookup
// walks is backend-specific (LpmKernel). Keeping the list here, once, means the WASM
// module carries no hash map for it and both backends validate and order things alike.
//
// It also picks each table's kernel layout from its route count, and switches layout
// by rebuilding the kernel table from the list (a table is rebuilt whole, between two
// lookups, so the next lookup sees the new layout complete):
// - narrow: inline (<= LPM_INLINE_MAX routes in the descriptor), spilled into an
//   8-8-8-8 trie beyond that, back inline at LPM_INLINE_RETURN (hysteresis, so a
//   table at the limit does not rebuild on every change);
// - wide: 16-8-8, DIR-24-8 beyond LPM_DIR24_ROUTES, back at LPM_DIR24_RETURN.
import { LPM_MAX_TABLES } from '../../assembly/shared/vector.js';
import {
  LPM_ROOT_INLINE, LPM_ROOT_NARROW, LPM_ROOT_WIDE, LPM_ROOT_DIR24,
  LPM_INLINE_MAX, LPM_INLINE_RETURN, LPM_DIR24_ROUTES, LPM_DIR24_RETURN,
} from '../../assembly/shared/lpm.js';
import { LpmOwners, type LpmOwnerSink } from './LpmOwners.js';

/** The lookup half of LPM, implemented by assembly/lpm/ and ts/TsLpm.ts. */
export interface LpmKernel extends LpmOwnerSink {
  /** Create an empty table; rootBits is an LPM_ROOT_* layout (0 = inline list). */
  tableInit(t: number, rootBits: number, base: number): void;
  tableFree(t: number): void;
  /** Add or replace a prefix (already masked to len). */
  insert(t: number, prefix: number, len: number, value: number): void;
  /** Remove a prefix; its addresses fall back to the cover (coverLen 0xffffffff: none). */
  remove(t: number, prefix: number, len: number, coverLen: number, coverValue: number): void;
  /** Bytes held by the tables (descriptors, roots and plies). */
  bytes(): number;
}

/**
 * How a table is laid out. `wide`: 16-bit root ply (512 KiB), strides 16-8-8, turning
 * into DIR-24-8 when it grows internet-sized, for a large table or a shared base.
 * `narrow`: an inline list while small, then 8-bit root (2 KiB), strides 8-8-8-8, for
 * the many small per-node tables.
 */
export type LpmLayout = 'wide' | 'narrow';

/** One route as `ip route` lists it. */
export interface LpmRoute {
  /** Network address, host byte order, masked to len. */
  prefix: number;
  len: number;
  /** The caller's route id (maps back to via/dev in the control plane). */
  value: number;
  /** True when the route comes from the base table of a derived table. */
  inherited: boolean;
}

interface TableInfo {
  /** key = len * 2^32 + prefix -> value. */
  routes: Map<number, number>;
  base: number;
  derived: number;
  layout: LpmLayout;
  /** The kernel layout now (LPM_ROOT_*). */
  rootBits: number;
}

const NO_COVER = 0xffffffff;
const TWO32 = 0x100000000;

/** Network mask of a prefix length, as an unsigned number. */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Route lists of every table, driving an LpmKernel. */
export class LpmRouteStore {
  private readonly tables = new Map<number, TableInfo>();

  private readonly kernel: LpmKernel;
  /** Which derived tables have routes where, for the kernels' per-node lookups (LpmOwners.ts). */
  private readonly owners: LpmOwners;

  constructor(kernel: LpmKernel) {
    this.kernel = kernel;
    this.owners = new LpmOwners(kernel);
  }

  private table(t: number): TableInfo {
    const info = this.tables.get(t);
    if (!info) throw new Error(`podnet: route table ${t} does not exist; create it first (lpmCreateTable)`);
    return info;
  }

  private fresh(t: number): void {
    if (!Number.isInteger(t) || t < 1 || t >= LPM_MAX_TABLES) {
      throw new Error(`podnet: route table id ${t} is out of range 1..${LPM_MAX_TABLES - 1}`);
    }
    if (this.tables.has(t)) throw new Error(`podnet: route table ${t} already exists`);
  }

  create(t: number, layout: LpmLayout): void {
    this.fresh(t);
    const rootBits = layout === 'wide' ? LPM_ROOT_WIDE : LPM_ROOT_INLINE;
    this.kernel.tableInit(t, rootBits, 0);
    this.tables.set(t, { routes: new Map(), base: 0, derived: 0, layout, rootBits });
  }

  derive(t: number, base: number): void {
    this.fresh(t);
    const b = this.table(base);
    if (b.base !== 0) throw new Error(`podnet: route table ${base} is itself derived; derive from its base ${b.base}`);
    this.kernel.tableInit(t, LPM_ROOT_INLINE, base);
    b.derived++;
    this.tables.set(t, { routes: new Map(), base, derived: 0, layout: 'narrow', rootBits: LPM_ROOT_INLINE });
  }

  drop(t: number): void {
    const info = this.table(t);
    if (info.derived > 0) throw new Error(`podnet: route table ${t} is the base of ${info.derived} derived tables; drop them first`);
    if (info.base !== 0) {
      for (const key of info.routes.keys()) this.owners.change(info.base, t, key % TWO32, Math.floor(key / TWO32), -1);
      if (--this.table(info.base).derived === 0) this.owners.drop(info.base);
    }
    this.kernel.tableFree(t);
    this.tables.delete(t);
  }

  has(t: number): boolean {
    return this.tables.has(t);
  }

  insert(t: number, prefix: number, len: number, value: number): boolean {
    const info = this.table(t);
    checkLen(len);
    const p = (prefix & prefixMask(len)) >>> 0;
    const key = len * TWO32 + p;
    const fresh = !info.routes.has(key);
    info.routes.set(key, value >>> 0);
    if (fresh && info.base !== 0) this.owners.change(info.base, t, p, len, 1);
    const bits = layoutFor(info);
    if (bits !== info.rootBits) this.rebuild(t, info, bits);
    else this.kernel.insert(t, p, len, value >>> 0);
    return fresh;
  }

  delete(t: number, prefix: number, len: number): boolean {
    const info = this.table(t);
    checkLen(len);
    const p = (prefix & prefixMask(len)) >>> 0;
    if (!info.routes.delete(len * TWO32 + p)) return false;
    if (info.base !== 0) this.owners.change(info.base, t, p, len, -1);
    const bits = layoutFor(info);
    if (bits !== info.rootBits) { this.rebuild(t, info, bits); return true; }
    let coverLen = NO_COVER, coverValue = 0;
    for (let l = len - 1; l >= 0; l--) {
      const v = info.routes.get(l * TWO32 + ((p & prefixMask(l)) >>> 0));
      if (v !== undefined) { coverLen = l; coverValue = v; break; }
    }
    this.kernel.remove(t, p, len, coverLen, coverValue);
    return true;
  }

  /** Recreate table t's kernel side in layout `bits` from its route list (derived tables name it by id, so they follow). */
  private rebuild(t: number, info: TableInfo, bits: number): void {
    this.kernel.tableFree(t);
    this.kernel.tableInit(t, bits, info.base);
    info.rootBits = bits;
    for (const [key, value] of info.routes) this.kernel.insert(t, key % TWO32, Math.floor(key / TWO32), value);
  }

  routes(t: number): LpmRoute[] {
    const info = this.table(t);
    const out: LpmRoute[] = [];
    for (const [key, value] of info.routes) out.push(route(key, value, false));
    if (info.base !== 0) {
      for (const [key, value] of this.table(info.base).routes) {
        if (!info.routes.has(key)) out.push(route(key, value, true));
      }
    }
    return out.sort((a, b) => a.prefix - b.prefix || a.len - b.len);
  }

  bytes(): number {
    return this.kernel.bytes();
  }
}

function route(key: number, value: number, inherited: boolean): LpmRoute {
  return { prefix: key % TWO32, len: Math.floor(key / TWO32), value, inherited };
}

/** The kernel layout a table should have for its route count, with hysteresis around each switch. */
function layoutFor(info: TableInfo): number {
  const n = info.routes.size, bits = info.rootBits;
  if (info.layout === 'narrow') {
    if (bits === LPM_ROOT_INLINE) return n > LPM_INLINE_MAX ? LPM_ROOT_NARROW : bits;
    return n <= LPM_INLINE_RETURN ? LPM_ROOT_INLINE : bits;
  }
  if (bits === LPM_ROOT_WIDE) return n > LPM_DIR24_ROUTES ? LPM_ROOT_DIR24 : bits;
  return n <= LPM_DIR24_RETURN ? LPM_ROOT_WIDE : bits;
}

function checkLen(len: number): void {
  if (!Number.isInteger(len) || len < 0 || len > 32) throw new Error(`podnet: prefix length ${len} is not in 0..32`);
}
