import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventCodec, MsgpackWriter, DecodeFailure } from '../../../engine/codec/index.js';

const data = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(), fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null),
    fc.uint8Array({ maxLength: 4 }), fc.array(tie('value'), { maxLength: 20 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 20 }),
  ),
})).value;

function codec(): EventCodec {
  return new EventCodec().register(
    { type: 'Made', version: 2, fields: ['name', 'labels', 'spec'], oldFields: { 1: ['name', 'labels'] }, upcasters: { 1: (d) => ({ ...d, spec: ['v1'] }) } },
  );
}

describe('EventCodec shared decode', () => {
  it('gives equal array and map fields of consecutive events as one object, equal to a fresh decode', () => {
    const c = codec();
    const a = c.encode(1, 'Made', 's', { name: 'a', labels: { app: 'web' }, spec: [{ image: 'nginx' }] });
    const first = c.decodeRange('Made', 2, a.payload, 0, a.payload.length, true);
    const b = c.encode(1, 'Made', 's', { name: 'b', labels: { app: 'web' }, spec: [{ image: 'other' }] });
    const second = c.decodeRange('Made', 2, b.payload, 0, b.payload.length, true);
    expect(second.labels).toBe(first.labels);
    expect(second.spec).not.toBe(first.spec);
    expect(second).toEqual(c.decode('Made', 2, b.payload));
    expect(Object.keys(second)).toEqual(Object.keys(c.decode('Made', 2, b.payload)));
    // Without `share`, every decode builds its own objects.
    expect(c.decode('Made', 2, a.payload).labels).not.toBe(c.decode('Made', 2, a.payload).labels);
  });

  it('agrees with a plain decode on any sequence of events', () => {
    const c = codec();
    const plain = codec();
    fc.assert(fc.property(fc.array(fc.tuple(data, data), { maxLength: 8 }), (events) => {
      for (const [labels, spec] of events) {
        const e = c.encode(0, 'Made', 's', { name: 'x', labels, spec });
        expect(c.decodeRange('Made', 2, e.payload, 0, e.payload.length, true)).toEqual(plain.decode('Made', 2, e.payload));
      }
    }));
  });

  it('never shares an older version (its upcasters get their own data) and still reports malformed payloads', () => {
    const c = codec();
    const w = new MsgpackWriter();
    w.begin();
    w.value(['a', { app: 'web' }]);
    const v1 = w.end().slice();
    const x = c.decodeRange('Made', 1, v1, 0, v1.length, true);
    const y = c.decodeRange('Made', 1, v1, 0, v1.length, true);
    expect(x).toEqual({ name: 'a', labels: { app: 'web' }, spec: ['v1'] });
    expect(y.labels).not.toBe(x.labels);
    const bad = Uint8Array.of(0x93, 0xa1, 0x61, 0x81, 0x01, 0x02, 0xc0); // a map with an integer key
    expect(() => c.decodeRange('Made', 2, bad, 0, bad.length, true)).toThrow(DecodeFailure);
    const cut = Uint8Array.of(0x93, 0xa1, 0x61, 0x91);
    expect(() => c.decodeRange('Made', 2, cut, 0, cut.length, true)).toThrow(DecodeFailure);
  });

  it('a payload cut inside a part equal to the last one, or running on past it, is still malformed', () => {
    const c = codec();
    const good = c.encode(0, 'Made', 's', { name: 'a', labels: { app: 'web' }, spec: [{ image: 'nginx', ports: [80] }] }).payload.slice();
    c.decodeRange('Made', 2, good, 0, good.length, true);
    for (let end = 4; end < good.length; end++) {
      expect(() => c.decodeRange('Made', 2, good, 0, end, true), `cut at ${end}`).toThrow(DecodeFailure);
    }
    const longer = Uint8Array.of(...good, 0xc0);
    expect(() => c.decodeRange('Made', 2, longer, 0, longer.length, true)).toThrow(/bytes after its last field/);
    expect(c.decodeRange('Made', 2, good, 0, good.length, true)).toEqual(codec().decode('Made', 2, good));
  });

  it("decodes fields by name: absent ones stay absent, a '__proto__' field stays data, odd names are plain keys", () => {
    const fields = ['name', '__proto__', 'opt', 'constructor', '0', 'a-b', "it's"];
    const c = new EventCodec().register({ type: 'Odd', version: 1, fields });
    const sent = JSON.parse('{"name": "x", "__proto__": {"polluted": 1}, "constructor": 3, "0": [1], "a-b": true, "it\'s": "q"}') as Record<string, unknown>;
    const e = c.encode(0, 'Odd', 's', sent);
    for (const share of [false, true]) {
      const d = c.decodeRange('Odd', 1, e.payload, 0, e.payload.length, share);
      expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(d).sort()).toEqual(['0', '__proto__', 'a-b', 'constructor', "it's", 'name']);
      expect(Object.hasOwn(d, 'opt')).toBe(false);
      expect(d['__proto__']).toEqual({ polluted: 1 });
      expect([d.name, d.constructor, d['0'], d['a-b'], d["it's"]]).toEqual(['x', 3, [1], true, 'q']);
    }
  });
});
