/**
 * The rnnlstm check definitions (seed 001's Exercise 2.1), run in-process against the reference
 * solutions (full marks) and against broken variants (the right checks fail, with reasons that
 * name what differs and never the reference values), and the embedded reference data against the
 * PyTorch fixture.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { referenceEnv } from '../../src/grading/grade.js';
import { course } from '../../src/grading/tasks/rnnlstm.js';
import { RNNLSTM_MODEL_CASES, RNNLSTM_X, RNNLSTM_X_SHAPE } from '../../src/grading/tasks/rnnlstm-reference.js';
import * as lib from '../../src/lib/index.js';
import { Linear } from '../../src/lib/nn/layers.js';
import { compareConfigs, RecurrentModel } from '../../src/solutions/rnnlstm.js';
import type { ModelConfig, CompareOptions, ComparisonResult } from '../../src/lib/training/comparison.js';
import type { TaskDef, Verdict } from '../../src/grading/types.js';

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/rnnlstm/models.json', import.meta.url)), 'utf8'));
const env = { tf, loadLib: async () => lib as unknown as Record<string, unknown> };
const [modelTask, compareTask] = course.tasks as [TaskDef, TaskDef];

async function verdicts(task: TaskDef, impl: unknown): Promise<Record<string, Verdict>> {
  const ref = await task.reference(referenceEnv(course));
  const vs = task.judge(await task.exercise(impl, env), ref);
  return Object.fromEntries(vs.map((v) => [v.check, v]));
}

function assertAllPass(task: TaskDef, vs: Record<string, Verdict>): void {
  for (const c of task.checks) assert.ok(vs[c.id]?.passed && !vs[c.id]?.skipped, `${task.id} ${c.id}: ${vs[c.id]?.reason}`);
}

/** No reference output value (4 decimals) appears in any reason. */
function assertNoValues(vs: Record<string, Verdict>): void {
  const text = Object.values(vs).map((v) => v.reason).join('\n');
  for (const c of RNNLSTM_MODEL_CASES) for (const y of c.y) assert.ok(!text.includes(y.toFixed(4)), `reason reveals ${y.toFixed(4)}: ${text}`);
}

