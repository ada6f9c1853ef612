// Overlay owners, TypeScript backend: assembly/lpm/owners.ts over typed arrays (see
// that file for what they are and why a per-node lookup reads them).
import { LPM_OWNER_MANY, LPM_OWNER_SLOT } from '../../../assembly/shared/lpm.js';

/** Words of a chunk, and the offsets of the two shared chunks in `owners`. */
const CHUNK_WORDS = 256;
const NONE_CHUNK = 0;
const MANY_CHUNK = CHUNK_WORDS;

/** The owner indexes of every base table; TsLpm's lookups read `index` and `owners` directly. */
export class TsLpmOwners {
  /** Per base table id: 2^16 chunk offsets into `owners`, or none. */
  readonly index: (Uint32Array | undefined)[] = [];
  /** Owner chunks of 256 words: the shared all-0 and all-MANY chunks first, then private ones (replaced when it grows). */
  owners = new Uint32Array(CHUNK_WORDS * 64).fill(LPM_OWNER_MANY, MANY_CHUNK, MANY_CHUNK + CHUNK_WORDS);
  private top = 2 * CHUNK_WORDS;
  private readonly freeChunks: number[] = [];
  private chunkCount = 0;
  private indexCount = 0;

  /** assembly/lpm/owners.ts lpmOwnerSet: a /24 slot's owner, or a whole /16 shared (0 or MANY). */
  set(base: number, slot: number, bits: number, owner: number): void {
    let index = this.index[base];
    if (!index) { index = new Uint32Array(65536).fill(NONE_CHUNK); this.index[base] = index; this.indexCount++; }
    const hi = bits === LPM_OWNER_SLOT ? slot >>> 8 : slot;
    let chunk = index[hi]!;
    if (bits !== LPM_OWNER_SLOT) {
      if (chunk !== NONE_CHUNK && chunk !== MANY_CHUNK) { this.freeChunks.push(chunk); this.chunkCount--; }
      index[hi] = owner === LPM_OWNER_MANY ? MANY_CHUNK : NONE_CHUNK;
      return;
    }
    if (chunk === NONE_CHUNK || chunk === MANY_CHUNK) { // shared: copy it into a chunk of its own
      const from = chunk;
      chunk = this.freeChunks.pop() ?? this.reserveChunk();
      this.owners.copyWithin(chunk, from, from + CHUNK_WORDS);
      index[hi] = chunk;
      this.chunkCount++;
    }
    this.owners[chunk + (slot & 255)] = owner >>> 0;
  }

  private reserveChunk(): number {
    const at = this.top;
    if (at + CHUNK_WORDS > this.owners.length) {
      const next = new Uint32Array(this.owners.length * 2);
      next.set(this.owners);
      this.owners = next;
    }
    this.top = at + CHUNK_WORDS;
    return at;
  }

  /** assembly/lpm/owners.ts lpmOwnerDrop. */
  drop(base: number): void {
    const index = this.index[base];
    if (!index) return;
    for (const chunk of index) if (chunk !== NONE_CHUNK && chunk !== MANY_CHUNK) { this.freeChunks.push(chunk); this.chunkCount--; }
    this.index[base] = undefined;
    this.indexCount--;
  }

  bytes(): number {
    return this.indexCount * 65536 * 4 + this.chunkCount * CHUNK_WORDS * 4;
  }
}
