// Drop reason codes: stable numbers shared by every layer (Cilium's habit). Never
// renumber one; add new codes at the end. Valid as AssemblyScript and TypeScript.
// The TypeScript side derives the names from these export names (see
// engine/datapath/DropReason.ts), so each name is written exactly once.

export const NO_ROUTE = 1;
export const NO_ENDPOINTS = 2;
export const NODE_DOWN = 3;
export const CT_TABLE_FULL = 4;
export const TTL_EXCEEDED = 5;
export const PORT_CONFLICT = 6;
export const NO_LISTENER = 7;
export const ARP_FAILED = 8;
export const POD_NOT_RUNNING = 9;
export const NO_INGRESS_RULE = 10;
export const NXDOMAIN = 11;
export const POLICY_DENIED = 12;
export const MTU_EXCEEDED = 13;
export const INVALID_PACKET = 14;
