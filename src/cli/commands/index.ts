// Every verb of the podnet command, in the order --help lists them. To add a verb,
// write commands/<verb>.ts exporting a RegisterVerb and add one line here.
import type { RegisterVerb } from '../context.js';
import { registerBench } from './bench.js';
import { registerDemo } from './demo.js';
import { registerDescribe } from './describe.js';
import { registerDiff } from './diff.js';
import { registerGet } from './get.js';
import { registerHistory } from './history.js';
import { registerLab } from './lab.js';
import { registerLog } from './log.js';
import { registerReplay } from './replay.js';
import { registerApply } from './apply.js';
import { registerDelete } from './delete.js';
import { registerScale } from './scale.js';
import { registerLabel } from './label.js';
import { registerNode } from './node.js';
import { registerGen } from './gen.js';
import { registerTrace } from './trace.js';
import { registerFlows } from './flows.js';
import { registerRoutes } from './routes.js';
import { registerFdb } from './fdb.js';
import { registerConntrack } from './conntrack.js';
import { registerIptables } from './iptables.js';
import { registerVerify } from './verify.js';

export const VERBS: RegisterVerb[] = [
  registerDemo,
  registerReplay,
  registerApply, registerDelete, registerScale, registerLabel, registerNode, registerGen,
  registerGet,
  registerDescribe,
  registerHistory,
  registerDiff,
  registerLog,
  registerVerify,
  registerTrace,
  registerFlows,
  registerRoutes,
  registerFdb,
  registerConntrack,
  registerIptables,
  registerBench,
  registerLab,
];
