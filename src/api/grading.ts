/**
 * rnn-course-kit/grading: the autograder's checks of a task, run in the notebook on the code just
 * written (as otter-grader's `grader.check`): `check` prints them, `checkResult` returns them.
 * Further courses register their tasks with `registerCourse`.
 */
export { check, checkResult, formatCheck, registerCourse } from '../grading/notebook-check.js';
export type { Course, TaskDef, UngradedTask, CheckSpec, TaskEnv, ReferenceEnv, Probe, Observation, Verdict, TaskResult, CheckResult, TaskStatus } from '../grading/types.js';
