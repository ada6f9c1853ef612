import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventCodec } from '../../../engine/codec/index.js';
import { EventLog } from '../../../engine/log/index.js';
import { PodnetError } from '../../../engine/errors.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const codec = new EventCodec().register({ type: 'Blob', version: 1, fields: ['text'] });
const batch = (n: number, size: number) => Array.from({ length: n }, (_, i) => codec.encode(i, 'Blob', `blob/${i}`, { text: 'x'.repeat(size) }));

describe('a log that cannot be written', () => {
  it('opened read-only: a clear error, nothing written', () => {
    const path = join(dir, 'ro.db');
    const w = EventLog.open(path);
    w.append(batch(10, 10));
    w.close();
    const before = readFileSync(path);
    const ro = EventLog.open(path, { readonly: true });
    expect(() => ro.append(batch(1, 10))).toThrow(/ro\.db: opened read-only; nothing was written/);
    ro.close();
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('disk full (a size quota): a clear error naming the file, the log unchanged and still appendable', () => {
    const path = join(dir, 'full.db');
    const log = EventLog.open(path, { maxBytes: 256 * 1024 });
    log.append(batch(20, 100));
    let err: unknown;
    try { log.append(batch(200, 4000)); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(PodnetError);
    expect((err as Error).message).toMatch(/full\.db: append failed, nothing written: .*full.*free disk space/);
    expect(log.lastSeq()).toBe(20);
    log.close();
    const reopened = EventLog.open(path);
    expect(reopened.refresh()).toBe(20);
    expect([...reopened.read()].map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(reopened.append(batch(1, 10))).toBe(21);
    reopened.close();
  });
});
