import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { compare, data, runOn, skip } from './helpers.js';

/** Counts kernel calls by name while fn runs. */
function countKernels(fn: () => void): Map<string, number> {
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const original = engine.runKernel;
  const counts = new Map<string, number>();
  engine.runKernel = function (this: unknown, name: string, ...rest: unknown[]) {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return original.call(this, name, ...rest);
  };
  try {
    fn();
  } finally {
    engine.runKernel = original;
  }
  return counts;
}

const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.tanh(tf.mul(tf.matMul(x, w), tf.sigmoid(tf.matMul(x, w)))));

test('on blas, first-order gradients keep their tensors without Identity kernel calls, and free them', { skip }, async () => {
  const x = () => tf.tensor(data(12, 1), [3, 4]);
  const w = () => tf.tensor(data(20, 2), [4, 5]);
  for (const backend of ['cpu', 'blas']) {
    await tf.setBackend(backend);
    const [xt, wt] = [x(), w()];
    const before = tf.memory().numTensors;
    let grads: tf.Tensor[] = [];
    const counts = countKernels(() => {
      grads = tf.grads(f)([xt, wt]);
    });
    assert.equal(tf.memory().numTensors, before + 2, `${backend}: only the two gradients remain`);
    if (backend === 'blas') assert.equal(counts.get('Identity') ?? 0, 0, 'blas: no Identity kernel for saved tensors');
    else assert.ok((counts.get('Identity') ?? 0) > 0, 'cpu: the engine clones saved tensors with Identity');
    tf.dispose([...grads, xt, wt]);
  }
  await compare('gradients of f', [{ shape: [3, 4], seed: 1 }, { shape: [4, 5], seed: 2 }], (a, b) => tf.grads(f)([a!, b!]), { atol: 1e-6, rtol: 1e-5 });
});

test('on blas, second-order gradients are unchanged (nested tapes take the engine\'s own path)', { skip }, async () => {
  // d/dx of d/dx sum(x^3 * sigmoid(x)) through mul, sigmoid: needs the saved tensors on the tape
  const g = (x: tf.Tensor) => tf.sum(tf.mul(tf.mul(tf.mul(x, x), x), tf.sigmoid(x)));
  await compare('second derivative', [{ shape: [7], seed: 3 }], (x) => tf.grad((y: tf.Tensor) => tf.sum(tf.grad(g)(y)))(x!), { atol: 1e-5, rtol: 1e-5 });
  await compare('third derivative', [{ shape: [5], seed: 4 }], (x) => tf.grad((y: tf.Tensor) => tf.sum(tf.grad((z: tf.Tensor) => tf.sum(tf.grad(g)(z)))(y)))(x!), { atol: 1e-4, rtol: 1e-4 });
});

test('Add / Sub / Multiply gradients on blas match cpu for every broadcast pattern, with fewer kernel calls', { skip }, async () => {
  const pairs: [number[], number[]][] = [
    [[4, 5], [4, 5]], [[4, 5], [5]], [[4, 5], [1, 5]], [[4, 5], [4, 1]], [[5], [4, 5]], [[4, 1], [1, 5]],
    [[4, 5], []], [[], [4, 5]], [[2, 3, 4], [3, 1]], [[1], [1]],
  ];
  let seed = 30;
  for (const [sa, sb] of pairs) {
    for (const [name, op] of [['add', tf.add], ['sub', tf.sub], ['mul', tf.mul]] as const) {
      const specs = [{ shape: sa, seed: seed++ }, { shape: sb, seed: seed++ }, { shape: tf.broadcast_util.assertAndGetBroadcastShape(sa, sb), seed: seed++ }];
      // weighted sum so that every gradient entry differs; the same input twice too (x op x)
      await compare(`d ${name} [${sa}] [${sb}]`, specs, (a, b, w) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(op(x, y), w!)))([a!, b!]), { atol: 1e-6, rtol: 1e-6 });
    }
  }
  await compare('d (x * x + x - x)', [{ shape: [3, 4], seed: 99 }], (a) => tf.grad((x: tf.Tensor) => tf.sum(tf.sub(tf.add(tf.mul(x, x), x), x)))(a!), { atol: 1e-6, rtol: 1e-6 });
  await tf.setBackend('blas');
  const [a, b] = [tf.tensor(data(20, 1), [4, 5]), tf.tensor(data(20, 2), [4, 5])];
  let g: tf.Tensor[] = [];
  const counts = countKernels(() => {
    g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.add(x, y), tf.sub(x, y))))([a, b]);
  });
  for (const k of ['Cast', 'Identity']) assert.equal(counts.get(k) ?? 0, 0, `no ${k} kernel`);
  assert.equal(counts.get('Reshape') ?? 0, 1, 'one Reshape (in the gradient of the final sum), none for add / sub / mul');
  tf.dispose([...g, a, b]);
});

