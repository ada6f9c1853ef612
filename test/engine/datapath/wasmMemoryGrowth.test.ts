// The WASM datapath's packet vector views follow linear memory growth: growing
// detaches the old ArrayBuffer, and `vec` must hand out views over the new one,
// with the packet data intact. The module starts with 512 MiB (asconfig.json), so
// growing takes tables past that.
import { expect, it } from 'vitest';
import { createDatapath, VEC_BYTES } from '../../../engine/datapath/index.js';

it('vec gives views over the grown memory, with the packets written before', () => {
  const dp = createDatapath('wasm');
  const before = dp.vec;
  before.dstIp[7] = 0x0a000207;
  before.srcPort[255] = 40000;
  let t = 1;
  for (; t <= 2048 && before.words.length > 0; t++) dp.lpmCreateTable(t, 'wide'); // 512 KiB each
  expect(before.words.length).toBe(0); // detached by the growth
  expect(t).toBeGreaterThan(1000); // not before the initial memory was used up
  const after = dp.vec;
  expect(after === before).toBe(false);
  expect(after.words.length).toBe(VEC_BYTES / 4);
  expect([after.dstIp[7], after.srcPort[255]]).toEqual([0x0a000207, 40000]);
  expect(dp.vec === after).toBe(true); // rebuilt once, not on every read
});
