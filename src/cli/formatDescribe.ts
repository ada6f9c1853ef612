/**
 * One line of `describe` output: its indent level, a key, and a value. A line without a
 * value (`Containers:`) is a heading.
 */
export type DescribeLine = [level: number, key: string, value?: string];

/**
 * Lines aligned as kubectl describe aligns them: it writes `key:\tvalue` through
 * text/tabwriter (padding 2), which aligns the values of consecutive key-value lines
 * and restarts at every line without a tab, a heading. Indent is two spaces a level.
 */
export function formatDescribe(lines: DescribeLine[]): string {
  const out: string[] = [];
  let block: DescribeLine[] = [];
  const flush = () => {
    const width = Math.max(0, ...block.map(([lvl, k]) => 2 * lvl + k.length));
    for (const [lvl, k, v] of block) out.push(`${' '.repeat(2 * lvl)}${k}`.padEnd(width + 2) + v!);
    block = [];
  };
  for (const line of lines) {
    if (line[2] === undefined) { flush(); out.push(`${' '.repeat(2 * line[0])}${line[1]}`); } else block.push(line);
  }
  flush();
  return out.map((l) => l.trimEnd()).join('\n');
}

/** `Labels:` and friends: one `k=v` per line, continuation lines under the first with an empty key. */
export function mapLines(level: number, key: string, map: Record<string, string> | undefined): DescribeLine[] {
  const entries = Object.entries(map ?? {});
  if (entries.length === 0) return [[level, key, '<none>']];
  return entries.map(([k, v], i): DescribeLine => [level, i === 0 ? key : '', `${k}=${v}`]);
}
