// Test helpers for IPv4 and MAC values in host byte order.

/** Dotted quad -> u32. */
export function ip(s: string): number {
  const p = s.split('.').map(Number);
  return (((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0);
}

/** u32 -> dotted quad. */
export function dotted(a: number): string {
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
}

/** "aa:bb:cc:dd:ee:ff" -> [hi16, lo32]. */
export function mac(s: string): [number, number] {
  const b = s.split(':').map((x) => parseInt(x, 16));
  return [(b[0]! << 8) | b[1]!, ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0];
}
