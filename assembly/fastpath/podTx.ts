// The pod-transmit kernel: a pod's transmit (source and next-hop MACs, as its network
// namespace would send the frame) and its bridge's learning, in one call per vector,
// as the pipeline's pod-transmit stage and the bridge stage's fdbLearn do them.
import { F_TABLE, F_DROP, F_LOC, F_PHASE, F_VERDICT, F_REPORT, F_SRC_IP, F_DST_IP, F_SRC_MAC_HI, F_SRC_MAC_LO, F_DST_MAC_HI,
  F_DST_MAC_LO, F_IN_PORT, F_RESULT, LEARN_NEW, LEARN_MOVED, LEARN_IGNORED, R_LEARN_MOVED, VEC_MAX, CT_MAX_ZONES } from '../shared/vector';
import { R_TX_FRAMES, R_TX_BRIDGED, R_TX_DROPS } from '../shared/fastpath';
import { PHASE_FROM_POD, VERDICT_DROPPED } from '../shared/pipeline';
import { NODE_DOWN, ARP_FAILED } from '../shared/drop';
import { fdbLearnOne } from '../fdb';
import { VEC, get, set } from '../vector';
import { ZONE_SHIFT, locals, ensureLocals, podNode } from './tables';

/**
 * A pod's transmit and its bridge's learning, for packets 0..n-1, as the pipeline's
 * pod-transmit stage and the bridge stage's fdbLearn do them without a trace. Every
 * packet gets F_TABLE 0 first. A live packet in PHASE_FROM_POD at zone F_LOC: not
 * ready -> dropped NODE_DOWN; else source MAC = (pods' MAC high word, F_SRC_IP) and
 * the next hop's MAC as the pod's neighbour table has it: without a bridge (Calico),
 * the gateway MAC; with one, a destination in the pod CIDR other than the bridge's IP
 * is on-link (MAC = pods' high word + the address; no pod of this zone holds it ->
 * dropped ARP_FAILED), any other goes to the gateway (the bridge's MAC). A frame on a
 * bridge gets F_TABLE = the bridge and its source learned on F_IN_PORT (F_RESULT =
 * LEARN_*, as fdbLearn); every other packet gets a group source MAC (0xffff,
 * 0xffffffff: never learned) and F_RESULT LEARN_IGNORED. A drop sets F_DROP and
 * F_VERDICT VERDICT_DROPPED. F_REPORT gets R_LEARN_MOVED, R_TX_FRAMES, R_TX_BRIDGED,
 * R_TX_DROPS. Returns how many MACs were new.
 */
export function fastPathPodTx(n: i32, now: f64): i32 {
  ensureLocals();
  let added = 0, moved = 0, frames = 0, bridged = 0, drops = 0;
  for (let i = 0; i < n; i++) {
    set(F_TABLE, i, 0);
    let learned = LEARN_IGNORED, frame = false;
    if (get(F_DROP, i) == 0 && get(F_PHASE, i) == PHASE_FROM_POD) {
      const node = get(F_LOC, i);
      const z = locals + (<usize>(node < <u32>CT_MAX_ZONES ? node : 0) << ZONE_SHIFT);
      let drop: u32 = 0;
      if (node >= <u32>CT_MAX_ZONES || load<u32>(z, 16) == 0) drop = NODE_DOWN;
      else {
        const src = get(F_SRC_IP, i), dst = get(F_DST_IP, i), hi = load<u32>(z, 12), bridge = load<u32>(z, 8);
        const onLink = bridge != 0 && (dst & load<u32>(z, 24)) == load<u32>(z, 20) && dst != load<u32>(z, 4);
        set(F_DST_MAC_HI, i, onLink ? hi : load<u32>(z, 28));
        set(F_DST_MAC_LO, i, onLink ? dst : load<u32>(z, 32));
        if (onLink && podNode(dst) != <i32>node) drop = ARP_FAILED;
        else if (bridge != 0) {
          set(F_TABLE, i, bridge);
          set(F_SRC_MAC_HI, i, hi);
          set(F_SRC_MAC_LO, i, src);
          learned = fdbLearnOne(bridge, hi, src, get(F_IN_PORT, i), now);
          frame = true;
          frames++;
          bridged += i32(onLink);
        }
      }
      if (drop != 0) { set(F_DROP, i, drop); set(F_VERDICT, i, VERDICT_DROPPED); drops++; }
    }
    if (!frame) { set(F_SRC_MAC_HI, i, 0xffff); set(F_SRC_MAC_LO, i, 0xffffffff); }
    set(F_RESULT, i, learned);
    added += i32(learned == LEARN_NEW);
    moved += i32(learned == LEARN_MOVED);
  }
  const r = VEC + <usize>F_REPORT * VEC_MAX * 4;
  store<u32>(r + (R_LEARN_MOVED << 2), moved);
  store<u32>(r + (R_TX_FRAMES << 2), frames);
  store<u32>(r + (R_TX_BRIDGED << 2), bridged);
  store<u32>(r + (R_TX_DROPS << 2), drops);
  return added;
}
