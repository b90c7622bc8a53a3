import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BufferPool } from '../../src/lib/blas/pool.js';
import { data, skip } from './helpers.js';

test('BufferPool recycles only arrays it made, once, and never escaped ones', () => {
  const pool = new BufferPool(1024 * 1024, 4, 16);
  const a = pool.alloc(100);
  assert.equal(a.length, 100);
  assert.ok(pool.isOwned(a));
  pool.release(a);
  assert.equal(pool.bytesFree, 400);
  pool.release(a); // a second release is ignored
  assert.equal(pool.bytesFree, 400);
  const b = pool.alloc(100);
  assert.equal(b, a, 'the released array is handed out again');
  assert.equal(pool.bytesFree, 0);
  assert.notEqual(pool.alloc(100), a, 'an array in use is not handed out twice');

  const mine = new Float32Array(100);
  pool.release(mine);
  assert.equal(pool.bytesFree, 0, 'arrays made elsewhere are not taken');

  const c = pool.alloc(50);
  pool.escape(c);
  assert.equal(pool.isOwned(c), false);
  pool.release(c);
  assert.equal(pool.bytesFree, 0, 'escaped arrays are not recycled');

  const small = pool.alloc(8);
  pool.release(small);
  assert.equal(pool.bytesFree, 0, 'arrays below minLength are not pooled');

  const zs = pool.alloc(20);
  zs.fill(7);
  pool.release(zs);
  assert.deepEqual(Array.from(pool.zeros(20)), new Array(20).fill(0), 'zeros() clears a recycled array');

  // limits: at most maxPerLength per length, at most maxBytes in all
  const many = Array.from({ length: 6 }, () => pool.alloc(32));
  for (const m of many) pool.release(m);
  assert.equal(pool.bytesFree, 4 * 32 * 4);
  const big = new BufferPool(1000, 10, 16);
  const x = big.alloc(200);
  const y = big.alloc(200);
  big.release(x);
  big.release(y);
  assert.equal(big.bytesFree, 800);
  big.clear();
  assert.equal(big.bytesFree, 0);
});

/** A float32 tensor of n values computed by a blas kernel (so its array comes from the pool). */
function computed(n: number, seed: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.tensor(data(n, seed)), 0.5));
}

test('on blas, disposed tensors give their arrays back and reads keep their values', { skip }, async () => {
  await tf.setBackend('blas');
  const n = 4096;
  const before = tf.memory().numTensors;

  // dataSync hands out the backend's own array: it must not be overwritten later
  const t1 = computed(n, 1);
  const read = t1.dataSync();
  const copy = Float32Array.from(read);
  t1.dispose();
  const t2 = computed(n, 2);
  assert.deepEqual(Array.from(read), Array.from(copy), 'an array read with dataSync() was reused');
  t2.dispose();

  // the same for data()
  const t3 = computed(n, 3);
  const asyncRead = await t3.data();
  const copy3 = Float32Array.from(asyncRead as Float32Array);
  t3.dispose();
  computed(n, 4).dispose();
  assert.deepEqual(Array.from(asyncRead as Float32Array), Array.from(copy3), 'an array read with data() was reused');

  // a cpu kernel that returns a view of its input (a contiguous strided slice is a subarray)
  const t5 = computed(n, 5);
  const view = tf.tidy(() => tf.stridedSlice(t5.reshape([64, 64]), [0, 0], [32, 64]));
  const want = Array.from(data(n, 5).slice(0, 32 * 64), (v) => Math.fround(v + 0.5));
  t5.dispose();
  const others = [computed(n, 6), computed(n, 7), computed(n, 8)];
  assert.deepEqual(Array.from(view.dataSync()), want, 'a view made by a cpu kernel saw its buffer reused');
  tf.dispose([view, ...others]);

  // a disposed tensor's array is reused by the next output of that size, with correct values
  const t9 = computed(n, 9);
  const arr = (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(t9.dataId).values;
  t9.dispose();
  const t10 = computed(n, 10);
  const arr10 = (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(t10.dataId).values;
  assert.equal(arr10, arr, 'the array was recycled');
  assert.deepEqual(Array.from(t10.dataSync()), Array.from(data(n, 10), (v) => Math.fround(v + 0.5)));
  t10.dispose();

  // reshape shares the data: disposing one of two views keeps the array alive
  const t11 = computed(n, 11);
  const r11 = t11.reshape([n]);
  t11.dispose();
  computed(n, 12).dispose();
  assert.deepEqual(Array.from(r11.dataSync()), Array.from(data(n, 11), (v) => Math.fround(v + 0.5)));
  r11.dispose();

  assert.equal(tf.memory().numTensors, before);
});
