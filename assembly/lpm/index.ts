// IPv4 longest prefix match (see layout.ts for the design).
export { lpmTableInit, lpmTableFree, lpmInsert, lpmRemove, lpmBytes } from './update';
export { lpmLookup, lpmFloor } from './lookup';
export { lpmOwnerSet, lpmOwnerDrop } from './owners';