describe('rnnlstm task definitions', () => {
  it('embed the PyTorch fixture unchanged', () => {
    assert.deepEqual(RNNLSTM_X, fixture.x);
    assert.deepEqual([...RNNLSTM_X_SHAPE], fixture.xShape);
    assert.equal(RNNLSTM_MODEL_CASES.length, fixture.cases.length);
    for (const [i, c] of RNNLSTM_MODEL_CASES.entries()) {
      const f = fixture.cases[i];
      assert.deepEqual({ name: c.name, seed: c.seed, config: c.config, params: c.params, count: c.count, y: c.y },
        { name: f.name, seed: f.seed, config: f.config, params: f.params, count: f.count, y: f.y });
    }
  });

  it('the library builds PyTorch\'s parameters bit for bit: the seed-2 RNN and seed-4 LSTM match the fixture through the reference model', () => {
    for (const c of RNNLSTM_MODEL_CASES) {
      lib.manualSeed(c.seed);
      const m = new RecurrentModel(c.config);
      const x = tf.tensor(RNNLSTM_X as number[], [...RNNLSTM_X_SHAPE]);
      const y = m.apply(x);
      assert.ok(lib.maxAbsDiff(y, c.y) < 1e-5, `${c.name}: ${lib.maxAbsDiff(y, c.y)}`);
      assert.deepEqual(m.namedParameters().map(([n, v]) => ({ name: n, shape: v.shape })), c.params);
      tf.dispose([x, y]);
      m.dispose();
    }
  });

  it('rnnlstm.model: the reference solution passes every check, and leaves the generator and memory as they were', async () => {
    lib.manualSeed(77);
    const before = lib.defaultGenerator.getState();
    const tensors = tf.memory().numTensors;
    const vs = await verdicts(modelTask, RecurrentModel);
    assertAllPass(modelTask, vs);
    assert.deepEqual(lib.defaultGenerator.getState(), before);
    assert.equal(tf.memory().numTensors, tensors);
  });

  it('rnnlstm.model: a missing ReLU after the extra layer fails the values (and the hidden case) only', async () => {
    class NoRelu extends RecurrentModel {
      override forward(x: tf.Tensor): tf.Tensor {
        if (!this.fcExtra) return super.forward(x);
        return tf.tidy(() => {
          const { numLayers, hiddenSize } = this.config;
          const h0 = tf.zeros([numLayers, x.shape[0]!, hiddenSize]);
          const [seq] = this.rnn instanceof lib.LSTM ? this.rnn.call(x, [h0, h0]) : (this.rnn as lib.RNN).call(x, h0);
          const last = seq.slice([0, x.shape[1]! - 1, 0], [-1, 1, -1]).squeeze([1]);
          return this.fc!.apply(this.fcExtra!.apply(last));
        });
      }
    }
    const vs = await verdicts(modelTask, NoRelu);
    for (const id of ['recurrent', 'parameters', 'count', 'shape']) assert.ok(vs[id]!.passed, `${id}: ${vs[id]!.reason}`);
    assert.equal(vs.values!.passed, false);
    assert.match(vs.values!.reason, /RecurrentModel\(\{ type: 'rnn', numLayers: 3, nonlinearity: 'relu', extraFc: true \}\)\.forward\(x \[2, 5, 28\]\): \d+ of 20 values differ, max abs difference/);
    assert.equal(vs.hidden!.passed, false);
    assertNoValues(vs);
  });

  it('rnnlstm.model: an RNN built for type lstm and a wrongly named layer are named in the reasons', async () => {
    class AlwaysRnn extends RecurrentModel {
      constructor(config: ModelConfig) {
        super(config.type === 'lstm' ? { ...config, type: 'rnn' } : config);
      }
    }
    let vs = await verdicts(modelTask, AlwaysRnn);
    assert.equal(vs.recurrent!.passed, false);
    assert.match(vs.recurrent!.reason, /RecurrentModel\(\{ type: 'lstm', numLayers: 2 \}\)\.rnn should be the library's LSTM \(got RNN\)/);
    assert.equal(vs.count!.passed, false);

    class Renamed extends RecurrentModel {
      constructor(config: ModelConfig) {
        super(config);
        const self = this as unknown as Record<string, unknown>;
        self.readout = this.fc;
        self.fc = null;
      }
      override forward(x: tf.Tensor): tf.Tensor {
        const self = this as unknown as Record<string, unknown>;
        this.fc = self.readout as Linear;
        try { return super.forward(x); } finally { this.fc = null; }
      }
    }
    vs = await verdicts(modelTask, Renamed);
    assert.equal(vs.parameters!.passed, false);
    assert.match(vs.parameters!.reason, /parameter \d+ is readout\.weight \[10, 128\], PyTorch's model has fc\.weight \[10, 128\] there/);
    for (const id of ['recurrent', 'count', 'shape', 'values', 'hidden']) assert.ok(vs[id]!.passed, `${id}: ${vs[id]!.reason}`);
  });

  it('rnnlstm.model: an unwritten class fails every check with a readable reason', async () => {
    class Stub extends lib.Module {
      rnn = null;
      constructor(readonly config: ModelConfig) { super(); }
      forward(): tf.Tensor { throw new Error('RecurrentModel.forward is not written yet'); }
    }
    const vs = await verdicts(modelTask, Stub);
    for (const c of modelTask.checks) assert.equal(vs[c.id]!.passed, false, c.id);
    assert.match(vs.recurrent!.reason, /should be the library's RNN \(got null\)/);
    assert.match(vs.shape!.reason, /not written yet/);
  });

  it('rnnlstm.compare: the reference solution passes every check and leaves the generator and memory as they were', async () => {
    lib.manualSeed(5);
    const before = lib.defaultGenerator.getState();
    const tensors = tf.memory().numTensors;
    const vs = await verdicts(compareTask, compareConfigs);
    assertAllPass(compareTask, vs);
    assert.deepEqual(lib.defaultGenerator.getState(), before);
    assert.equal(tf.memory().numTensors, tensors);
  });

  it('rnnlstm.compare: fractions instead of percent, no training, a wrong budget and an empty result fail the right checks', async () => {
    const fraction = async (c: ModelConfig[], o: CompareOptions): Promise<ComparisonResult[]> =>
      (await compareConfigs(c, o)).map((r) => ({ ...r, accuracy: r.accuracy / 100 }));
    let vs = await verdicts(compareTask, fraction);
    assert.equal(vs.results!.passed, true); // fractions are numbers in [0, 100] ...
    assert.equal(vs.trains!.passed, false); // ... but far below what the models reach
    assert.match(vs.trains!.reason, /reached 1\.0% test accuracy after 60 iterations, expected at least 90%/);

    const noTraining = async (c: ModelConfig[], o: CompareOptions) => compareConfigs(c, { ...o, lr: 0 });
    vs = await verdicts(compareTask, noTraining);
    assert.equal(vs.trains!.passed, false);
    assert.equal(vs.budget!.passed, true);

    const short = async (c: ModelConfig[], o: CompareOptions) => compareConfigs(c, { ...o, iterations: 10 });
    vs = await verdicts(compareTask, short);
    assert.equal(vs.budget!.passed, false);
    assert.match(vs.budget!.reason, /took 20 steps in all, expected 120 \(options\.iterations = 60 per configuration\)/);

    vs = await verdicts(compareTask, async () => []);
    assert.match(vs.results!.reason, /returned 0 results, expected one per configuration \(2\)/);
    assert.equal(vs.trains!.passed, false);
    assert.match(vs.budget!.reason, /no step of the course library's Adam was taken/);

    vs = await verdicts(compareTask, async () => { throw new Error('boom'); });
    assert.ok(Object.values(vs).every((v) => !v.passed && /error: boom/.test(v.reason)));
  });
});
