import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { ADAM_KERNEL } from '../../src/lib/ops/adam.js';
import { crossEntropyLoss, maxAbsDiff } from '../../src/lib/nn/functional.js';
import { manualSeed } from '../../src/lib/random/torch-generator.js';
import { Adam } from '../../src/lib/training/optim.js';
import { buildClassifier } from '../../src/lib/training/classifier.js';
import { lab8Cells } from '../../src/solutions/lab8.js';
import { data, skip } from './helpers.js';

const SHAPES = [[7], [3, 5], [40, 10], [128, 512]];

/** Runs `steps` Adam steps with fixed pseudo-random gradients on `backend`; returns the parameters' values. */
async function adamRun(backend: string, opts: { lr: number; weightDecay: number; betas?: [number, number]; eps?: number }, steps: number, skipFirst = false): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const params = SHAPES.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(data(s.reduce((p, q) => p * q, 1), 10 + i), s), true, `adam_${backend}_${i}_${Math.random()}`)));
  const opt = new Adam(params, opts.lr, opts);
  for (let step = 0; step < steps; step++) {
    const grads: tf.NamedTensorMap = {};
    params.forEach((p, i) => {
      // parameter 0 has no gradient in the first step when skipFirst (PyTorch: .grad is None)
      if (skipFirst && step === 0 && i === 0) return;
      const g = data(p.size, 100 * step + i);
      // gradients of very different sizes, as real ones are
      for (let k = 0; k < g.length; k++) g[k]! *= 10 ** ((k % 7) - 4);
      grads[p.name] = tf.tensor(g, p.shape);
    });
    opt.step(grads);
  }
  const out = params.map((p) => Float32Array.from(p.dataSync()));
  opt.dispose();
  tf.dispose(params);
  assert.equal(tf.memory().numTensors, before, `${backend}: Adam leaked tensors`);
  return out;
}

test('the fused Adam kernel (blas) follows the tfjs-ops update (cpu) step for step', { skip }, async () => {
  await tf.setBackend('blas');
  assert.ok(tf.getKernel(ADAM_KERNEL, 'blas'), 'the fused kernel is registered on blas');
  assert.equal(tf.getKernel(ADAM_KERNEL, 'cpu'), undefined, 'and only there');
  for (const opts of [
    { lr: 1e-2, weightDecay: 1e-3 },
    { lr: 1e-3, weightDecay: 0 },
    { lr: 3e-2, weightDecay: 0.1, betas: [0.8, 0.99] as [number, number], eps: 1e-6 },
  ]) {
    const want = await adamRun('cpu', opts, 6);
    const got = await adamRun('blas', opts, 6);
    want.forEach((w, i) => {
      const d = maxAbsDiff(got[i]!, w);
      // the ops round every intermediate to float32, the kernel only the stored values
      assert.ok(d < 2e-6, `${JSON.stringify(opts)} parameter ${i} [${SHAPES[i]}]: max difference ${d}`);
    });
    const moved = maxAbsDiff(got[3]!, data(128 * 512, 13));
    assert.ok(moved > 1e-3, 'the parameters moved');
  }
});

test('Adam keeps a step count per parameter and skips parameters without gradients (both paths)', async (t) => {
  for (const backend of skip ? ['cpu'] : ['cpu', 'blas']) {
    const got = await adamRun(backend, { lr: 0.1, weightDecay: 0 }, 2, true);
    // parameter 0 took one step, its first (bias correction of step 1): p - lr * sign-like update
    const p0 = data(7, 10);
    const g = data(7, 100 + 0);
    for (let k = 0; k < 7; k++) g[k]! *= 10 ** ((k % 7) - 4);
    const want = Array.from(p0, (p, k) => {
      const m = 0.1 * g[k]!;
      const v = 0.001 * g[k]! * g[k]!;
      return p - (0.1 / 0.1) * m / (Math.sqrt(v) / Math.sqrt(0.001) + 1e-8);
    });
    const d = maxAbsDiff(got[0]!, want);
    assert.ok(d < 1e-6, `${backend}: parameter 0 after its first step differs by ${d}`);
    t.diagnostic(`${backend}: ok`);
  }
});

test('on blas, Adam(lr 1e-2, weight decay 1e-3) follows PyTorch for 3 steps on the lab\'s classifiers', { skip }, async () => {
  await tf.setBackend('blas');
  const cells = JSON.parse(readFileSync(new URL('../fixtures/lab8/cells.json', import.meta.url), 'utf8'));
  for (const type of ['vanilla', 'gru', 'lstm'] as const) {
    const ref = cells.train[type];
    manualSeed(1);
    const model = buildClassifier(lab8Cells[type], ref.hidden);
    const opt = new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 });
    const x = tf.tensor2d(ref.x, [16, 40]);
    const y = tf.tensor1d(ref.y, 'int32');
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      const loss = opt.minimize(() => crossEntropyLoss(model.apply(x), y));
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    assert.ok(maxAbsDiff(losses, ref.losses) < 2e-5, `${type}: losses ${losses} vs torch ${ref.losses}`);
    for (const [n, v] of model.namedParameters()) {
      const want = ref.final[n];
      if (Array.isArray(want)) {
        assert.ok(maxAbsDiff(v, want) < 2e-5, `${type} ${n}: max difference ${maxAbsDiff(v, want)}`);
      } else {
        const got = Array.from(v.dataSync());
        assert.ok(maxAbsDiff(got.slice(0, 24), want.first) < 2e-5, `${type} ${n}: first values`);
        assert.ok(Math.abs(got.reduce((a, b) => a + b, 0) - want.sum) < 1e-3, `${type} ${n}: sum`);
      }
    }
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  }
});
