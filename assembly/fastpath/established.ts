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
// A hit routed out the node's bridge (NEXT_BRIDGE) also gets the bridge's forwarding
// decision for the pod's MAC (fdbPort, the function fdbLookup uses), so the pipeline
// delivers it without a separate bridge call. The FDB is not learned from here: the
// bridge stage learns before conntrack runs, so the answer is the one fdbLookup would
// give later in the same pass.
//
// Route cache: a connection's rewritten destination and zone are fixed per direction,
// so the LPM answer is too until a route table changes. The cache holds it per
// conntrack ref (id << 1 | direction, modulo FAST_ROUTE_CACHE), checked against the
// full key (generation, table, destination): a reused id or a collision is a miss,
// never a wrong answer. fastPathRoutesChanged, called by the datapath on every LPM
// table change, starts a new generation. A vector whose hits are all cached makes no
// LPM call and needs no save/restore.
//
// Finishing hits (FP_FORWARD, the pipeline without a trace): the forward stage's two
// common cases of an established packet are done here, on the pipeline columns of
// the vector: on to a ready node, and out the bridge to a pod of this node (checked
// against the pod table, fastPathSetPod, as the forward stage checks ctx.podNode). The
// forward stage then only loops when the report says packets are left to it, so a
// vector of established packets crosses each node in this one call.
import { F_TABLE, F_DST_IP, F_RESULT, F_RESULT2, F_DROP, F_ROUTE, F_ROUTE_LEN, F_NEXT, F_NEXT_NODE, F_OUT_PORT, F_FLAGS,
  FLAG_CT_REPLY, F_LOC, F_PHASE, F_TTL, F_MASQ, F_VERDICT, F_PATH_LEN, F_PATH, F_REPORT, PORT_FLOOD,
  VEC_MAX, CT_MAX_ZONES, LPM_MAX_TABLES, LPM_MISS } from '../shared/vector';
import { NEXT_SLOW, NEXT_BRIDGE, NEXT_NODE, NEXT_MOVED, FAST_ROUTE_CACHE, FP_ZONE_FROM_LOC, FP_FORWARD, R_MISSES, R_NO_ZONE,
  R_REPLIES, R_NO_ROUTE, R_MOVED, R_DELIVERED, R_FLOODED, R_LEFT } from '../shared/fastpath';
import { PHASE_FROM_NODE, PHASE_BRIDGED, VERDICT_DELIVERED_POD, PIPE_DONE, PIPE_MAX_PATH } from '../shared/pipeline';
import { fdbPort } from '../fdb';
import { VEC, get, set } from '../vector';
import { ctLookup } from '../conntrack';
import { lpmLookup } from '../lpm';
import { ZONE_SHIFT, locals, podNode, decide } from './tables';

/** Saved conntrack outputs and zones while the LPM kernel borrows F_RESULT, F_RESULT2 and F_TABLE; then the route cache slot of each hit that missed it (0: none). */
const SCRATCH: usize = memory.data(VEC_MAX * 16, 16);

/** Route cache: 16 bytes per entry (generation, table << 8 | prefix length byte, destination, route value). */
let routeCache: usize = 0;
/** Current generation of the route cache; entries of older ones are misses (0 never matches). */
let routeGen: u32 = 1;
/** Hits finished with no route in the current fastPath call (R_NO_ROUTE). */
let noRoutes: u32 = 0;

/** A route table changed: every cached route is stale. */
export function fastPathRoutesChanged(): void { routeGen++; }

/** Write hit i's fast-path outputs for route value `route` (prefix length `len`) in `zone`; with `forward` (FP_FORWARD), finish it (forwardHit). */
// @ts-ignore: decorator
@inline function finish(i: i32, zone: u32, route: u32, len: u32, now: f64, ageMs: f64, forward: bool): void {
  noRoutes += u32(route == 0);
  set(F_ROUTE, i, route);
  set(F_ROUTE_LEN, i, len);
  const dst = get(F_DST_IP, i);
  const w = decide(zone, dst, route);
  set(F_NEXT, i, w & 255);
  set(F_NEXT_NODE, i, w >>> 8);
  if ((w & 255) == NEXT_BRIDGE) { // a hit, so zone < CT_MAX_ZONES
    const z = locals + (<usize>zone << ZONE_SHIFT);
    const bridge = locals != 0 ? load<u32>(z, 8) : 0, hi = locals != 0 ? load<u32>(z, 12) : 0;
    set(F_OUT_PORT, i, fdbPort(bridge, hi, dst, now, ageMs));
  }
  if (forward && get(F_PHASE, i) != PHASE_BRIDGED) forwardHit(i, w, dst);
}

