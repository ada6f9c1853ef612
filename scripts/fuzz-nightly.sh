#!/usr/bin/env bash
# The nightly-style differential fuzzing of the WASM and TS kernels: the same property
# tests CI runs, with PODNET_FUZZ_SCALE times more generated cases (default 50x, about
# ten minutes on 2 cores). Exit status is vitest's.
set -euo pipefail
cd "$(dirname "$0")/.."
export PODNET_FUZZ_SCALE="${PODNET_FUZZ_SCALE:-50}"
node scripts/ensure-built.js
exec npx vitest run test/engine/datapath/kernelsDifferential.test.ts test/engine/datapath/lpmDifferential.test.ts
