// IPv4 addresses as unsigned 32-bit numbers (host order), the form every kernel
// uses, and CIDR blocks. Parsing is strict: a user's typo is an error, not a guess.

/** An IPv4 prefix: network address (host bits zero) and length. */
export interface Cidr {
  readonly base: number;
  readonly len: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parse dotted-quad text; undefined when it is not one. */
export function tryParseIp(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}

/** Parse dotted-quad text; throws with the offending text. */
export function parseIp(text: string): number {
  const v = tryParseIp(text);
  if (v === undefined) throw new Error(`'${text}' is not an IPv4 address`);
  return v;
}

/** Dotted-quad text of an address. */
export function formatIp(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** Netmask of a prefix length (0..32). */
export function maskOf(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Parse `a.b.c.d/len`; undefined when malformed or host bits are set. */
export function tryParseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const base = tryParseIp(m[1]!);
  const len = Number(m[2]);
  if (base === undefined || len > 32) return undefined;
  if ((base & ~maskOf(len)) >>> 0 !== 0) return undefined;
  return { base, len };
}

/** Parse `a.b.c.d/len`; throws naming the text. */
export function parseCidr(text: string): Cidr {
  const c = tryParseCidr(text);
  if (!c) throw new Error(`'${text}' is not an IPv4 CIDR (a.b.c.d/len with the host bits zero)`);
  return c;
}

/** `a.b.c.d/len` text. */
export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.len}`;
}

/** Does the prefix contain the address? */
export function cidrContains(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.len)) >>> 0) === c.base;
}

/** Do two prefixes overlap? */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const len = Math.min(a.len, b.len);
  return ((a.base & maskOf(len)) >>> 0) === ((b.base & maskOf(len)) >>> 0);
}

/** Number of addresses in a prefix. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.len);
}

/** The i-th subnet of length `len` inside `c` (e.g. node pod CIDRs). */
export function subnet(c: Cidr, len: number, i: number): Cidr {
  return { base: (c.base + i * 2 ** (32 - len)) >>> 0, len };
}