/** Hits FP_FORWARD moved on, delivered, and of those flooded, in the current fastPath call. */
let moved: u32 = 0;
let delivered: u32 = 0;
let flooded: u32 = 0;

/**
 * FP_FORWARD for hit i (next-hop word w, destination dst), not bridged: finish it as
 * the forward stage would on its own: NEXT_NODE to a ready node with TTL left,
 * NEXT_BRIDGE to a pod running on this node. Anything else is left to the stage.
 */
// @ts-ignore: decorator
@inline function forwardHit(i: i32, w: u32, dst: u32): void {
  if ((w & 255) == NEXT_NODE) {
    const to = w >>> 8, ttl = get(F_TTL, i);
    if (ttl > 1 && to < <u32>CT_MAX_ZONES && locals != 0 && load<u32>(locals + (<usize>to << ZONE_SHIFT), 16) != 0) {
      set(F_TTL, i, ttl - 1);
      set(F_LOC, i, to);
      set(F_PHASE, i, PHASE_FROM_NODE);
      set(F_MASQ, i, 0); // the skb mark (0x4000) does not cross the wire
      const k = get(F_PATH_LEN, i);
      if (k < <u32>PIPE_MAX_PATH) { store<u32>(VEC + <usize>F_PATH * VEC_MAX * 4 + ((<usize>i * PIPE_MAX_PATH + k) << 2), to); set(F_PATH_LEN, i, k + 1); }
      set(F_NEXT, i, NEXT_MOVED);
      moved++;
    }
  } else if (w == NEXT_BRIDGE && podNode(dst) == <i32>get(F_LOC, i)) {
    flooded += u32(get(F_OUT_PORT, i) == PORT_FLOOD);
    set(F_VERDICT, i, VERDICT_DELIVERED_POD);
    set(F_DROP, i, PIPE_DONE);
    delivered++;
  }
}

/**
 * Established-flow fast path over live packets 0..n-1 (F_DROP 0), F_TABLE = zone
 * (with FP_ZONE_FROM_LOC in `mode`, F_TABLE is first set to F_LOC):
 * exactly ctLookup's outputs (rewrite, F_RESULT, F_RESULT2, F_FLAGS), and for a hit
 * F_ROUTE / F_ROUTE_LEN as lpmLookup gives them in table zone + tableBias for the
 * rewritten destination, F_NEXT / F_NEXT_NODE the next-stage decision. A miss, a
 * dropped packet or a zone out of range: F_NEXT = NEXT_SLOW, F_ROUTE 0, F_ROUTE_LEN
 * LPM_MISS. A hit with F_NEXT NEXT_BRIDGE gets F_OUT_PORT = fdbPort(zone's bridge, its
 * pods' MAC high word, F_DST_IP, now, ageMs); every other packet's F_OUT_PORT is left
 * as it was, and so is F_TABLE. With FP_FORWARD, hits are then finished (forwardHit).
 * F_REPORT gets the R_* counts. Returns the number of hits.
 */
