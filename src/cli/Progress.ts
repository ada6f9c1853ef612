// Progress on stderr, as kubectl-adjacent tools do it: only when stderr is a terminal
// (never in pipes or CI logs, where a bar is noise), and only once the work has taken
// more than a second (a bar flashing for 50 ms is noise too).
import { SingleBar } from 'cli-progress';
import type { Io } from './context.js';

/** A progress display; every method is a no-op when stderr is not a TTY. */
export interface Progress {
  /** `done` of `total` finished; `detail` names the current item. */
  update(done: number, detail?: string): void;
  /** Remove the bar (call in `finally`, so errors print on a clean line). */
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

/**
 * A bar for `total` units of work labelled `label`. It appears after `delayMs` either
 * on the next update (synchronous work such as a replay never yields to a timer) or
 * from a timer (async work such as a benchmark suite may not update for a while).
 */
export function startProgress(io: Io, label: string, total: number, delayMs = 1000): Progress {
  if (!io.tty) return SILENT;
  const started = Date.now();
  let bar: SingleBar | undefined;
  let done = 0;
  let detail = '';
  const show = () => {
    if (bar) return;
    bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} {detail} {duration_formatted}`,
      stream: process.stderr, clearOnComplete: true, hideCursor: true, barsize: 30,
    });
    bar.start(total, done, { detail });
  };
  const timer = setTimeout(show, delayMs);
  timer.unref();
  return {
    update(n, d) {
      done = n;
      if (d !== undefined) detail = d;
      if (!bar && Date.now() - started >= delayMs) show();
      bar?.update(done, { detail });
    },
    stop() {
      clearTimeout(timer);
      bar?.stop();
    },
  };
}
