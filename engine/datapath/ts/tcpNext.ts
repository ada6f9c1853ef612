// What a packet does to its connection's state, TypeScript backend: the TCP state
// machine, the first state and the timeouts, as assembly/conntrack/track.ts.
import { CT_TO_SYN_SENT, CT_TO_SYN_RECV, CT_TO_ESTABLISHED, CT_TO_FIN_WAIT, CT_TO_CLOSE_WAIT, CT_TO_LAST_ACK, CT_TO_TIME_WAIT, CT_TO_CLOSE, CT_TO_UDP, CT_TO_UDP_STREAM, CT_TO_ICMP, CT_TO_GENERIC } from '../../../assembly/shared/conntrackTimeouts.js';
import {
  CT_SYN_SENT, CT_SYN_RECV, CT_ESTABLISHED, CT_FIN_WAIT, CT_CLOSE_WAIT, CT_LAST_ACK, CT_TIME_WAIT, CT_CLOSE, CT_UNREPLIED, CT_REPLIED,
} from '../../../assembly/shared/vector.js';

/** Entry status bit: the first FIN came from the reply direction. */
export const CT_S_FIN_REPLY = 0x400;
const TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10;

/** Linux conntrack timeouts in ms (kube-proxy's where it sets them) for a connection of `proto` in `state`. */
export function timeoutMs(proto: number, state: number): number {
  if (proto === 6) {
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
  if (proto === 17) return state === CT_REPLIED ? CT_TO_UDP_STREAM : CT_TO_UDP;
  if (proto === 1) return CT_TO_ICMP;
  return CT_TO_GENERIC;
}

/** Linux's TCP state machine, reduced to the transitions a simulated flow makes. */
export function tcpNext(state: number, status: number, reply: boolean, flags: number): number {
  if ((flags & TCP_RST) !== 0) return CT_CLOSE;
  const finByReply = (status & CT_S_FIN_REPLY) !== 0;
  if ((flags & TCP_SYN) !== 0) {
    if (!reply && (flags & TCP_ACK) === 0 && (state === CT_TIME_WAIT || state === CT_CLOSE)) return CT_SYN_SENT;
    if (reply && (flags & TCP_ACK) !== 0 && state === CT_SYN_SENT) return CT_SYN_RECV;
    return state;
  }
  if ((flags & TCP_FIN) !== 0) {
    if (state === CT_ESTABLISHED || state === CT_SYN_RECV) return CT_FIN_WAIT;
    if ((state === CT_FIN_WAIT || state === CT_CLOSE_WAIT) && reply !== finByReply) return CT_LAST_ACK;
    return state;
  }
  if ((flags & TCP_ACK) !== 0) {
    if (state === CT_SYN_RECV && !reply) return CT_ESTABLISHED;
    if (state === CT_FIN_WAIT && reply !== finByReply) return CT_CLOSE_WAIT;
    if (state === CT_LAST_ACK) return CT_TIME_WAIT;
  }
  return state;
}

/** The state a new connection starts in (assembly/conntrack/track.ts firstState): a TCP SYN without ACK opens SYN_SENT, any other TCP packet is taken as mid-stream. */
export function firstState(proto: number, l4Flags: number): number {
  if (proto !== 6) return CT_UNREPLIED;
  return (l4Flags & (TCP_SYN | TCP_ACK)) === TCP_SYN ? CT_SYN_SENT : CT_ESTABLISHED;
}
