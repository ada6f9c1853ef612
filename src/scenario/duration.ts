// Scenario times as people write them: `90s`, `5m`, `1h30m`, `250ms`, `1.5s`.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/** Milliseconds of a duration text, or undefined when it is not one. */
export function tryParseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '' ) return undefined;
  if (t === '0') return 0;
  PART.lastIndex = 0;
  let ms = 0;
  let end = 0;
  for (let m = PART.exec(t); m; m = PART.exec(t)) {
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = PART.lastIndex;
  }
  return end === t.length ? Math.round(ms) : undefined;
}

/** `1h30m5s` style text for a duration in ms (kubectl's AGE style, shortened). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400); s %= 86400;
  const h = Math.floor(s / 3600); s %= 3600;
  const m = Math.floor(s / 60); s %= 60;
  if (d) return `${d}d${h ? `${h}h` : ''}`;
  if (h) return `${h}h${m ? `${m}m` : ''}`;
  if (m) return `${m}m${s ? `${s}s` : ''}`;
  return `${s}s`;
}
