/**
 * The kernel process's preload: patches to tslab that must be in place before it serves requests.
 * Loaded by the kit's kernel launcher (launch.ts, the registered kernelspec's program) and usable as
 * `node --import <kit>/dist/kernel/preload.js`. One module per patch; each applies once per process.
 */
import { patchExecute, setCellHook, setDiagnosticHint } from './execute.js';
import { installInstructorToggle } from './instructor-toggle.js';
import { queueBusyIopubSends } from '../lib/iopub-queue.js';
import { patchKernelInfo } from './kernel-info.js';
import { outsideKitHint } from './outside-kit.js';
import { holdRequestsUntilBound } from './start-race.js';
import { explainCell } from './task-context.js';
import { tslabModule, tslabZeromq } from './tslab.js';

type Proto = { prototype: object };
const jupyter = tslabModule<{ ZmqServer: Proto; JupyterHandlerImpl: Proto }>('jupyter');
const executor = tslabModule<{ createExecutor: Parameters<typeof patchExecute>[1]['createExecutor'] }>('executor');

holdRequestsUntilBound(jupyter.ZmqServer as unknown as Parameters<typeof holdRequestsUntilBound>[0]);
queueBusyIopubSends(tslabZeromq());
patchKernelInfo(jupyter);
patchExecute(jupyter, executor);
setDiagnosticHint(outsideKitHint());
// A failed cell's error names its task and step ("Task 2.1 (VanillaRNN constructor): ...")
setCellHook(explainCell);
// With RNNKIT_SOLUTIONS=1, task cells run filled from the solutions (the instructor toggle)
installInstructorToggle(jupyter);
