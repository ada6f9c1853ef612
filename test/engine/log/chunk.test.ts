// Chunk bodies: each distinct stream name is stored once per chunk, whatever the
// names (repeated, empty, sharing a long suffix, not ASCII), and every event reads
// back its own.
import { describe, expect, it } from 'vitest';
import { Chunk, ChunkBuilder } from '../../../engine/log/Chunk.js';
import type { EncodedEvent } from '../../../engine/codec/index.js';

const ev = (i: number, stream: string): EncodedEvent => ({ time: i, type: i % 3 ? 'A' : 'B', version: 1, stream, payload: new Uint8Array([i & 0xff]) });

function roundTrip(streams: string[]): Chunk {
  const events = streams.map((s, i) => ev(i, s));
  const c = new Chunk(1, Buffer.from(new ChunkBuilder().build(events, 0, events.length)));
  expect(streams.map((_, i) => c.streamName(i))).toEqual(streams);
  expect(streams.map((_, i) => c.typeName(i))).toEqual(events.map((e) => e.type));
  return c;
}

/** How many names the chunk's dictionary holds (its stream indexes are 0..n-1, first seen first). */
const distinct = (c: Chunk) => Math.max(...c.streamIdx) + 1;

describe('chunk stream names', () => {
  it('are stored once each, indexed in order of first appearance', () => {
    const c = roundTrip(['pod/default/a', 'pod/default/b', 'pod/default/a', 'node/n1', 'pod/default/b']);
    expect([...c.streamIdx]).toEqual([0, 1, 0, 2, 1]);
  });

  it('that share a long prefix or suffix, or are empty, stay apart', () => {
    const tail = 'x'.repeat(40);
    const streams = ['', `pod/a/${tail}`, `pod/b/${tail}`, '', `svc/a/${tail}`, `pod/a/${tail}`, 'p', 'q'];
    expect(distinct(roundTrip(streams))).toBe(6);
  });

  it('that are not ASCII (or longer than 127 bytes) read back the same', () => {
    const long = `pod/default/${'w'.repeat(200)}`;
    const streams = ['pod/défaut/é-1', 'pod/default/plain', long, 'pod/défaut/é-1', long, 'pod/日本/名前'];
    expect(distinct(roundTrip(streams))).toBe(4);
    expect(distinct(roundTrip([long, 'a', long]))).toBe(2);
  });

  it('few names over many events (the count of names takes fewer bytes than the count of events)', () => {
    const streams = Array.from({ length: 300 }, (_, i) => `node/node-${(i * 7) % 5}`);
    expect(distinct(roundTrip(streams))).toBe(5);
    expect(roundTrip([]).count).toBe(0);
  });

  it('many names in one chunk, each repeated', () => {
    const streams = Array.from({ length: 4000 }, (_, i) => `pod/default/web-${(i * 7919) % 1500}`);
    const c = roundTrip(streams);
    expect(distinct(c)).toBe(1500);
    expect(c.findStream('pod/default/web-1499')).toBeGreaterThanOrEqual(0);
  });
});