/* ---------------- runKernel / endScope / gradients fast paths (./src/lib/blas/engine.ts) ---------------- */

/** A weight used at every step, as in a recurrent cell: its gradient gets T contributions. */
const recurrent = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
  let h = tf.zeros([x.shape[0]!, w.shape[1]!]);
  for (let t = 0; t < 6; t++) h = tf.tanh(tf.add(tf.add(tf.matMul(x, w), tf.matMul(h, tf.slice(w, [0, 0], [w.shape[1]!, w.shape[1]!]))), b));
  return tf.sum(tf.mul(h, h));
};

test('fast gradients (in-place sums) give the same values as the engine\'s own path and as cpu', { skip }, async () => {
  const specs = [{ shape: [5, 4], seed: 11 }, { shape: [4, 4], seed: 12 }, { shape: [4], seed: 13 }];
  await compare('recurrent gradients', specs, (x, w, b) => tf.grads((w2: tf.Tensor, b2: tf.Tensor) => recurrent(x!, w2, b2))([w!, b!]), { atol: 1e-5, rtol: 1e-5 });
  // bit for bit against the blas backend with the fast paths off
  const { setEngineFastPaths } = await import('../../src/lib/blas/engine.js');
  const run = async (on: boolean) => {
    setEngineFastPaths(on);
    try {
      const [r] = [await runOn('blas', specs, (x, w, b) => tf.grads((w2: tf.Tensor, b2: tf.Tensor) => recurrent(x!, w2, b2))([w!, b!]))];
      return r;
    } finally {
      setEngineFastPaths(true);
    }
  };
  const on = await run(true);
  const off = await run(false);
  assert.deepEqual(on.map((o) => Array.from(o.values)), off.map((o) => Array.from(o.values)));
});

test('fast gradients use fewer Add kernels and leave no tensors behind', { skip }, async () => {
  await tf.setBackend('blas');
  const x = tf.tensor(data(20, 1), [5, 4]);
  const w = tf.variable(tf.tensor(data(16, 2), [4, 4]));
  const b = tf.variable(tf.tensor(data(4, 3), [4]));
  const before = tf.memory().numTensors;
  let adds = 0;
  const counts = countKernels(() => {
    const { value, grads } = tf.variableGrads(() => recurrent(x, w, b) as tf.Scalar, [w, b]);
    tf.dispose([value, ...Object.values(grads)]);
  });
  adds = counts.get('Add') ?? 0;
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  const { setEngineFastPaths } = await import('../../src/lib/blas/engine.js');
  setEngineFastPaths(false);
  let addsOff = 0;
  try {
    const c = countKernels(() => {
      const { value, grads } = tf.variableGrads(() => recurrent(x, w, b) as tf.Scalar, [w, b]);
      tf.dispose([value, ...Object.values(grads)]);
    });
    addsOff = c.get('Add') ?? 0;
  } finally {
    setEngineFastPaths(true);
  }
  assert.equal(tf.memory().numTensors, before);
  assert.ok(adds < addsOff, `Add kernels with the fast paths ${adds}, without ${addsOff}`);
  tf.dispose([x, w, b]);
});

