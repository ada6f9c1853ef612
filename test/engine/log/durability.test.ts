// Durability across processes: a reader sees whole batches only while a writer appends,
// and a writer killed with SIGKILL at random moments loses no committed batch and leaves
// no partial one. The children run the built engine (dist/), as the CLI does.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventCodec } from '../../../engine/codec/index.js';
import { EventLog } from '../../../engine/log/index.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const DIST = fileURLToPath(new URL('../../../dist/engine/', import.meta.url));
const schemas = [{ type: 'Tick', version: 1, fields: ['n', 'label'] }];
const codec = () => new EventCodec().register(...schemas);

// Appends batches of `size` events (size 0: random 1..300) until `batches` are done or it is killed;
// prints the head after every commit.
const WRITER = join(dir, 'writer.mjs');
writeFileSync(WRITER, `
import { EventCodec } from ${JSON.stringify(join(DIST, 'codec/index.js'))};
import { EventLog } from ${JSON.stringify(join(DIST, 'log/index.js'))};
const [path, size, batches] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a)));
const codec = new EventCodec().register(...${JSON.stringify(schemas)});
const log = EventLog.open(path);
for (let b = 0; b < batches; b++) {
  const n = size || 1 + Math.floor(Math.random() * 300);
  const head = log.lastSeq();
  const events = Array.from({ length: n }, (_, i) => codec.encode(head + i, 'Tick', 'tick/' + ((head + i) % 7), { n: head + i + 1, label: 'event ' + (head + i + 1) }));
  log.append(events, head);
  process.stdout.write('committed ' + log.lastSeq() + '\\n');
}
log.close();
`);

/** Every event 1..head is there, in order, and decodes to what the writer wrote. */
function checkPrefix(log: EventLog): number {
  const c = codec();
  let seq = 0;
  for (const row of log.read()) {
    expect(row.seq).toBe(seq + 1);
    expect(c.decode(row.type, row.version, row.payload)).toEqual({ n: row.seq, label: `event ${row.seq}` });
    seq = row.seq;
  }
  expect(seq).toBe(log.lastSeq());
  return seq;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a second process', () => {
  it('reads a consistent prefix of whole batches while the writer appends', async () => {
    const path = join(dir, 'shared.db');
    EventLog.open(path).close();
    const child = spawn(process.execPath, [WRITER, path, '50', '300'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    let done = false;
    void exited.then(() => { done = true; });
    const reader = EventLog.open(path, { readonly: true });
    const seen = new Set<number>();
    while (!done) {
      reader.refresh();
      const head = checkPrefix(reader);
      expect(head % 50).toBe(0); // never a part of a batch
      seen.add(head);
      await sleep(5);
    }
    expect(await exited).toBe(0);
    reader.refresh();
    expect(checkPrefix(reader)).toBe(15_000);
    expect(seen.size).toBeGreaterThan(1); // it did read while the writer was writing
    reader.close();
  }, 60_000);
});

describe('a writer killed with SIGKILL', () => {
  it('loses no committed batch and leaves no partial one, however often it is killed', async () => {
    const path = join(dir, 'killed.db');
    EventLog.open(path).close();
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, [WRITER, path, '0', '1000000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      const exited = new Promise((r) => child.on('exit', r));
      // Wait for the first commit of this round, then kill at a random moment after it.
      while (!out.includes('committed')) await sleep(5);
      await sleep(Math.random() * 100);
      child.kill('SIGKILL');
      await exited;
      const reported = Math.max(0, ...[...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1])));
      const log = EventLog.open(path);
      const head = checkPrefix(log);
      expect(head).toBeGreaterThanOrEqual(reported);
      log.close();
    }
  }, 60_000);
});
