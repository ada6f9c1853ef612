// The packet vector in linear memory, and the inline accessors every kernel uses.
import { VEC_BYTES, VEC_FIELD_BYTES, VEC_MAX } from './shared/vector';

/**
 * Base address of the one packet vector; JS makes its views over it once (vectorBase).
 * It is a fixed address in the low memory that asconfig.json keeps free of static data
 * (memoryBase), so field F's array, VEC + F * VEC_FIELD_BYTES, is a compile-time
 * constant. A loop that steps a byte offset o (packet i at o = i << 2) passes it as the
 * load's or store's constant offset, load<u32>(o, VEC + F * VEC_FIELD_BYTES), and the
 * engine folds it into the instruction's address; get/set add base, field and index
 * first, one more instruction per access (per-node LPM went from 66 to 57 instructions
 * a lookup when it stopped using them).
 */
// @ts-ignore: decorator
@inline export const VEC: usize = 1024;

/** VEC_MAX u64 words of per-vector scratch after the vector, at a constant address too (lpm's pass 1). */
// @ts-ignore: decorator
@inline export const VEC_SCRATCH: usize = VEC + VEC_BYTES;

if (VEC_SCRATCH + <usize>VEC_MAX * 8 > <usize>ASC_MEMORY_BASE) {
  ERROR('the packet vector and its scratch overlap static data: raise memoryBase in asconfig.json');
}

/** Address of field `f` of packet `i`. */
// @ts-ignore: decorator
@inline export function at(f: i32, i: i32): usize {
  return VEC + <usize>(f * VEC_FIELD_BYTES) + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline export function get(f: i32, i: i32): u32 {
  return load<u32>(at(f, i));
}

// @ts-ignore: decorator
@inline export function set(f: i32, i: i32, v: u32): void {
  store<u32>(at(f, i), v);
}
