// Conntrack timeouts in ms, shared by the WASM and TS conntrack (valid as both
// languages). Linux's nf_conntrack defaults, except where kube-proxy sets its own
// (--conntrack-tcp-timeout-established 24 h, --conntrack-tcp-timeout-close-wait 1 h).

/** net.netfilter.nf_conntrack_tcp_timeout_syn_sent */
export const CT_TO_SYN_SENT = 120000;
/** nf_conntrack_tcp_timeout_syn_recv */
export const CT_TO_SYN_RECV = 60000;
/** kube-proxy --conntrack-tcp-timeout-established */
export const CT_TO_ESTABLISHED = 86400000;
/** nf_conntrack_tcp_timeout_fin_wait */
export const CT_TO_FIN_WAIT = 120000;
/** kube-proxy --conntrack-tcp-timeout-close-wait */
export const CT_TO_CLOSE_WAIT = 3600000;
/** nf_conntrack_tcp_timeout_last_ack */
export const CT_TO_LAST_ACK = 30000;
/** nf_conntrack_tcp_timeout_time_wait */
export const CT_TO_TIME_WAIT = 120000;
/** nf_conntrack_tcp_timeout_close */
export const CT_TO_CLOSE = 10000;
/** nf_conntrack_udp_timeout (one direction seen) */
export const CT_TO_UDP = 30000;
/** nf_conntrack_udp_timeout_stream (a reply seen) */
export const CT_TO_UDP_STREAM = 120000;
/** nf_conntrack_icmp_timeout */
export const CT_TO_ICMP = 30000;
/** nf_conntrack_generic_timeout */
export const CT_TO_GENERIC = 600000;
