export { planLab, LAB_MAX_NODES, LAB_MAX_PODS, type LabPlan, type LabCommand, type LabPod } from './labPlan.js';
export { labUp, labDown, labNamespaces, type LabUpOptions } from './labUpDown.js';
export { labCheck, planProbes, runProbe, type Probe, type ProbeResult, type ProbeKind } from './labCheck.js';
export { loadLabState, type LabState } from './labState.js';
export { checkLabHost } from './LabHost.js';
export { LAB_PREFIX } from './labNames.js';