test('pass-through gradients of sums, and a caller\'s dy, are never summed into in place', { skip }, async () => {
  // pass(a) = a, whose gradient hands dy itself back; s is used twice, so its gradient is a sum the
  // backward pass made, which pass() hands on to x, which gets more contributions (exp, and x * v).
  const pass = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const a = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([]);
    return { value: tf.mul(a, 1), gradFunc: (dy: tf.Tensor) => [dy] };
  });
  const fn = (v: tf.Tensor) => {
    const x = tf.mul(v, 2);
    const e = tf.exp(x);
    const s = pass(x) as tf.Tensor;
    return tf.add(tf.add(tf.mul(s, s), tf.mul(s, 3)), tf.add(e, tf.mul(x, v)));
  };
  const results: number[][] = [];
  for (const backend of ['cpu', 'blas']) {
    await tf.setBackend(backend);
    const v = tf.tensor([0.5, -1, 2]);
    const dy = tf.tensor([1, 10, 100]);
    const before = tf.memory().numTensors;
    const g = tf.grad(fn)(v, dy);
    results.push(Array.from(g.dataSync()));
    assert.deepEqual(Array.from(dy.dataSync()), [1, 10, 100], `${backend}: the caller's dy is unchanged`);
    assert.equal(tf.memory().numTensors, before + 1, `${backend}: only the gradient remains`);
    tf.dispose([g, v, dy]);
  }
  // d/dv of (4v^2 + 6v + e^(2v) + 2v^2) = 12v + 6 + 2e^(2v), times dy
  const want = [0.5, -1, 2].map((v, i) => [1, 10, 100][i]! * (12 * v + 6 + 2 * Math.exp(2 * v)));
  for (const r of results) r.forEach((x, i) => assert.ok(Math.abs(x - want[i]!) <= 1e-4 * Math.abs(want[i]!), `${x} vs ${want[i]}`));
  assert.deepEqual(results[1], results[0]);
});

test('tidy results (a tensor, arrays with repeats, objects, nothing) are kept and tracked as on cpu', { skip }, async () => {
  for (const backend of ['cpu', 'blas']) {
    await tf.setBackend(backend);
    const a = tf.tensor([1, 2, 3, 4], [2, 2]);
    const before = tf.memory().numTensors;
    const one = tf.tidy(() => tf.tidy(() => tf.add(a, 1)));
    const arr = tf.tidy(() => {
      const parts = tf.tidy(() => tf.split(tf.mul(a, 2), 2, 1));
      return [parts[0]!, parts[1]!, parts[0]!];
    });
    const obj = tf.tidy(() => ({ s: tf.sum(a), list: [tf.neg(a)] }));
    const nothing = tf.tidy(() => {
      tf.exp(a);
    });
    assert.equal(nothing, undefined);
    const kept = tf.tidy(() => tf.keep(tf.sqrt(a)));
    assert.equal(tf.memory().numTensors, before + 1 + 2 + 2 + 1, `${backend}: tensors alive`);
    assert.deepEqual(Array.from(one.dataSync()), [2, 3, 4, 5]);
    assert.deepEqual(Array.from(arr[2]!.dataSync()), [2, 6]);
    // the outer scope owns the results: disposing it frees them
    tf.tidy(() => {
      const inner = tf.tidy(() => [tf.abs(a), tf.abs(a)]);
      assert.equal(inner.length, 2);
    });
    assert.equal(tf.memory().numTensors, before + 6, `${backend}: tensors made in a nested tidy are freed by the outer one`);
    assert.throws(() => tf.tidy(() => {
      tf.add(a, 1);
      throw new Error('boom');
    }), /boom/);
    assert.equal(tf.memory().numTensors, before + 6, `${backend}: a throwing tidy frees its tensors`);
    tf.dispose([one, ...arr, obj.s, ...obj.list, kept, a]);
  }
});

test('engine errors and tf.profile are unchanged on blas', { skip }, async () => {
  await tf.setBackend('blas');
  const x = tf.tensor([1, 2]);
  const other = tf.tensor([3, 4]);
  assert.throws(() => tf.grad(() => tf.sum(other))(x), /Cannot compute gradient of y=f\(x\) with respect to x/);
  assert.throws(() => tf.engine().runKernel('NoSuchKernel', { x }), /Kernel 'NoSuchKernel' not registered for backend 'blas'/);
  // tf.grads with a second input y does not depend on: its gradient is missing (allowNoGradients)
  const v = tf.variable(tf.tensor([1, 1]), true, 'engine_test_v');
  const u = tf.variable(tf.tensor([0]), true, 'engine_test_unused');
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(v, other)) as tf.Scalar, [v, u]);
  assert.deepEqual(Array.from(grads.engine_test_v!.dataSync()), [3, 4]);
  assert.equal(grads.engine_test_unused, undefined);
  tf.dispose([v, u, grads.engine_test_v!]);
  const info = await tf.profile(() => tf.tidy(() => tf.sum(tf.mul(x, other))));
  assert.deepEqual(info.kernels.map((k) => k.name), ['Multiply', 'Sum']);
  tf.dispose([x, other, value, info.result as tf.Tensor]);
});
