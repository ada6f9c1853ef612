export type { Backend, Datapath, FdbEntry } from './Datapath.js';
export type { LpmLayout, LpmRoute } from './LpmRouteStore.js';
export { prefixMask } from './LpmRouteStore.js';
export type { ConntrackEntry } from './ConntrackEntry.js';
export { createDatapath, BACKENDS } from './createDatapath.js';
export { PacketVector, VEC_MAX } from './PacketVector.js';
export { DROP_REASONS, dropCode, dropName, type DropReason } from './DropReason.js';
export * from '../../assembly/shared/vector.js';
export * from '../../assembly/shared/fastpath.js';
