// What a packet does to its connection: the TCP state machine (Linux's, reduced to the
// transitions a simulated flow makes), the timeout the new state earns, and the
// packet's NAT rewrite from the entry.
import { CT_TO_SYN_SENT, CT_TO_SYN_RECV, CT_TO_ESTABLISHED, CT_TO_FIN_WAIT, CT_TO_CLOSE_WAIT, CT_TO_LAST_ACK, CT_TO_TIME_WAIT, CT_TO_CLOSE, CT_TO_UDP, CT_TO_UDP_STREAM, CT_TO_ICMP, CT_TO_GENERIC } from '../shared/conntrackTimeouts';
import { F_SRC_IP, F_DST_IP, F_SRC_PORT, F_DST_PORT, F_RESULT, F_RESULT2, F_FLAGS, F_L4_FLAGS, FLAG_CT_REPLY, FLAG_CT_NEW,
  FLAG_NAT_DST, FLAG_NAT_SRC, FLAG_CT_MASK, CT_SYN_SENT, CT_SYN_RECV, CT_ESTABLISHED, CT_FIN_WAIT, CT_CLOSE_WAIT,
  CT_LAST_ACK, CT_TIME_WAIT, CT_CLOSE, CT_UNREPLIED, CT_REPLIED } from '../shared/vector';
import { get, set } from '../vector';
import { ENTRY, CT_S_FIN_REPLY, entries } from './entries';

// TCP flag bits of F_L4_FLAGS.
// @ts-ignore: decorator
@inline const TCP_FIN: u32 = 0x01;
// @ts-ignore: decorator
@inline const TCP_SYN: u32 = 0x02;
// @ts-ignore: decorator
@inline const TCP_RST: u32 = 0x04;
// @ts-ignore: decorator
@inline const TCP_ACK: u32 = 0x10;

/**
 * Linux conntrack timeouts in ms; kube-proxy's where it sets them
 * (tcp established 24 h, close-wait 1 h), the kernel's defaults otherwise.
 */
// @ts-ignore: decorator
@inline function timeoutMs(proto: u32, state: u32): f64 {
  if (proto == 6) {
    switch (state) {
      case CT_SYN_SENT: return CT_TO_SYN_SENT;
      case CT_SYN_RECV: return CT_TO_SYN_RECV;
      case CT_ESTABLISHED: return CT_TO_ESTABLISHED;
      case CT_FIN_WAIT: return CT_TO_FIN_WAIT;
      case CT_CLOSE_WAIT: return CT_TO_CLOSE_WAIT;
      case CT_LAST_ACK: return CT_TO_LAST_ACK;
      case CT_TIME_WAIT: return CT_TO_TIME_WAIT;
      default: return CT_TO_CLOSE;
    }
  }
  if (proto == 17) return state == CT_REPLIED ? CT_TO_UDP_STREAM : CT_TO_UDP;
  if (proto == 1) return CT_TO_ICMP;
  return CT_TO_GENERIC;
}

/** The state a new connection starts in, from its first packet i: a TCP SYN without ACK opens SYN_SENT, any other TCP packet is taken as mid-stream. */
// @ts-ignore: decorator
@inline export function firstState(proto: u32, i: i32): u32 {
  if (proto != 6) return CT_UNREPLIED;
  return (get(F_L4_FLAGS, i) & (TCP_SYN | TCP_ACK)) == TCP_SYN ? CT_SYN_SENT : CT_ESTABLISHED;
}

/** Linux's TCP state machine, reduced to the transitions a simulated flow makes (inline: it runs for every TCP hit). */
// @ts-ignore: decorator
@inline function tcpNext(state: u32, status: u32, reply: bool, flags: u32): u32 {
  if ((flags & TCP_RST) != 0) return CT_CLOSE;
  const finByReply = (status & CT_S_FIN_REPLY) != 0;
  if ((flags & TCP_SYN) != 0) {
    if (!reply && (flags & TCP_ACK) == 0 && (state == CT_TIME_WAIT || state == CT_CLOSE)) return CT_SYN_SENT; // port reuse
    if (reply && (flags & TCP_ACK) != 0 && state == CT_SYN_SENT) return CT_SYN_RECV;
    return state;
  }
  if ((flags & TCP_FIN) != 0) {
    if (state == CT_ESTABLISHED || state == CT_SYN_RECV) return CT_FIN_WAIT;
    if ((state == CT_FIN_WAIT || state == CT_CLOSE_WAIT) && reply != finByReply) return CT_LAST_ACK;
    return state;
  }
  if ((flags & TCP_ACK) != 0) {
    if (state == CT_SYN_RECV && !reply) return CT_ESTABLISHED;
    if (state == CT_FIN_WAIT && reply != finByReply) return CT_CLOSE_WAIT;
    if (state == CT_LAST_ACK) return CT_TIME_WAIT;
  }
  return state;
}

/** Advance connection `id` for packet i seen in direction `reply`, rewrite the packet by the NAT, set the results. */
export function track(i: i32, id: u32, reply: bool, now: f64, isNew: bool): void {
  trackInline(i, id, reply, now, isNew);
}

/** track's body, inlined into ctLookup's loop (the hit of every established packet). */
// @ts-ignore: decorator
@inline export function trackInline(i: i32, id: u32, reply: bool, now: f64, isNew: bool): void {
  const e = entries + <usize>id * ENTRY;
  const k0 = load<u32>(e);
  const proto = k0 & 255;
  let word = load<u32>(e, 28);
  let state = word & 255;
  let status = word & ~255;
  if (!isNew) {
    if (proto == 6) {
      const flags = get(F_L4_FLAGS, i);
      const next = tcpNext(state, status, reply, flags);
      if (next == CT_FIN_WAIT && state != CT_FIN_WAIT && reply) status |= CT_S_FIN_REPLY;
      state = next;
    } else if (reply) {
      state = CT_REPLIED;
    }
    store<u32>(e, state | status, 28);
  }
  store<f64>(e, now + timeoutMs(proto, state), 32);
  // The packet leaves as the inverse of the other direction's tuple.
  const src = get(F_SRC_IP, i), dst = get(F_DST_IP, i);
  const ports = (get(F_SRC_PORT, i) << 16) | (get(F_DST_PORT, i) & 0xffff);
  const t = e + (reply ? 4 : 16);
  const nsrc = load<u32>(t, 4), ndst = load<u32>(t);
  const op = load<u32>(t, 8);
  const nports = (op << 16) | (op >>> 16);
  let fl = get(F_FLAGS, i) & ~FLAG_CT_MASK;
  if (reply) fl |= FLAG_CT_REPLY;
  if (isNew) fl |= FLAG_CT_NEW;
  if (nsrc != src || (nports >>> 16) != (ports >>> 16)) fl |= FLAG_NAT_SRC;
  if (ndst != dst || (nports & 0xffff) != (ports & 0xffff)) fl |= FLAG_NAT_DST;
  set(F_SRC_IP, i, nsrc);
  set(F_DST_IP, i, ndst);
  set(F_SRC_PORT, i, nports >>> 16);
  set(F_DST_PORT, i, nports & 0xffff);
  set(F_FLAGS, i, fl);
  set(F_RESULT, i, id);
  set(F_RESULT2, i, state);
}