export function fastPath(n: i32, now: f64, tableBias: u32, ageMs: f64, mode: u32): i32 {
  if ((mode & FP_ZONE_FROM_LOC) != 0) {
    for (let i = 0; i < n; i++) if (get(F_DROP, i) == 0) set(F_TABLE, i, get(F_LOC, i));
  }
  ctLookup(n, now);
  ensureRouteCache();
  const gen = routeGen, cache = routeCache, forward = (mode & FP_FORWARD) != 0;
  const NEED = SCRATCH + VEC_MAX * 12;
  memory.fill(NEED, 0, <usize>n << 2);
  let hits = 0, need = 0, misses = 0, noZone = 0, replies = 0, live = 0;
  noRoutes = 0; moved = 0; delivered = 0; flooded = 0;
  // Branches in the order of the common case (a hit with its route cached): booleans
  // kept in registers across the loop cost more than they save.
  for (let i = 0; i < n; i++) {
    const zone = get(F_TABLE, i), id = get(F_RESULT, i), t = zone + tableBias;
    if (get(F_DROP, i) != 0 || zone >= <u32>CT_MAX_ZONES || id == 0 || t - 1 >= <u32>LPM_MAX_TABLES - 1) { // t 0 is no table: lpmLookup's miss
      slowOutputs(i);
      if (get(F_DROP, i) != 0) continue;
      live++;
      if (zone >= <u32>CT_MAX_ZONES) noZone++;
      else if (id == 0) misses++;
      else if (t == 0) { hits++; replies += get(F_FLAGS, i) & FLAG_CT_REPLY; noRoutes++; }
      continue;
    }
    live++;
    hits++;
    const reply = get(F_FLAGS, i) & FLAG_CT_REPLY;
    replies += reply;
    const c = cache + (<usize>(((id << 1) | reply) & (FAST_ROUTE_CACHE - 1)) << 4);
    const tl = load<u32>(c, 4);
    if (load<u32>(c) == gen && tl >>> 8 == t && load<u32>(c, 8) == get(F_DST_IP, i)) {
      const l = tl & 255;
      finish(i, zone, load<u32>(c, 12), l == 255 ? LPM_MISS : l, now, ageMs, forward);
    } else {
      store<u32>(NEED + (<usize>i << 2), <u32>c);
      need++;
    }
  }
  if (need != 0) routeMisses(n, tableBias, gen, now, ageMs, forward);
  report(misses, noZone, replies, live, forward);
  return hits;
}

/** A packet the fast path leaves to the stages: F_NEXT NEXT_SLOW, no route. */
// @ts-ignore: decorator
@inline function slowOutputs(i: i32): void {
  set(F_ROUTE, i, 0);
  set(F_ROUTE_LEN, i, LPM_MISS);
  set(F_NEXT, i, NEXT_SLOW);
  set(F_NEXT_NODE, i, 0);
}

function ensureRouteCache(): void {
  if (routeCache != 0) return;
  routeCache = heap.alloc(<usize>FAST_ROUTE_CACHE << 4);
  memory.fill(routeCache, 0, <usize>FAST_ROUTE_CACHE << 4);
}

/** fastPath's F_REPORT: the counts of the call (`live` packets not dropped on entry), with FP_FORWARD what became of the hits. */
// @ts-ignore: decorator
@inline function report(misses: u32, noZone: u32, replies: u32, live: u32, forward: bool): void {
  const r = VEC + <usize>F_REPORT * VEC_MAX * 4;
  store<u32>(r + (R_MISSES << 2), misses);
  store<u32>(r + (R_NO_ZONE << 2), noZone);
  store<u32>(r + (R_REPLIES << 2), replies);
  store<u32>(r + (R_NO_ROUTE << 2), noRoutes);
  if (forward) {
    store<u32>(r + (R_MOVED << 2), moved);
    store<u32>(r + (R_DELIVERED << 2), delivered);
    store<u32>(r + (R_FLOODED << 2), flooded);
    store<u32>(r + (R_LEFT << 2), live - moved - delivered);
  }
}

/** The hits fastPath found no cached route for (scratch column NEED): one LPM call, cache the answers, finish them. */
function routeMisses(n: i32, tableBias: u32, gen: u32, now: f64, ageMs: f64, forward: bool): void {
  const NEED = SCRATCH + VEC_MAX * 12;
  for (let i = 0; i < n; i++) {
    const s = SCRATCH + (<usize>i << 2);
    const zone = get(F_TABLE, i);
    store<u32>(s, get(F_RESULT, i));
    store<u32>(s + VEC_MAX * 4, get(F_RESULT2, i));
    store<u32>(s + VEC_MAX * 8, zone);
    set(F_TABLE, i, load<u32>(NEED + (<usize>i << 2)) != 0 ? zone + tableBias : 0);
  }
  lpmLookup(n);
  for (let i = 0; i < n; i++) {
    const s = SCRATCH + (<usize>i << 2);
    const c = <usize>load<u32>(NEED + (<usize>i << 2));
    const t = get(F_TABLE, i), route = get(F_RESULT, i), len = get(F_RESULT2, i);
    const zone = load<u32>(s + VEC_MAX * 8);
    set(F_RESULT, i, load<u32>(s));
    set(F_RESULT2, i, load<u32>(s + VEC_MAX * 4));
    set(F_TABLE, i, zone);
    if (c == 0) continue;
    store<u32>(c, gen);
    store<u32>(c, (t << 8) | (len & 255), 4);
    store<u32>(c, get(F_DST_IP, i), 8);
    store<u32>(c, route, 12);
    finish(i, zone, route, len, now, ageMs, forward);
  }
}
