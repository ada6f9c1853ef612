// Connection tracking and NAT per zone (one zone per node), after Linux nf_conntrack
// and nf_nat.
//
// Design trade-off: one flat entry per connection (Cilium's ct_entry habit) plus one
// open-addressing hash over tuples, where every connection has two slots: its
// original tuple and its reply tuple (the reply after NAT). A reply packet therefore
// finds its connection in one lookup and is un-NATed from the entry, as in Linux. One
// hash for every zone keeps memory proportional to connections, not to nodes.
//
// The parts, one file each: slots.ts the tuple hash (probing, tombstones, rehash),
// entries.ts the connection records (ids, zone counts, expiry on sight), track.ts what
// a packet does to its connection (TCP states, timeouts, the NAT rewrite), lookup.ts
// and insert.ts the two batch kernels (insert.ts also chooses NAT ports), sweep.ts
// expiry and flush.
export { ctLookup } from './lookup';
export { ctInsert, ctSetMax, ctDrops } from './insert';
export { ctExpire, ctFlush } from './sweep';
export { ctCount, ctEntries, ctIdLimit, ctBytes } from './entries';
