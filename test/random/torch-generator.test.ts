import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  Generator, defaultGenerator, manualSeed, normal_, normalValues, rand, randn, uniform_, uniformValues,
} from '../../src/lib/random/torch-generator.js';
import { fixture, goldens } from '../helpers/paths.js';

const fixtures = fixture<Record<string, any>>('lab8', 'torch_generator.json');

/** Exact float32 equality (the reference values are float32 printed as doubles). */
function assertF32(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.equal(actual[i], Math.fround(expected[i]!), `${what}: value ${i} is ${actual[i]}, torch gives ${expected[i]}`);
  }
}

test('shared goldens: uniform_, rand, randn (scalar and vectorised paths)', (t) => {
  const g = goldens() as Record<string, number[]> | undefined;
  if (!g) return t.skip('../shared/reference/rng_goldens.json is not here');
  manualSeed(123);
  const v = tf.variable(tf.zeros([3, 10]));
  uniform_(v, -1 / Math.sqrt(10), 1 / Math.sqrt(10));
  assertF32(v.dataSync(), g['torch_manual_seed_123_uniform_pm_0.316']!, 'uniform_ seed 123');
  v.dispose();
  manualSeed(0);
  assertF32(rand([20]).dataSync(), g['torch_manual_seed_0_rand_20']!, 'rand(20)');
  manualSeed(0);
  assertF32(randn(8).dataSync(), g['torch_manual_seed_0_randn_8']!, 'randn(8)');
  manualSeed(0);
  assertF32(randn([32]).dataSync(), g['torch_manual_seed_0_randn_32']!, 'randn(32)');
});

test('uniform_ matches torch for several seeds and ranges (float32 arithmetic with FMA)', () => {
  let n = 0;
  for (const [name, ref] of Object.entries(fixtures)) {
    if (!name.startsWith('uniform_')) continue;
    manualSeed(ref.seed);
    const a = new Float32Array(37);
    uniform_(a, ref.from, ref.to);
    assertF32(a, ref.values, name);
    n++;
  }
  assert.equal(n, 16);
});

test('randn matches torch for every size class (< 16, multiples of 16, remainders)', () => {
  let n = 0;
  for (const [name, ref] of Object.entries(fixtures)) {
    if (!name.startsWith('randn_') && !name.startsWith('rand_')) continue;
    manualSeed(ref.seed);
    const out = name.startsWith('randn_') ? randn(ref.shape) : rand(ref.shape);
    assert.deepEqual(out.shape, ref.shape);
    assertF32(out.dataSync(), ref.values, name);
    out.dispose();
    n++;
  }
  assert.equal(n, 32);
});

test('a sequence of calls on the global generator (the scalar normal path caches its sine)', () => {
  const ref = fixtures['sequence_seed3'];
  manualSeed(ref.seed);
  ref.calls.forEach(([kind, size]: [string, number], i: number) => {
    const values = kind === 'randn' ? normalValues(size) : uniformValues(size);
    assertF32(values, ref.values[i], `call ${i}: ${kind}(${size})`);
  });
});

test('an explicit Generator is independent of the global one', () => {
  const ref = fixtures['generator_seed77'];
  manualSeed(5);
  const before = defaultGenerator.getState();
  const g = new Generator().manualSeed(77);
  assertF32(rand([4], g).dataSync(), ref.rand4, 'rand4');
  assertF32(randn([3], g).dataSync(), ref.randn3, 'randn3');
  assertF32(randn([17], g).dataSync(), ref.randn17, 'randn17');
  assert.deepEqual(defaultGenerator.getState().engine, before.engine, 'the global generator was not touched');
});

test('manualSeed clears the cached normal; state save/restore; seeds wrap like uint64', () => {
  manualSeed(0);
  const first = normalValues(1)[0];
  manualSeed(0);
  normalValues(1); // leaves a cached value
  manualSeed(0);
  assert.equal(normalValues(1)[0], first);
  const g = new Generator(9);
  normalValues(1, 0, 1, g);
  const s = g.getState();
  const a = normalValues(3, 0, 1, g);
  g.setState(s);
  assert.deepEqual(normalValues(3, 0, 1, g), a);
  assert.deepEqual(uniformValues(4, 0, 1, new Generator(2 ** 32 + 5)), uniformValues(4, 0, 1, new Generator(5)));
  assert.deepEqual(uniformValues(4, 0, 1, new Generator(-1)), uniformValues(4, 0, 1, new Generator(0xffffffff)));
  assert.throws(() => new Generator(1.5), /integer/);
});

test('normal_ with mean and std; rejects non-float variables; leaves no tensors behind', () => {
  const v = tf.variable(tf.zeros([40]));
  const i = tf.variable(tf.zeros([2], 'int32'));
  const before = tf.memory().numTensors;
  normal_(v, 2, 0.5, new Generator(1));
  const ref = normalValues(40, 0, 1, new Generator(1));
  const got = v.dataSync();
  for (let k = 0; k < 40; k++) assert.ok(Math.abs(got[k]! - (2 + 0.5 * ref[k]!)) < 1e-6);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => uniform_(i), /float32/);
  assert.throws(() => uniform_(null as unknown as tf.Variable), /not been created yet/);
  assert.throws(() => normal_(tf.zeros([2]) as unknown as tf.Variable), /expected a tf.Variable/);
  v.dispose();
  i.dispose();
});
