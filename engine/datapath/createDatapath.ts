import type { Backend, Datapath } from './Datapath.js';
import { TsDatapath } from './ts/TsDatapath.js';
import { WasmDatapath } from './wasm/WasmDatapath.js';

/** The list of backends, for argument validation and benchmarks. */
export const BACKENDS: readonly Backend[] = ['wasm', 'ts'];

/** The one place that chooses a datapath implementation. */
export function createDatapath(backend: Backend = 'wasm'): Datapath {
  return backend === 'wasm' ? new WasmDatapath() : new TsDatapath();
}
