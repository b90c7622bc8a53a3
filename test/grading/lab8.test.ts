/**
 * The Lab 8 check definitions, run in-process against the reference solutions (full marks) and
 * against broken variants (the right checks fail with readable reasons), and the embedded
 * reference data against the PyTorch fixture.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { referenceEnv } from '../../src/grading/reference-env.js';
import { course } from '../../src/grading/tasks/lab8.js';
import { LAB8_X, LAB8_Y_EXPECTED } from '../../src/grading/tasks/lab8-reference.js';
import * as gen from '../../src/lib/random/torch-generator.js';
import * as solutions from '../../src/solutions/index.js';
import type { TaskDef, Verdict } from '../../src/grading/types.js';
import { fixture } from '../helpers/paths.js';

const cells = fixture('lab8', 'cells.json');
const env = { tf, loadLib: async () => gen as unknown as Record<string, unknown> };
const sol = solutions as unknown as Record<string, new (d: number, h: number) => { forward(x: tf.Tensor): tf.Tensor }>;

async function verdicts(task: TaskDef, impl: unknown): Promise<Record<string, Verdict>> {
  const ref = await task.reference(referenceEnv(course));
  const vs = task.judge(await task.exercise(impl, env), ref);
  return Object.fromEntries(vs.map((v) => [v.check, v]));
}

describe('lab8 task definitions', () => {
  it('embed the PyTorch reference outputs unchanged', () => {
    assert.deepEqual(LAB8_X, cells.x);
    for (const k of ['vanilla', 'gru', 'lstm'] as const) assert.deepEqual(LAB8_Y_EXPECTED[k], cells[k].y);
  });

  for (const [i, key] of (['vanilla', 'gru', 'lstm'] as const).entries()) {
    const task = course.tasks[i]!;
    it(`${task.id}: the initial-value reference is PyTorch's manual_seed(123) draw`, async () => {
      const ref = (await task.reference(referenceEnv(course))) as { init: Record<string, { values: number[] }> };
      for (const p of ['weight_xh', 'weight_hh', 'bias_xh', 'bias_hh']) {
        const a = ref.init[p]!.values;
        const b = cells[key].params[p] as number[];
        assert.equal(a.length, b.length);
        assert.ok(a.every((v, j) => Math.abs(v - b[j]!) < 1e-6), `${task.id} ${p}`);
      }
    });

    it(`${task.id}: the reference solution passes every check`, async () => {
      const vs = await verdicts(task, sol[task.name]);
      for (const c of task.checks) assert.ok(vs[c.id]?.passed, `${task.id} ${c.id}: ${vs[c.id]?.reason}`);
    });
  }

  it('a slightly wrong forward fails values and gradients, keeps params/init/shape; no reference values in reasons', async () => {
    const Base = sol.VanillaRNN!;
    class Off extends Base {
      override forward(x: tf.Tensor): tf.Tensor { return tf.mul(super.forward(x), 1.05); }
    }
    const vs = await verdicts(course.tasks[0]!, Off);
    assert.ok(vs.params!.passed && vs.init!.passed && vs.shape!.passed);
    assert.ok(!vs.values!.passed && !vs.gradients!.passed && !vs.hidden!.passed);
    assert.match(vs.values!.reason, /values differ, max abs difference/);
    for (const v of cells.vanilla.y.slice(0, 10) as number[]) assert.ok(!vs.values!.reason.includes(v.toFixed(4)));
  });

  it('a parameter that is no tf.Variable and gets no gradient is named', async () => {
    const Base = sol.VanillaRNN!;
    class NoVar extends Base {
      constructor(d: number, h: number) {
        super(d, h);
        const self = this as unknown as Record<string, unknown>;
        self.bias_hh = tf.zeros([h]);
      }
      override forward(x: tf.Tensor): tf.Tensor { return super.forward(x); }
    }
    const vs = await verdicts(course.tasks[0]!, NoVar);
    assert.equal(vs.params!.passed, false);
    assert.match(vs.params!.reason, /bias_hh is not a tf\.Variable/);
    assert.match(vs.gradients!.reason, /bias_hh gets no gradient/);
  });

  it('an unimplemented constructor fails every check with the error', async () => {
    class Stub { constructor() { throw new Error('not implemented'); } }
    const vs = await verdicts(course.tasks[1]!, Stub);
    assert.ok(Object.values(vs).every((v) => !v.passed && /not implemented/.test(v.reason)));
  });
});
