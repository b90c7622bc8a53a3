/**
 * The shapes shared by the grader, the sandboxed child and the in-notebook `check()`: task
 * definitions (how to exercise a student's code, where the reference comes from, how to judge),
 * and results (per check, per task, per submission). Everything that crosses a process boundary
 * is plain data (see `plain.ts`).
 */
import type * as tfTypes from '@tensorflow/tfjs';

/** A sub-check of a task: its own points (partial credit). */
export interface CheckSpec {
  id: string;
  /** What it checks, as the student reads it in the table ("output shape", "gradients"). */
  title: string;
  points: number;
}

/** What a task's code runs with: the same tfjs and course library instances as the code under test. */
export interface TaskEnv {
  tf: typeof tfTypes;
  /** The course library (`rnn-course-kit`) as the code under test sees it. */
  loadLib(): Promise<Record<string, unknown>>;
}

/** One measurement taken from the code under test: a value, or why it could not be taken. */
export type Probe = { ok: true; value: unknown } | { ok: false; error: string };
export type Observation = Record<string, Probe>;

/** The grader's process (or the notebook's check) computes references with these. */
export interface ReferenceEnv extends TaskEnv {
  /** The course's reference solutions (grader's process only; undefined when unavailable). */
  loadSolution(): Promise<Record<string, unknown> | undefined>;
  /** True in the grader: a reference that cannot be computed is an error, not a skipped check. */
  strict: boolean;
}

/** The judgement of one check. `reason` must never contain reference values. */
export interface Verdict {
  check: string;
  passed: boolean;
  reason: string;
  /** Not checked here (no reference available, e.g. in a notebook without the solutions). */
  skipped?: boolean;
}

export interface TaskDef<R = unknown> {
  /** `<lab>.<task>`, e.g. `lab8.vanilla`; also the cell metadata `{"rnnkit": {"task": id}}`. */
  id: string;
  /** The class or function the student writes (found by name when the metadata was lost). */
  name: string;
  title: string;
  checks: CheckSpec[];
  /** Wall-clock limit for running this task's code (seconds; the CLI can override). */
  timeoutSeconds?: number;
  /** Runs the implementation (student's or solution's) and returns plain data. Never throws. */
  exercise(impl: unknown, env: TaskEnv): Promise<Observation>;
  /** The reference the observation is compared with (grader's process or notebook). */
  reference(env: ReferenceEnv): Promise<R>;
  /** One verdict per check id (a missing verdict counts as failed). */
  judge(observed: Observation, reference: R): Verdict[];
}

/** A lab: its tasks, its one source notebook and the solutions the instructor build fills in. */
export interface Course {
  id: string;
  title: string;
  /** Absolute path of the source notebook (the one the builds start from). */
  notebook: string;
  /** Absolute path of the solution source (regions between BEGIN/END SOLUTION or START/END markers). */
  solutionFile: string;
  /** Absolute path (or URL) of a module exporting the solutions for references (grader only). */
  solutionModule: string;
  /** Absolute path of the module that exports this course as `course` (the child imports it). */
  module: string;
  tasks: TaskDef[];
  /**
   * Task cells that the builds (and the kernel's instructor toggle, RNNKIT_SOLUTIONS=1) fill from the
   * solutions but that the grader does not score: open-ended exercises.
   */
  ungraded?: UngradedTask[];
}

/** An open-ended task: a task cell with START/END regions and a reference solution, no checks. */
export interface UngradedTask {
  /** `<lab>.<task>`, also the task cell's `metadata.task`. */
  id: string;
  /** The class or function of the task cell (its regions come from this declaration in the solution file). */
  name: string;
  title: string;
}

export interface CheckResult {
  id: string;
  title: string;
  points: number;
  max: number;
  passed: boolean;
  reason: string;
  skipped?: boolean;
}

export type TaskStatus = 'passed' | 'partial' | 'failed' | 'error';

export interface TaskResult {
  task: string;
  title: string;
  points: number;
  max: number;
  status: TaskStatus;
  /** One line a student understands: the first failure, or "all checks passed". */
  reason: string;
  checks: CheckResult[];
  /** Where the task was found ("cell 7" / "cell 7 (by name)"). */
  location?: string;
  durationMs: number;
}

export interface SubmissionResult {
  student: string;
  file: string;
  points: number;
  max: number;
  tasks: TaskResult[];
}
