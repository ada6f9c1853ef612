// LPM table layouts, shared by assembly/lpm/, engine/datapath/ts/TsLpm.ts and the
// control plane (engine/datapath/LpmRouteStore.ts), which picks the layout of every
// table from its route count. Plain integer constants only: valid AssemblyScript and
// TypeScript alike.

/** Root bits of an inline table: no trie, up to LPM_INLINE_MAX routes in the table descriptor. */
export const LPM_ROOT_INLINE = 0;
/** Root bits of a narrow trie (strides 8-8-8-8, 2 KiB root): a spilled small table. */
export const LPM_ROOT_NARROW = 8;
/** Root bits of a wide trie (strides 16-8-8, 512 KiB root): a shared base or a mid-sized table. */
export const LPM_ROOT_WIDE = 16;
/** Root bits of DIR-24-8 (strides 24-8, 128 MiB root): one load for prefixes up to /24. */
export const LPM_ROOT_DIR24 = 24;

/** Routes an inline table holds; the next one spills it into a narrow trie. */
export const LPM_INLINE_MAX = 8;
/** A spilled narrow table goes back inline when deletes leave this many routes (hysteresis). */
export const LPM_INLINE_RETURN = 4;
/**
 * A wide table turns into DIR-24-8 beyond this many routes: by then its second-level
 * plies no longer fit in cache and a 128 MiB root saves a dependent miss per lookup.
 */
export const LPM_DIR24_ROUTES = 65536;
/** A DIR-24-8 table goes back to 16-8-8 when deletes leave this many routes. */
export const LPM_DIR24_RETURN = 32768;

/** Bytes of one table descriptor: a header and the inline route list, two cache lines. */
export const LPM_DESC_BYTES = 128;


/**
 * A DIR-24-8 table also keeps a 32-bit shadow of its root for lookups of whole vectors
 * (assembly/lpm/shadow.ts): a word per root slot, 0 when empty, a terminal
 * (value << LPM_SHADOW_VALUE_SHIFT | length << 1 | 1) when its value is below
 * LPM_SHADOW_VALUE_LIMIT, otherwise LPM_SHADOW_ROOT: read the root (a ply, a big value).
 */
export const LPM_SHADOW_VALUE_SHIFT = 7;
export const LPM_SHADOW_VALUE_LIMIT = 33554432; // 2^25
export const LPM_SHADOW_ROOT = 2;
/** Bytes of one shadow: 2^24 words, a dirty flag (u8) and a dirty-list entry (u16) per /16 chunk of 256 slots. */
export const LPM_SHADOW_BYTES = 67108864 + 65536 + 131072;

/**
 * Overlay owners (assembly/lpm/owners.ts): for each /24 of a base table's
 * address space, which of its derived tables hold a route there: 0 none, a table id
 * when only that one does, LPM_OWNER_MANY when several do (or a route shorter than /16
 * covers it). A lookup in a derived table reads its overlay only when the owner is that
 * table or MANY. Owners are kept by the control plane (LpmOwners.ts), pushed to the kernels.
 */
export const LPM_OWNER_MANY = 0xffffffff;
/** lpmOwnerSet granularity: one /24 slot (any owner), or a whole /16 (owner 0 or LPM_OWNER_MANY). */
export const LPM_OWNER_SLOT = 24;
export const LPM_OWNER_CHUNK = 16;
