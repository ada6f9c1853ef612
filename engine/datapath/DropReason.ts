import * as codes from '../../assembly/shared/drop.js';

/** Name of a drop reason, as traces and counters print it. */
export type DropReason = keyof typeof codes;

const names = new Map<number, DropReason>(
  (Object.entries(codes) as [DropReason, number][]).map(([name, code]) => [code, name]),
);

/** Every drop reason's name, in code order. */
export const DROP_REASONS: readonly DropReason[] = [...names.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);

/** The stable numeric code of a drop reason. */
export function dropCode(reason: DropReason): number {
  return codes[reason];
}

/** The name of a drop code; throws on a code no version of podnet ever defined. */
export function dropName(code: number): DropReason {
  const n = names.get(code);
  if (!n) throw new Error(`podnet: unknown drop code ${code}`);
  return n;
}
