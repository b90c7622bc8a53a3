/** Worker thread entry of `Preparer`: prepares one submission per message (see prepare.ts). */
import { parentPort } from 'node:worker_threads';
import { prepareSubmission, type PrepareJob, type Prepared } from './prepare.js';

parentPort!.on('message', (job: PrepareJob) => {
  let r: Prepared;
  try {
    r = prepareSubmission(job);
  } catch (e) {
    r = { error: `grader error: ${(e as Error).message}`, errorStatus: 'error', tasks: [] };
  }
  parentPort!.postMessage(r);
});
