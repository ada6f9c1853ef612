export type { Trace, TraceHop, TraceStep, Disposition, TraceLegResult } from './Trace.js';
export { TraceRecorder } from './Trace.js';
export { tracePacket, runLeg, sourceOf, PROTO_NUMBER, TRACE_SPORT, type TraceRequest, type Proto } from './tracePacket.js';
export { resolveTarget, type Target } from './resolveTarget.js';
export { ForwardingContext, type PipelineCounters } from './ForwardingContext.js';
export { runPipeline, newStageCounters, MAX_PASSES, type StageCounters } from './Pipeline.js';
export { PacketMeta, Phase, Verdict, CLOUD } from './PacketMeta.js';
export { placePacket, outcomeOf, replySource, TCP, type PacketSource, type Outcome } from './placePacket.js';
export { formatPacket, protoName } from './formatPacket.js';
