/**
 * Exact judging against a hostile child (issue 12 §1):
 * - property tests: the observation of a correct solution, mutated as a child could forge it
 *   (empty, truncated or extra values, values of the wrong type, NaN in a shape, extra fields, a
 *   missing measurement), must lose points, in every course;
 * - patching: a do-nothing submission that first tries to replace the task's `exercise` (with one
 *   returning a correct observation), tensor read methods, intrinsics, the engine, the backend or
 *   the library's exports gains no point, in the sandbox, for Lab 8, I2DL and the RNN/LSTM sheet;
 * - a NaN a function returns is judged as NaN.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { referenceEnv } from '../../src/grading/reference-env.js';
import { judgedResult } from '../../src/grading/scoring.js';
import { runInSandbox, sandboxAvailable } from '../../src/grading/sandbox.js';
import { course as demo } from '../fixtures/grading/demo-course.js';
import type { Course, Observation, TaskDef } from '../../src/grading/types.js';
import { root } from '../helpers/paths.js';

const avail = sandboxAvailable();
const needsBwrap = avail.ok ? false : `bubblewrap is not usable here: ${avail.reason}`;

async function loadCourse(id: string): Promise<Course> {
  if (id === 'demo') return demo;
  return (await import(`../../src/grading/tasks/${id}.js`)).course as Course;
}

/** A correct observation of `task` (its reference solution, exercised here) and its reference. */
async function correct(course: Course, task: TaskDef): Promise<{ obs: Observation; ref: unknown }> {
  const env = referenceEnv(course);
  const sol = await env.loadSolution();
  assert.ok(sol?.[task.name], `no solution for ${task.id}`);
  const obs = JSON.parse(JSON.stringify(await task.exercise(sol[task.name], env))) as Observation;
  const ref = await task.reference(env);
  return { obs, ref };
}

function points(task: TaskDef, obs: unknown, ref: unknown): number {
  try {
    return judgedResult(task, task.judge(obs as Observation, ref), 0).points;
  } catch {
    return 0; // the grader turns a judge that throws into a failed task
  }
}

/** Every plain tensor in an observation, as a path of keys. */
function tensorPaths(v: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof v !== 'object' || v === null) return [];
  if ((v as { $tensor?: unknown }).$tensor === true) return [path];
  return Object.entries(v).flatMap(([k, x]) => tensorPaths(x, [...path, Array.isArray(v) ? Number(k) : k]));
}

function at(o: unknown, path: Array<string | number>): Record<string, unknown> {
  return path.reduce<unknown>((x, k) => (x as Record<string | number, unknown>)[k], o) as Record<string, unknown>;
}

const MUTATIONS: Record<string, (t: Record<string, unknown>) => void> = {
  'empty values': (t) => { t.values = []; },
  'truncated values': (t) => { (t.values as unknown[]).pop(); },
  'an extra value': (t) => { (t.values as unknown[]).push(0); },
  'a value of the wrong type': (t) => { (t.values as unknown[])[0] = String((t.values as unknown[])[0]); },
  'a null value': (t) => { (t.values as unknown[])[0] = null; },
  'values not a list': (t) => { t.values = {}; },
  'NaN in the shape': (t) => { (t.shape as unknown[])[0] = NaN; },
  'a shape that is not a list': (t) => { t.shape = 'x'; },
  'an extra field': (t) => { t.note = 'trust me'; },
  'an unknown dtype': (t) => { t.dtype = 'float64'; },
};

const CASES: Array<[string, string[]]> = [
  ['demo', ['demo.square', 'demo.affine']],
  ['lab8', ['lab8.vanilla', 'lab8.gru', 'lab8.lstm']],
  ['i2dl', ['i2dl.rnn', 'i2dl.lstm']],
];

describe('forged observations fail their checks (property tests)', () => {
  for (const [courseId, taskIds] of CASES) {
    for (const taskId of taskIds) {
      it(`${taskId}: every mutation of every measured tensor, and every missing measurement, loses points`, async () => {
        const course = await loadCourse(courseId);
        const task = course.tasks.find((t) => t.id === taskId)!;
        const { obs, ref } = await correct(course, task);
        const max = task.checks.reduce((s, c) => s + c.points, 0);
        assert.equal(points(task, obs, ref), max, `${taskId}: the correct observation should get full marks`);
        const paths = tensorPaths(obs);
        assert.ok(paths.length > 0);
        for (const path of paths) {
          for (const [what, mutate] of Object.entries(MUTATIONS)) {
            const forged = structuredClone(obs);
            mutate(at(forged, path));
            assert.ok(points(task, forged, ref) < max, `${taskId}: ${what} at ${path.join('.')} kept full marks`);
          }
        }
        for (const key of Object.keys(obs)) {
          const forged = structuredClone(obs) as Record<string, unknown>;
          delete forged[key];
          assert.ok(points(task, forged, ref) < max, `${taskId}: without '${key}' it kept full marks`);
          const wrong = structuredClone(obs) as Record<string, unknown>;
          wrong[key] = { ok: true, value: 'passed' };
          assert.ok(points(task, wrong, ref) < max, `${taskId}: '${key}' replaced by a string kept full marks`);
        }
      });
    }
  }
});

