// DIR-24-8 root shadows, TypeScript backend: assembly/lpm/shadow.ts over typed arrays
// (see that file for why a lookup of a large table reads a shadow, not the root).
import { LPM_SHADOW_VALUE_SHIFT, LPM_SHADOW_VALUE_LIMIT, LPM_SHADOW_ROOT, LPM_SHADOW_BYTES } from '../../../assembly/shared/lpm.js';

/** A table's shadow: a word per root slot, and its dirty /16 chunks (a flag each and a list). */
interface Shadow { words: Uint32Array; dirty: Uint8Array; list: Uint16Array; n: number }

/** The shadow word of a root leaf (lo, hi words), as assembly/lpm/shadow.ts shadowWord. */
function shadowWord(lo: number, hi: number): number {
  if (lo === 0) return 0;
  return (lo & 1) !== 0 && hi < LPM_SHADOW_VALUE_LIMIT ? ((hi << LPM_SHADOW_VALUE_SHIFT) | lo) >>> 0 : LPM_SHADOW_ROOT;
}

/** The shadows of every DIR-24-8 table, by table id. */
export class TsLpmShadows {
  private readonly byTable = new Map<number, Shadow>();
  /** Ids of tables whose shadow has dirty chunks. */
  private readonly dirtyTables = new Set<number>();

  /** An all-empty shadow for a new DIR-24-8 table (its root is all empty too). */
  create(t: number): void {
    this.byTable.set(t, { words: new Uint32Array(1 << 24), dirty: new Uint8Array(65536), list: new Uint16Array(65536), n: 0 });
  }

  delete(t: number): void {
    this.byTable.delete(t);
    this.dirtyTables.delete(t);
  }

  /** Table t's shadow words; flush first. */
  words(t: number): Uint32Array {
    return this.byTable.get(t)!.words;
  }

  /** After an update of prefix/len in table t: mark the chunks it spans dirty, when t has a shadow. */
  touch(t: number, prefix: number, len: number): void {
    const sh = this.byTable.get(t);
    if (!sh) return;
    for (let k = prefix >>> 16, end = k + (len >= 16 ? 1 : 1 << (16 - len)); k < end; k++) {
      if (sh.dirty[k] !== 0) continue;
      sh.dirty[k] = 1;
      sh.list[sh.n++] = k;
    }
    if (sh.n !== 0) this.dirtyTables.add(t);
  }

  /** Whether some shadow has chunks to copy before it is read. */
  get dirty(): boolean {
    return this.dirtyTables.size !== 0;
  }

  /** Copy every dirty chunk of every shadow from its table's root (word offset rootOf(t) in pool). */
  flush(pool: Uint32Array, rootOf: (t: number) => number): void {
    for (const t of this.dirtyTables) {
      const sh = this.byTable.get(t)!, root = rootOf(t);
      for (let j = 0; j < sh.n; j++) {
        const k = sh.list[j]!;
        for (let s = k << 8, end = s + 256; s < end; s++) sh.words[s] = shadowWord(pool[root + s * 2]!, pool[root + s * 2 + 1]!);
        sh.dirty[k] = 0;
      }
      sh.n = 0;
    }
    this.dirtyTables.clear();
  }

  bytes(): number {
    return this.byTable.size * LPM_SHADOW_BYTES;
  }
}
