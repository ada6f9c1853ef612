// The established-flow fast path: one call per vector that does what the conntrack,
// route and forward stages do for a packet of a known connection. Conntrack lookup
// and NAT rewrite (ctLookup, unchanged), then an LPM lookup in the node's route table
// on the rewritten destination for the hits only (lpmLookup, unchanged: its two-pass
// loop keeps the misses of a vector overlapped), then the next-stage decision from a
// flat next-hop table indexed by route value, after the node's own addresses (the
// kernel's `local` table, as the forward stage checks first). Misses get NEXT_SLOW and
// go through kube-proxy, the route stage and the NAT stage in JS as before.
//
// Trade-off: reusing the two batched kernels costs a save/restore of F_RESULT,
// F_RESULT2 and F_TABLE through a fixed scratch area (three u32 per packet), but keeps
// one implementation of conntrack and of LPM, so the fast path cannot drift from them.
//
// Tables: next-hop word per route value (next | node << 8, 0 = NEXT_SLOW), grown by
// doubling; two local addresses per zone (node IP, bridge IP; 0 = none), 512 KiB,
// allocated on first use.
import { F_TABLE, F_DST_IP, F_RESULT, F_RESULT2, F_DROP, F_ROUTE, F_ROUTE_LEN, F_NEXT, F_NEXT_NODE,
  VEC_MAX, CT_MAX_ZONES, LPM_MAX_TABLES, LPM_MISS } from './shared/vector';
import { NEXT_SLOW, NEXT_LOCAL, FAST_MAX_ROUTES } from './shared/fastpath';
import { get, set } from './vector';
import { ctLookup } from './conntrack';
import { lpmLookup } from './lpm';

/** Saved conntrack outputs and zones while the LPM kernel borrows F_RESULT, F_RESULT2 and F_TABLE. */
const SCRATCH: usize = memory.data(VEC_MAX * 12, 16);

let routeNext: usize = 0;
let routeCap: u32 = 0;
let locals: usize = 0;

/** Program route value `route`: next-stage code and, for NEXT_NODE, the node. */
export function fastPathSetRoute(route: u32, next: u32, node: u32): void {
  if (route >= <u32>FAST_MAX_ROUTES) return;
  if (route >= routeCap) {
    let c: u32 = routeCap == 0 ? 1024 : routeCap;
    while (c <= route) c <<= 1;
    const t = heap.alloc(<usize>c << 2);
    memory.fill(t, 0, <usize>c << 2);
    if (routeNext != 0) { memory.copy(t, routeNext, <usize>routeCap << 2); heap.free(routeNext); }
    routeNext = t;
    routeCap = c;
  }
  store<u32>(routeNext + (<usize>route << 2), (next & 255) | (node << 8));
}

/** Set zone `zone`'s own addresses (node IP, bridge IP; 0 for none). */
export function fastPathSetNode(zone: u32, ip0: u32, ip1: u32): void {
  if (zone >= <u32>CT_MAX_ZONES) return;
  if (locals == 0) {
    locals = heap.alloc(<usize>CT_MAX_ZONES << 3);
    memory.fill(locals, 0, <usize>CT_MAX_ZONES << 3);
  }
  store<u32>(locals + (<usize>zone << 3), ip0);
  store<u32>(locals + (<usize>zone << 3), ip1, 4);
}

/** Forget every programmed route and zone. */
export function fastPathClear(): void {
  if (routeNext != 0) memory.fill(routeNext, 0, <usize>routeCap << 2);
  if (locals != 0) memory.fill(locals, 0, <usize>CT_MAX_ZONES << 3);
}

// @ts-ignore: decorator
@inline function decide(zone: u32, dst: u32, route: u32): u32 {
  if (locals != 0) {
    const a = load<u32>(locals + (<usize>zone << 3)), b = load<u32>(locals + (<usize>zone << 3), 4);
    if ((a != 0 && a == dst) || (b != 0 && b == dst)) return NEXT_LOCAL;
  }
  return route < routeCap ? load<u32>(routeNext + (<usize>route << 2)) : NEXT_SLOW;
}

/**
 * Established-flow fast path over live packets 0..n-1 (F_DROP 0), F_TABLE = zone:
 * exactly ctLookup's outputs (rewrite, F_RESULT, F_RESULT2, F_FLAGS), and for a hit
 * F_ROUTE / F_ROUTE_LEN as lpmLookup gives them in table zone + tableBias for the
 * rewritten destination, F_NEXT / F_NEXT_NODE the next-stage decision. A miss, a
 * dropped packet or a zone out of range: F_NEXT = NEXT_SLOW, F_ROUTE 0, F_ROUTE_LEN
 * LPM_MISS. F_TABLE is left as it was. Returns the number of hits.
 */
export function fastPath(n: i32, now: f64, tableBias: u32): i32 {
  ctLookup(n, now);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const s = SCRATCH + (<usize>i << 2);
    const zone = get(F_TABLE, i);
    const id = get(F_RESULT, i);
    store<u32>(s, id);
    store<u32>(s + VEC_MAX * 4, get(F_RESULT2, i));
    store<u32>(s + VEC_MAX * 8, zone);
    const t = zone + tableBias;
    const hit = get(F_DROP, i) == 0 && id != 0 && zone < <u32>CT_MAX_ZONES && t < <u32>LPM_MAX_TABLES;
    set(F_TABLE, i, hit ? t : 0);
    hits += i32(hit);
  }
  if (hits != 0) lpmLookup(n);
  for (let i = 0; i < n; i++) {
    const s = SCRATCH + (<usize>i << 2);
    const zone = load<u32>(s + VEC_MAX * 8);
    const hit = hits != 0 && get(F_TABLE, i) != 0;
    const route = hit ? get(F_RESULT, i) : 0;
    set(F_ROUTE, i, route);
    set(F_ROUTE_LEN, i, hit ? get(F_RESULT2, i) : LPM_MISS);
    set(F_RESULT, i, load<u32>(s));
    set(F_RESULT2, i, load<u32>(s + VEC_MAX * 4));
    set(F_TABLE, i, zone);
    const w = hit ? decide(zone, get(F_DST_IP, i), route) : NEXT_SLOW;
    set(F_NEXT, i, w & 255);
    set(F_NEXT_NODE, i, w >>> 8);
  }
  return hits;
}
