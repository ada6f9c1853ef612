// podnet's WebAssembly module: the datapath kernels, nothing else. Every export works
// on the packet vector at vectorBase() or on tables in linear memory; only integers
// and floats cross the boundary.
//
// Linear memory starts at 512 MiB (asconfig.json initialMemory, 8192 pages): address
// space, not resident memory, since untouched pages cost nothing. Growing it detaches
// the old ArrayBuffer, and once any ArrayBuffer in a process is detached V8 checks every
// typed-array access in JS for it from then on: the pipeline's stage loops paid 1.35x
// for that (pipeline-established, WASM, 365 -> 255 ns a packet). A 5,000-node cluster's
// tables take 16 MiB; only an internet-sized LPM table or millions of connections grow it.
import { VEC } from './vector';

/** Address of the packet vector (see shared/vector.ts for its layout). */
export function vectorBase(): usize { return VEC; }

export { fdbLearn, fdbLookup, fdbAge, fdbFlush, fdbSize, fdbCapacity, fdbTable } from './fdb';
export { lpmTableInit, lpmTableFree, lpmInsert, lpmRemove, lpmLookup, lpmBytes, lpmFloor, lpmOwnerSet, lpmOwnerDrop } from './lpm';
export { ctLookup, ctInsert, ctExpire, ctFlush, ctCount, ctSetMax, ctDrops, ctEntries, ctIdLimit, ctBytes } from './conntrack';
export { fastPath, fastPathPodTx, fastPathSetRoute, fastPathSetNode, fastPathSetPod, fastPathSetPodNet, fastPathClear, fastPathRoutesChanged } from './fastpath';
