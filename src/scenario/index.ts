export { parseScenario, type Scenario, type ScenarioStep } from './parseScenario.js';
export { runScenario, type RunSummary, type RunOptions } from './runScenario.js';
export { tryParseDuration, formatDuration } from './duration.js';
export { generateScenario, ENVELOPE, type GenOptions } from './gen.js';
