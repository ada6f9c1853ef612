export type { Trace, TraceHop, TraceStep, Disposition } from './Trace.js';
export { TraceRecorder } from './Trace.js';
export { tracePacket, type TraceRequest, type Proto } from './tracePacket.js';
export { resolveTarget, type Target } from './resolveTarget.js';
