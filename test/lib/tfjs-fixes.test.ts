import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setupBackend, type BackendName } from '../../src/lib/backend.js';
import { installTfjsFixes } from '../../src/lib/tfjs-fixes.js';
import { manualSeed } from '../../src/lib/random/torch-generator.js';
import { lab8Cells } from '../../src/solutions/lab8.js';

/** The backends to test on, each with why it does not load here (false: it loads). */
async function backends(): Promise<{ name: BackendName; skip: string | false }[]> {
  const out: { name: BackendName; skip: string | false }[] = [];
  for (const name of ['cpu', 'wasm', 'blas'] as BackendName[]) {
    try {
      await setupBackend({ force: name, show: false });
      out.push({ name, skip: false });
    } catch (e) {
      out.push({ name, skip: `the ${name} backend does not load here: ${(e as Error).message}` });
    }
  }
  return out;
}

const list = await backends();

for (const { name: b, skip } of list) {
  test(`tf.unstack has a gradient for an axis of size 1 (tfjs 4.22 throws there), on ${b}`, { skip }, async () => {
    installTfjsFixes(); // idempotent: already installed by the import
    await setupBackend({ force: b, show: false });
    const before = tf.memory().numTensors;
    for (const [shape, axis] of [[[1, 3, 2], 0], [[3, 1, 2], 1], [[3, 2, 1], -1], [[1], 0]] as [number[], number][]) {
      const x = tf.tensor(Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => i + 1), shape);
      const w = tf.tensor(Array.from({ length: x.size }, (_, i) => (i % 3) - 1.5), shape.filter((_, i) => i !== (axis + shape.length) % shape.length));
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.unstack(t, axis)[0]!, w)))(x);
      assert.deepEqual(g.shape, shape, `${b} [${shape}] axis ${axis}: gradient shape`);
      assert.deepEqual(Array.from(g.dataSync()), Array.from(w.dataSync()), `${b} [${shape}] axis ${axis}: the gradient is w`);
      tf.dispose([x, w, g]);
    }
    // size > 1 keeps tfjs's gradient: zeros for the unused slices
    const x = tf.tensor([[1, 2], [3, 4], [5, 6]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.unstack(t)[1]!, tf.tensor([2, 3]))))(x);
    assert.deepEqual(Array.from(g.dataSync()), [0, 0, 2, 3, 0, 0], `${b}: size 3`);
    tf.dispose([x, g]);
    assert.equal(tf.memory().numTensors, before, `${b}: no leaked tensors`);
  });
}

for (const { name: b, skip } of list) {
  test(`Lab 8 cells train on one-step inputs (T = 1) on ${b}`, { skip }, async () => {
    await setupBackend({ force: b, show: false });
    for (const [kind, Cell] of Object.entries(lab8Cells)) {
      manualSeed(0);
      const cell = new Cell(2, 3);
      const x = tf.tensor([[[0.5, -1]], [[2, 0.25]]]); // [N = 2, T = 1, D = 2]
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(cell.apply(x))) as tf.Scalar, cell.parameters());
      assert.equal(Object.keys(grads).length, 4, `${b} ${kind}: a gradient for every parameter`);
      for (const g of Object.values(grads)) assert.ok(Array.from(g.dataSync()).every(Number.isFinite), `${b} ${kind}: finite gradients`);
      // the weight_hh gradient is 0 for one step from h0 = 0; weight_xh's is not
      const gx = grads[cell.weight_xh!.name]!;
      assert.ok(Array.from(gx.dataSync()).some((v) => v !== 0), `${b} ${kind}: weight_xh gets a gradient`);
      tf.dispose([value, ...Object.values(grads), x]);
      cell.dispose();
    }
  });
}
