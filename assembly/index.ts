// podnet's WebAssembly module: the datapath kernels, nothing else. Every export works
// on the packet vector at vectorBase() or on tables in linear memory; only integers
// and floats cross the boundary.
import { VEC } from './vector';

/** Address of the packet vector (see shared/vector.ts for its layout). */
export function vectorBase(): usize { return VEC; }

export { fdbLearn, fdbLookup, fdbAge, fdbFlush, fdbSize, fdbCapacity, fdbTable } from './fdb';
export { lpmTableInit, lpmTableFree, lpmInsert, lpmRemove, lpmLookup, lpmBytes, lpmFloor } from './lpm';
export { ctLookup, ctInsert, ctExpire, ctFlush, ctCount, ctSetMax, ctDrops, ctEntries, ctIdLimit, ctBytes } from './conntrack';
export { fastPath, fastPathSetRoute, fastPathSetNode, fastPathClear, fastPathRoutesChanged } from './fastpath';
