import { decode as referenceDecode, encode as referenceEncode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventCodec, MsgpackReader, MsgpackWriter, DecodeFailure } from '../../../engine/codec/index.js';

// Event data as the codec sees it: JSON-like values without undefined (absent is absent).
const data = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(), fc.string({ unit: 'grapheme' }), fc.integer(), fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0)), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** How many own '__proto__' members v holds, at any depth. */
function protoKeys(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + protoKeys(x), 0);
  if (v === null || typeof v !== 'object') return 0;
  return Object.keys(v).reduce((n, k) => n + (k === '__proto__' ? 1 : 0) + protoKeys((v as Record<string, unknown>)[k]), 0);
}

describe('MsgpackWriter / MsgpackReader', () => {
  it('round-trips any JSON-like value, and agrees with @msgpack/msgpack both ways', () => {
    const w = new MsgpackWriter();
    const r = new MsgpackReader();
    fc.assert(fc.property(data, (v) => {
      w.begin();
      w.value(v);
      const bytes = w.end();
      r.reset(bytes);
      const back = r.value();
      expect(back).toEqual(v);
      expect(r.pos).toBe(bytes.length);
      // @msgpack/msgpack refuses a '__proto__' key (its prototype-pollution guard); ours
      // keeps it as an own data member, checked on the way back
      if (protoKeys(v)) {
        expect(protoKeys(back)).toBe(protoKeys(v));
        return;
      }
      expect(referenceDecode(bytes)).toEqual(v);
      const ref = referenceEncode(v);
      r.reset(ref);
      expect(r.value()).toEqual(v);
    }), { numRuns: 500 });
  });

  it("keeps a '__proto__' key as data, never as the decoded object's prototype", () => {
    const v = JSON.parse('{"__proto__": {"polluted": 1}, "a": 2}') as Record<string, unknown>;
    const w = new MsgpackWriter();
    w.begin();
    w.value(v);
    const r = new MsgpackReader();
    r.reset(w.end());
    const back = r.value() as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back.polluted).toBeUndefined();
    expect(protoKeys(back)).toBe(1);
  });

  it('keeps earlier slices intact when the arena fills up', () => {
    const w = new MsgpackWriter();
    const slices: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++) { w.begin(); w.value({ i, s: 'x'.repeat(i % 50) }); slices.push(w.end()); }
    slices.forEach((s, i) => expect(referenceDecode(s)).toEqual({ i, s: 'x'.repeat(i % 50) }));
  });
});

describe('EventCodec', () => {
  const codec = () => new EventCodec().register(
    { type: 'Scheduled', version: 1, fields: ['pod', 'node', 'ip'] },
    { type: 'Removed', version: 3, fields: ['key', 'why', 'by'], oldFields: { 1: ['key'], 2: ['key', 'why'] }, upcasters: { 1: (d) => ({ ...d, why: 'unknown' }), 2: (d) => ({ ...d, by: 'controller' }) } },
  );

  it('round-trips event data, leaving absent fields absent', () => {
    const c = codec();
    const e = c.encode(5, 'Scheduled', 'pod/default/a', { pod: 'a', node: 'n1' });
    expect(c.decode('Scheduled', e.version, e.payload)).toEqual({ pod: 'a', node: 'n1' });
  });

  it('upcasts version 1 through every upcaster to the current version', () => {
    const v1 = new EventCodec().register({ type: 'Removed', version: 1, fields: ['key'] });
    const e = v1.encode(0, 'Removed', 'k/a', { key: 'a' });
    expect(codec().decode('Removed', 1, e.payload)).toEqual({ key: 'a', why: 'unknown', by: 'controller' });
  });

  it('names what is wrong with a payload that does not decode', () => {
    const c = codec();
    expect(() => c.decode('Scheduled', 1, new Uint8Array([0xc1]))).toThrow(DecodeFailure);
    expect(() => c.decode('Scheduled', 1, new Uint8Array([0x92, 1, 2]))).toThrow(/array of 3 fields, found 2/);
    expect(() => c.decode('Scheduled', 1, new Uint8Array([0x93, 0xa5, 0x61]))).toThrow(/truncated/);
    expect(() => c.decode('Scheduled', 2, new Uint8Array([0x90]))).toThrow(/newer than this podnet/);
    expect(() => c.decode('Nope', 1, new Uint8Array([0x90]))).toThrow(/unknown event type 'Nope'/);
  });
});
