// One tracked connection as `conntrack -L` shows it, decoded from the flat entry both
// backends keep (layout in assembly/conntrack/entries.ts: 12 words, expiry as an f64).

/** A tracked connection: original tuple, reply tuple (after NAT), state and expiry. */
export interface ConntrackEntry {
  /** Connection id, as F_RESULT reports it; reused after the connection goes. */
  id: number;
  zone: number;
  /** IP protocol: 6 tcp, 17 udp, 1 icmp. */
  proto: number;
  /** CT_* state (shared/vector.ts). */
  state: number;
  origSrc: number;
  origDst: number;
  origSport: number;
  origDport: number;
  replySrc: number;
  replyDst: number;
  replySport: number;
  replyDport: number;
  /** Simulation time (ms) at which the connection expires. */
  expiresMs: number;
  /** The destination was translated (a Service endpoint). */
  dnat: boolean;
  /** The source was translated (masquerade, or a port remap after a clash). */
  snat: boolean;
}

/** Words per entry, and the offsets the decoder reads. */
export const CT_ENTRY_WORDS = 12;

/**
 * Decode live entries with ids 1..idLimit-1 from entry words (entry id at word
 * id * 12) and a per-id expiry reader; `zone` undefined lists every zone.
 */
export function decodeConntrack(words: Uint32Array, idLimit: number, expiry: (id: number) => number, zone?: number): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (let id = 1; id < idLimit; id++) {
    const w = id * CT_ENTRY_WORDS;
    const st = words[w + 7]!;
    if ((st & 255) === 0) continue;
    const k0 = words[w]!;
    if (zone !== undefined && k0 >>> 8 !== zone) continue;
    const op = words[w + 3]!, rp = words[w + 6]!;
    out.push({
      id, zone: k0 >>> 8, proto: k0 & 255, state: st & 255,
      origSrc: words[w + 1]!, origDst: words[w + 2]!, origSport: op >>> 16, origDport: op & 0xffff,
      replySrc: words[w + 4]!, replyDst: words[w + 5]!, replySport: rp >>> 16, replyDport: rp & 0xffff,
      expiresMs: expiry(id), dnat: (st & 0x100) !== 0, snat: (st & 0x200) !== 0,
    });
  }
  return out;
}
