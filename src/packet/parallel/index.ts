export { forwardFlows, type FlowsResult, type ForwardFlowsOptions, type Dispositions, type NumberedFlow } from './forwardFlows.js';
export { flowsOf, specKey } from './flowPartition.js';
export { TrafficRunner, type TrafficPart, type TrafficStepStat, type BrokenFlow, type FlowOutcome, type FailureStat, type TrafficRunnerOptions } from './TrafficRunner.js';
export { runTrafficOfLog } from './trafficOfLog.js';
export { mergeTrafficParts } from './mergeTrafficParts.js';
export { runTrafficWorkers, type WorkersRun } from './runTrafficWorkers.js';
