// The packet vector in linear memory, and the inline accessors every kernel uses.
import { VEC_BYTES, VEC_FIELD_BYTES } from './shared/vector';

/** Base address of the one packet vector; JS makes its views over it once. */
export const VEC: usize = memory.data(VEC_BYTES, 16);

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