/** JavaScript of a do-nothing task that tries every patch first; `fake` is a correct observation. */
function patcher(course: Course, fake: Observation, doNothing: string): string {
  return `import * as tf from '@tensorflow/tfjs';
import * as lib from 'rnn-course-kit';
import { defaultGenerator } from 'rnn-course-kit/random';
const fake = ${JSON.stringify(fake)};
const courseMod = await import(${JSON.stringify(pathToFileURL(course.module).href)});
const attempts = {
  exercise: () => { for (const t of courseMod.course.tasks) t.exercise = async () => fake; },
  defineExercise: () => { for (const t of courseMod.course.tasks) Object.defineProperty(t, 'exercise', { value: async () => fake }); },
  tasks: () => { courseMod.course.tasks.length = 0; },
  dataSync: () => { tf.Tensor.prototype.dataSync = function () { return new Float32Array(this.size).fill(0.5); }; },
  defineDataSync: () => { Object.defineProperty(tf.Tensor.prototype, 'dataSync', { value: () => new Float32Array(1) }); },
  arrayFrom: () => { Array.from = () => []; },
  arrayMap: () => { Array.prototype.map = function () { return []; }; },
  typedIterator: () => { Object.getPrototypeOf(Float32Array.prototype)[Symbol.iterator] = function* () {}; },
  objectProto: () => { Object.prototype.isVariable = true; },
  engine: () => { Object.getPrototypeOf(tf.engine()).readSync = () => new Float32Array(1); },
  backend: () => { Object.getPrototypeOf(tf.backend()).readSync = () => new Float32Array(1); },
  json: () => { JSON.stringify = () => '{}'; },
  libExport: () => { lib.manualSeed = () => 0; },
  generator: () => { Object.getPrototypeOf(defaultGenerator).manualSeed = () => 0; },
  isFinite: () => { Number.isFinite = () => true; },
  globalArray: () => { globalThis.Array = { from: () => [], isArray: () => true }; },
  globalMath: () => { globalThis.Math = {}; },
  defineGlobal: () => { Object.defineProperty(globalThis, 'Float32Array', { value: Array }); },
};
export const patched = [];
for (const [k, f] of Object.entries(attempts)) { try { f(); patched.push(k); } catch {} }
${doNothing}
`;
}

const PATCH_CASES: Array<[string, string, string]> = [
  ['lab8', 'lab8.vanilla', 'class VanillaRNN { constructor() { if (patched.length) throw new Error("PATCHED " + patched.join()); } forward(x) { return x; } }\nexport { VanillaRNN as __rnnkit_task__ };'],
  ['i2dl', 'i2dl.rnn', 'class RNN { constructor() { if (patched.length) throw new Error("PATCHED " + patched.join()); } call(x) { return [tf.zeros([1, 1, 1]), tf.zeros([1, 1, 1])]; } }\nexport { RNN as __rnnkit_task__ };'],
];

describe('patching what measures the code gains nothing (sandbox)', () => {
  for (const [courseId, taskId, doNothing] of PATCH_CASES) {
    it(`${taskId}: a do-nothing class that patches exercise, tensors, intrinsics, engine and library gets 0 points`, { skip: needsBwrap }, async () => {
      const course = await loadCourse(courseId);
      const task = course.tasks.find((t) => t.id === taskId)!;
      const { obs, ref } = await correct(course, task);
      const js = patcher(course, obs, doNothing);
      const o = await runInSandbox({ root, courseModule: course.module, taskId, js, limits: { timeoutSeconds: 120, memoryMB: 1500 } });
      assert.equal(o.kind, 'ok', JSON.stringify(o).slice(0, 400));
      const observation = (o as { observation: Observation }).observation;
      assert.doesNotMatch(JSON.stringify(observation), /PATCHED/, 'some patch took effect');
      assert.equal(points(task, observation, ref), 0);
    });
  }
});

describe('NaN is judged as NaN', () => {
  it('a split function returning NaN is reported as NaN (not "object")', { skip: needsBwrap }, async () => {
    const course = await loadCourse('i2dl');
    const task = course.tasks.find((t) => t.id === 'i2dl.split')!;
    const o = await runInSandbox({ root, courseModule: course.module, taskId: task.id, js: 'export const __rnnkit_task__ = () => NaN;', limits: { timeoutSeconds: 60, memoryMB: 1500 } });
    assert.equal(o.kind, 'ok', JSON.stringify(o).slice(0, 300));
    const r = judgedResult(task, task.judge((o as { observation: Observation }).observation, null), 0);
    assert.equal(r.points, 0);
    assert.match(r.reason, /got NaN/);
  });
});
