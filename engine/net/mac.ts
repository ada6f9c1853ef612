// 48-bit MAC addresses as (hi: 16 bits, lo: 32 bits), the split the packet vector uses.

/** A MAC address split for the packet vector. */
export interface Mac {
  readonly hi: number;
  readonly lo: number;
}

/** ff:ff:ff:ff:ff:ff */
export const BROADCAST_MAC: Mac = { hi: 0xffff, lo: 0xffffffff };

/**
 * The MAC the CNI bridge plugin gives a pod's eth0: 0a:58 followed by the IPv4 address
 * (containernetworking/plugins ip.GenerateHardwareAddr4), so it is derived, not stored.
 */
export function macFromIp(ip: number): Mac {
  return { hi: 0x0a58, lo: ip >>> 0 };
}

/** Colon-separated lower-case hex, as `ip link` prints it. */
export function formatMac(m: Mac): string {
  const b = [m.hi >>> 8, m.hi & 255, m.lo >>> 24, (m.lo >>> 16) & 255, (m.lo >>> 8) & 255, m.lo & 255];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Parse `aa:bb:cc:dd:ee:ff`. */
export function parseMac(text: string): Mac {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new Error(`'${text}' is not a MAC address`);
  const b = parts.map((p) => parseInt(p, 16));
  return { hi: (b[0]! << 8) | b[1]!, lo: ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0 };
}

/** A locally administered MAC derived from a number (for veths, bridges, node NICs). */
export function macFromId(prefix: number, id: number): Mac {
  return { hi: prefix & 0xffff, lo: id >>> 0 };
}
