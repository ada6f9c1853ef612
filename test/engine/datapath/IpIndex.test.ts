import { expect, it } from 'vitest';
import { IpIndex } from '../../../engine/datapath/IpIndex.js';

/** Longest probe sequence allowed: linear probing at load <= 1/2 stays far below it; the clustered hash went into the thousands. */
const MAX_PROBE = 64;

it('IpIndex maps 150,000 neighbouring pod IPs to their nodes with short probe sequences (no clustering on sequential addresses)', () => {
  const idx = new IpIndex();
  const ip = (k: number) => (0x0a800000 + ((k / 110) | 0) * 256 + (k % 110) + 2) >>> 0; // 110 pods per /24
  for (let k = 0; k < 150_000; k++) idx.set(ip(k), (k / 110) | 0);
  let wrong = 0;
  for (let k = 0; k < 150_000; k++) if (idx.get(ip(k)) !== ((k / 110) | 0)) wrong++;
  expect(wrong).toBe(0);
  expect(idx.maxProbe()).toBeLessThanOrEqual(MAX_PROBE);
  expect([idx.get(0x0a800001), idx.get(0), idx.get(0xffffffff)]).toEqual([-1, -1, -1]);
  idx.set(ip(7), 42);
  expect(idx.get(ip(7))).toBe(42);
  idx.clear();
  expect(idx.get(ip(7))).toBe(-1);
});
