/**
 * fast-check run counts for differential tests: the CI size by default, scaled up by
 * PODNET_FUZZ_SCALE for the nightly-style run (scripts/fuzz-nightly.sh).
 */
export function fuzzRuns(ciRuns: number): number {
  const scale = Number(process.env.PODNET_FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(ciRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
