import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventCodec } from '../../../engine/codec/index.js';
import { EventLog } from '../../../engine/log/index.js';
import { Replayer, type Projection } from '../../../engine/replay/index.js';
import { verifyLog } from '../../../src/query/index.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const codec = () => new EventCodec().register({ type: 'Add', version: 1, fields: ['n'] });
const sum: Projection<{ total: number }> = {
  name: 'sum', version: 1, initialState: () => ({ total: 0 }),
  evolve: (s, e) => { s.total += e.data.n as number; return s; },
  toSnapshot: (s) => ({ total: s.total }), fromSnapshot: (d) => ({ total: (d as { total: number }).total }),
};

describe('verifyLog', () => {
  it('checks snapshots against a replay and names one that differs', () => {
    const log = EventLog.open(join(dir, 'v.db'));
    const c = codec();
    log.append(Array.from({ length: 300 }, (_, i) => c.encode(i, 'Add', 'sum', { n: i })));
    const r = new Replayer(log, c, sum, { snapshotEvery: 100 });
    r.stateAt();
    expect(verifyLog(log, c, sum)).toEqual({ events: 300, chunks: 1, snapshots: 3, problems: [] });
    r.saveSnapshot({ state: { total: -1 }, seq: 200, time: 199, fromSnapshot: 0 }); // a well-formed but wrong snapshot
    expect(verifyLog(log, c, sum).problems).toEqual(["snapshot 'sum' at sequence 200: differs from the state its events replay to"]);
    log.close();
  });
});
