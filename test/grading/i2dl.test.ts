/**
 * The I2DL course's check definitions, run in-process: the reference solutions get full marks,
 * broken variants fail the right checks with readable reasons (no reference values), and the
 * reference (the library's RNN / LSTM) reproduces PyTorch on the original's constant-0.3 check.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { courseLibrary, referenceEnv } from '../../src/grading/reference-env.js';
import { course } from '../../src/grading/tasks/i2dl.js';
import { COURSES } from '../../src/grading/tasks/index.js';
import * as lib from '../../src/lib/nn/index.js';
import { constant_ } from '../../src/lib/nn/init.js';
import * as sol from '../../src/solutions/i2dl.js';
import type { TaskDef, Verdict } from '../../src/grading/types.js';
import { fixture } from '../helpers/paths.js';

const env = { tf, loadLib: courseLibrary };
const task = (id: string): TaskDef => course.tasks.find((t) => t.id === id)!;
type Ctor = new (...a: any[]) => any;

async function verdicts(t: TaskDef, impl: unknown): Promise<Record<string, Verdict>> {
  const ref = await t.reference(referenceEnv(course));
  const vs = t.judge(await t.exercise(impl, env), ref);
  return Object.fromEntries(vs.map((v) => [v.check, v]));
}

before(async () => {
  await tf.setBackend('cpu');
});

describe('i2dl course', () => {
  it('is registered, scores 20 points over five tasks, and keeps the explorations open-ended', () => {
    assert.ok(COURSES['i2dl']);
    assert.deepEqual(course.tasks.map((t) => t.id), ['i2dl.rnn', 'i2dl.lstm', 'i2dl.split', 'i2dl.rnnClassifier', 'i2dl.lstmClassifier']);
    assert.equal(course.tasks.reduce((s, t) => s + t.checks.reduce((a, c) => a + c.points, 0), 0), 20);
    assert.deepEqual(course.ungraded?.map((t) => [t.id, t.name]), [['i2dl.gradients', 'exploreGradients'], ['i2dl.compare', 'compareGradients']]);
  });

  it("the reference reproduces the original's PyTorch check (nn.RNN / nn.LSTM(3, 3), every parameter 0.3)", () => {
    const i2dlConstant = fixture('nn', 'i2dl-constant.json') as Record<'RNN' | 'LSTM', { X: number[]; out: number[]; h: number[] }>;
    for (const [name, Cls] of [['RNN', sol.RNN], ['LSTM', sol.LSTM]] as const) {
      const m = new (Cls as Ctor)(3, 3);
      for (const p of m.parameters()) constant_(p, 0.3);
      const X = tf.tensor(i2dlConstant[name].X, [10, 1, 3]);
      const [hSeq, h] = m.call(X);
      const hLast = name === 'RNN' ? h : h[0];
      const diff = (a: tf.Tensor, b: number[]) => tf.sum(tf.square(tf.sub(a, tf.tensor(b, a.shape)))).dataSync()[0]!;
      assert.ok(diff(hSeq, i2dlConstant[name].out) < 1e-10, `${name} hSeq`);
      assert.ok(diff(hLast, i2dlConstant[name].h) < 1e-10, `${name} h`);
      m.dispose();
    }
  });

  for (const t of course.tasks) {
    it(`${t.id}: the reference solution passes every check and leaves no tensor behind`, async () => {
      const ref = await t.reference(referenceEnv(course));
      const n = tf.memory().numTensors;
      const vs = t.judge(await t.exercise((sol as Record<string, unknown>)[t.name], env), ref);
      assert.equal(tf.memory().numTensors, n);
      for (const c of t.checks) {
        const v = vs.find((x) => x.check === c.id);
        assert.ok(v?.passed, `${t.id} ${c.id}: ${v?.reason}`);
      }
    });
  }

  it('an RNN without b_x (V without bias) fails constant, random, gradients, other sizes; reasons give no values', async () => {
    class NoBias extends sol.RNN {
      constructor(d = 1, h = 20, a: 'tanh' | 'relu' = 'tanh') {
        super(d, h, a);
        this.V = new lib.Linear(d, h, { bias: false });
      }
    }
    const vs = await verdicts(task('i2dl.rnn'), NoBias);
    assert.equal(vs.params!.passed, false);
    assert.match(vs.params!.reason, /V\.bias is missing/);
    for (const c of ['constant', 'random', 'hidden', 'relu']) assert.equal(vs[c]!.passed, false, c);
    assert.match(vs.gradients!.reason, /V\.bias/);
    assert.match(vs.constant!.reason, /values differ, max abs difference/);
  });

  it("an RNN that ignores the activation fails only the relu check; a swapped W / V fails the shapes", async () => {
    class AlwaysTanh extends sol.RNN {
      constructor(d = 1, h = 20) { super(d, h, 'tanh'); }
    }
    const vs = await verdicts(task('i2dl.rnn'), AlwaysTanh);
    assert.deepEqual(Object.entries(vs).filter(([, v]) => !v.passed).map(([k]) => k), ['relu']);
    class Swapped extends sol.RNN {
      constructor(d = 1, h = 20, a: 'tanh' | 'relu' = 'tanh') {
        super(d, h, a);
        this.W = new lib.Linear(d, h);
        this.V = new lib.Linear(h, h);
      }
      override call(x: tf.Tensor, h?: tf.Tensor): [tf.Tensor, tf.Tensor] {
        const [W, V] = [this.W, this.V];
        this.W = V; this.V = W;
        try { return super.call(x, h); } finally { this.W = W; this.V = V; }
      }
    }
    const sw = await verdicts(task('i2dl.rnn'), Swapped);
    assert.match(sw.params!.reason, /W\.weight of new RNN\(4, 5\) has shape \[5, 4\], expected \[5, 5\]/);
  });

  it('an LSTM with the forget and input gates mixed up fails the values, and names the cell state', async () => {
    class Mixed extends sol.LSTM {
      override call(x: tf.Tensor, state?: [tf.Tensor, tf.Tensor]): [tf.Tensor, [tf.Tensor, tf.Tensor]] {
        const [Wf, Uf, Wi, Ui] = [this.W_f, this.U_f, this.W_i, this.U_i];
        [this.W_f, this.U_f, this.W_i, this.U_i] = [Wi, Ui, Wf, Uf];
        try { return super.call(x, state); } finally { [this.W_f, this.U_f, this.W_i, this.U_i] = [Wf, Uf, Wi, Ui]; }
      }
    }
    const vs = await verdicts(task('i2dl.lstm'), Mixed);
    assert.ok(vs.params!.passed, 'the parameters are right');
    assert.ok(vs.constant!.passed, 'with every parameter 0.3 the gates cannot be told apart');
    for (const c of ['state', 'random', 'gradients', 'hidden']) assert.equal(vs[c]!.passed, false, c);
    assert.match(vs.state!.reason, /^c of the LSTM started from a given \[h0, c0\]: \d+ of \d+ values differ/);
  });

  it('an unimplemented RNN (the student stub) fails every check and says what is missing', async () => {
    class Stub extends lib.Module {
      W = null;
      V = null;
      call(x: tf.Tensor): [tf.Tensor, tf.Tensor] {
        throw new Error(`RNN.call: push the hidden state of every time step onto hSeq (it holds 0 of ${x.shape[0]}) and set h to the last one`);
      }
      forward(x: tf.Tensor): tf.Tensor { return this.call(x)[0]; }
    }
    const vs = await verdicts(task('i2dl.rnn'), Stub);
    assert.ok(Object.values(vs).every((v) => !v.passed));
    assert.match(vs.params!.reason, /W\.weight is missing/);
    assert.match(vs.constant!.reason, /parameters\(\) is empty/);
  });

  it('the split: out of range, not useful, not a number', async () => {
    const split = task('i2dl.split');
    const at = (s: unknown) => verdicts(split, () => s);
    let vs = await at(0);
    assert.ok(!vs.range!.passed && /leaves the training set empty/.test(vs.range!.reason));
    vs = await at(1);
    assert.ok(!vs.range!.passed && /leaves the validation set empty/.test(vs.range!.reason));
    vs = await at(0.3);
    assert.ok(vs.range!.passed && !vs.useful!.passed);
    vs = await at(0.99);
    assert.ok(vs.range!.passed && !vs.useful!.passed);
    vs = await at('0.8');
    assert.ok(!vs.range!.passed && /should return a number/.test(vs.range!.reason));
    vs = await at(0.7);
    assert.ok(vs.range!.passed && vs.useful!.passed);
  });

  it('classifiers: a wrong output shape and an unused layer are named', async () => {
    class Transposed extends sol.RNN_Classifier {
      override forward(x: tf.Tensor): tf.Tensor { return tf.transpose(super.forward(x)); }
    }
    let vs = await verdicts(task('i2dl.rnnClassifier'), Transposed);
    assert.match(vs.shape!.reason, /RNN_Classifier\(\)\.forward\(x \[3, 1, 28, 28\]\) has shape \[10, 3\], expected \[3, 10\]/);
    class Unused extends sol.LSTM_Classifier {
      extra = new lib.Linear(3, 3);
    }
    vs = await verdicts(task('i2dl.lstmClassifier'), Unused);
    assert.ok(vs.shape!.passed);
    assert.match(vs.gradients!.reason, /extra\.weight gets no gradient/);
  });
});
