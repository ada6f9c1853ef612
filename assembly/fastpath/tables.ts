// The fast path's tables, programmed by the datapath from the cluster's state (control
// plane, apart from the kernels that read them: established.ts, podTx.ts).
//
// Next-hop word per route value (next | node << 8, 0 = NEXT_SLOW), grown by
// doubling; per zone sixteen words (node IP, bridge IP, 0 = none; bridge id, 0 = none;
// high word of its pods' MACs; 1 when the node is ready; pod CIDR base and mask; the
// MAC a pod's gateway answers with, high and low; seven spare), 4 MiB, allocated on
// first use; the pod table (IP -> node, open addressing as
// engine/datapath/IpIndex.ts, same hash), grown by doubling.
import { CT_MAX_ZONES } from '../shared/vector';
import { NEXT_SLOW, NEXT_LOCAL, FAST_MAX_ROUTES } from '../shared/fastpath';

/** Bytes per zone in `locals`, as a shift: 16 words (see above). */
// @ts-ignore: decorator
@inline export const ZONE_SHIFT: usize = 6;

/** Next-hop words, `routeCap` of them (0 before the first route). */
export let routeNext: usize = 0;
let routeCap: u32 = 0;
/** The per-zone words (0 before the first zone is set). */
export let locals: usize = 0;
/** Pod table: IP keys (0 = empty slot) and node indexes, `podCap` slots (a power of two, 0 before the first pod). */
let podKeys: usize = 0;
let podNodes: usize = 0;
let podCap: u32 = 0;
let podUsed: u32 = 0;
/** 32 - log2(podCap): Fibonacci hashing keeps the top bits of the product. */
let podShift: u32 = 32;

// @ts-ignore: decorator
@inline function podSlot(ip: u32): u32 { return (ip * 0x9e3779b1) >>> podShift; }

function podGrow(): void {
  const oldK = podKeys, oldN = podNodes, oldCap = podCap;
  podCap = oldCap == 0 ? 64 : oldCap << 1;
  podShift = 32 - <u32>ctz(podCap);
  podKeys = heap.alloc(<usize>podCap << 2);
  podNodes = heap.alloc(<usize>podCap << 2);
  memory.fill(podKeys, 0, <usize>podCap << 2);
  podUsed = 0;
  for (let s: u32 = 0; s < oldCap; s++) {
    const k = load<u32>(oldK + (<usize>s << 2));
    if (k != 0) fastPathSetPod(k, load<i32>(oldN + (<usize>s << 2)));
  }
  if (oldCap != 0) { heap.free(oldK); heap.free(oldN); }
}

/** Pod `ip` runs on node `node` (the forward stage's ctx.podNode, for hits the kernel delivers); ip 0 is ignored. */
export function fastPathSetPod(ip: u32, node: i32): void {
  if (ip == 0) return;
  if ((podUsed + 1) * 2 > podCap) podGrow();
  const mask = podCap - 1;
  let s = podSlot(ip);
  while (true) {
    const k = load<u32>(podKeys + (<usize>s << 2));
    if (k == 0) { store<u32>(podKeys + (<usize>s << 2), ip); podUsed++; break; }
    if (k == ip) break;
    s = (s + 1) & mask;
  }
  store<i32>(podNodes + (<usize>s << 2), node);
}

/** The node running pod `ip`, or -1. */
// @ts-ignore: decorator
@inline export function podNode(ip: u32): i32 {
  if (podUsed == 0) return -1;
  const mask = podCap - 1;
  let s = podSlot(ip);
  while (true) {
    const k = load<u32>(podKeys + (<usize>s << 2));
    if (k == ip) return load<i32>(podNodes + (<usize>s << 2));
    if (k == 0) return -1;
    s = (s + 1) & mask;
  }
}

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

/** Allocate the per-zone words on first use. */
export function ensureLocals(): void {
  if (locals != 0) return;
  locals = heap.alloc(<usize>CT_MAX_ZONES << ZONE_SHIFT);
  memory.fill(locals, 0, <usize>CT_MAX_ZONES << ZONE_SHIFT);
}

/** Set zone `zone`'s own addresses (node IP, bridge IP; 0 for none), its bridge (FDB table id, 0 for none), its pods' MAC high word and whether the node is ready. */
export function fastPathSetNode(zone: u32, ip0: u32, ip1: u32, bridge: u32, podMacHi: u32, ready: u32): void {
  if (zone >= <u32>CT_MAX_ZONES) return;
  ensureLocals();
  const z = locals + (<usize>zone << ZONE_SHIFT);
  store<u32>(z, ip0);
  store<u32>(z, ip1, 4);
  store<u32>(z, bridge, 8);
  store<u32>(z, podMacHi, 12);
  store<u32>(z, ready, 16);
}

/** Set zone `zone`'s pod network (pod CIDR base and mask) and the MAC its pods' gateway answers with (the bridge's; Calico's proxy-ARP MAC), for fastPathPodTx. */
export function fastPathSetPodNet(zone: u32, cidrBase: u32, cidrMask: u32, gwMacHi: u32, gwMacLo: u32): void {
  if (zone >= <u32>CT_MAX_ZONES) return;
  ensureLocals();
  const z = locals + (<usize>zone << ZONE_SHIFT);
  store<u32>(z, cidrBase, 20);
  store<u32>(z, cidrMask, 24);
  store<u32>(z, gwMacHi, 28);
  store<u32>(z, gwMacLo, 32);
}

/** Forget every programmed route, zone and pod. */
export function fastPathClear(): void {
  if (routeNext != 0) memory.fill(routeNext, 0, <usize>routeCap << 2);
  if (locals != 0) memory.fill(locals, 0, <usize>CT_MAX_ZONES << ZONE_SHIFT);
  if (podCap != 0) memory.fill(podKeys, 0, <usize>podCap << 2);
  podUsed = 0;
}

/** The next-hop word for `dst` routed by route value `route` in `zone`: NEXT_LOCAL for the zone's own addresses (the kernel's `local` table comes first). */
// @ts-ignore: decorator
@inline export function decide(zone: u32, dst: u32, route: u32): u32 {
  if (locals != 0) {
    const a = load<u32>(locals + (<usize>zone << ZONE_SHIFT)), b = load<u32>(locals + (<usize>zone << ZONE_SHIFT), 4);
    if ((a != 0 && a == dst) || (b != 0 && b == dst)) return NEXT_LOCAL;
  }
  return route < routeCap ? load<u32>(routeNext + (<usize>route << 2)) : NEXT_SLOW;
}
