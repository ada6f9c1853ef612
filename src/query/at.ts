import { ValidationError } from '../../engine/errors.js';
import type { LogPoint } from '../../engine/replay/index.js';
import { tryParseDuration } from '../scenario/index.js';

/** `--at`: a bare integer is a sequence number; `90s`, `5m`, `1h30m` are scenario times. */
export function parseAt(text: string | undefined, flag = '--at'): LogPoint {
  if (text === undefined) return { seq: Number.MAX_SAFE_INTEGER };
  if (/^\d+$/.test(text)) return { seq: Number(text) };
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new ValidationError(`${flag} ${text}: give a sequence number (e.g. 42) or a scenario time (e.g. 90s, 5m, 1h30m)`);
  return { time: ms };
}
