import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianFilter, gaussianFilter1d, gaussianKernel1d } from '../../src/lib/signal/gaussian-filter.js';
import { interp1dLinear, npInterp } from '../../src/lib/signal/interp.js';
import { linspace } from '../../src/lib/signal/linspace.js';
import { npMean, npStd, npSum, pairwiseSum } from '../../src/lib/signal/numpy-sum.js';
import { interpolate } from '../../src/lib/mnist1d/transform.js';
import { maxAbsDiff } from '../helpers/numeric.js';
import { fixture, goldens } from '../helpers/paths.js';

const G = goldens();
const P = fixture<Record<string, number[]>>('mnist1d', 'pieces.json');

test('gaussian_filter(sigma=2) matches SciPy (golden)', (t) => {
  if (!G) return t.skip('../shared/reference/rng_goldens.json is not here');
  const out = gaussianFilter(G['scipy_gaussian_filter_sigma2_input'] as number[], 2);
  assert.ok(maxAbsDiff(out, G['scipy_gaussian_filter_sigma2_output'] as number[]) <= 1e-15);
});

test('interp1d linear 25 -> 40 points matches SciPy (golden)', (t) => {
  if (!G) return t.skip('../shared/reference/rng_goldens.json is not here');
  const input = G['scipy_interp1d_linear_input'] as number[];
  const want = G['scipy_interp1d_linear_25_to_40'] as number[];
  assert.equal(input.length, 25);
  assert.deepEqual(Array.from(interpolate(input, 40)), want);
});

test('gaussian_filter: short signals (repeated reflection), other sigmas (fixture)', () => {
  const s5 = P['filter_input_5']!;
  assert.ok(maxAbsDiff(gaussianFilter(s5, 2), P['filter_sigma2_len5']!) <= 1e-15);
  assert.ok(maxAbsDiff(gaussianFilter(s5, 1.5), P['filter_sigma1p5_len5']!) <= 1e-15);
  assert.ok(maxAbsDiff(gaussianFilter(s5.slice(0, 1), 2), P['filter_sigma2_len1']!) <= 1e-15);
  const s30 = P['filter_input_30']!;
  assert.ok(maxAbsDiff(gaussianFilter(s30, 0.7), P['filter_sigma0p7_len30']!) <= 1e-15);
  assert.ok(maxAbsDiff(gaussianFilter(s30, 3), P['filter_sigma3_len30']!) <= 1e-15);
});

test('gaussian kernel is normalised and symmetric; sigma 0 copies; bad sigma fails', () => {
  const k = gaussianKernel1d(2, 8);
  assert.equal(k.length, 17);
  assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-15);
  for (let i = 0; i < 8; i++) assert.equal(k[i], k[16 - i]);
  assert.deepEqual(Array.from(gaussianFilter([1, 2, 3], 0)), [1, 2, 3]);
  assert.throws(() => gaussianFilter1d([1, 2], -1), /sigma/);
  // constant mode with cval: a constant signal equal to cval stays put
  assert.ok(maxAbsDiff(gaussianFilter1d([3, 3, 3, 3], 1, { mode: 'constant', cval: 3 }), [3, 3, 3, 3]) < 1e-15);
  // boundary modes by hand, radius 1: out[0] = x[0] * w0 + (left + x[1]) * w1
  const w = gaussianKernel1d(1, 1);
  const x = [1, 5, 2, 7];
  const first = (left: number) => x[0]! * w[1]! + (left + x[1]!) * w[0]!;
  assert.equal(gaussianFilter1d(x, 1, { radius: 1 })[0], first(1)); // reflect: x[-1] = x[0]
  assert.equal(gaussianFilter1d(x, 1, { radius: 1, mode: 'mirror' })[0], first(5)); // x[-1] = x[1]
  assert.equal(gaussianFilter1d(x, 1, { radius: 1, mode: 'nearest' })[0], first(1));
  assert.equal(gaussianFilter1d(x, 1, { radius: 1, mode: 'wrap' })[0], first(7)); // x[-1] = x[3]
  assert.equal(gaussianFilter1d(x, 1, { radius: 1, mode: 'constant', cval: -2 })[0], first(-2));
});

test('interpolation: down, up and 2-point cases match SciPy (fixture); bounds are checked', () => {
  const x7 = P['interp_input_7']!;
  assert.deepEqual(Array.from(interpolate(x7, 3)), P['interp_7_to_3']);
  assert.deepEqual(Array.from(interpolate(x7, 13)), P['interp_7_to_13']);
  assert.deepEqual(Array.from(interpolate(x7.slice(0, 2), 5)), P['interp_2_to_5']);
  assert.throws(() => interp1dLinear([0, 1], [1, 2], [1.5]), /above the interpolation range/);
  assert.throws(() => interp1dLinear([0], [1], [0]), /at least 2 entries/);
  assert.deepEqual(Array.from(npInterp([-1, 0.5, 9], [0, 1], [10, 20])), [10, 15, 20]);
});

test('linspace follows NumPy (step multiply, exact end point)', () => {
  assert.deepEqual(Array.from(linspace(0, 1, 5)), [0, 0.25, 0.5, 0.75, 1]);
  const l = linspace(-5, 5, 12);
  assert.equal(l[11], 5);
  assert.equal(l[3], 3 * (10 / 11) - 5);
  assert.deepEqual(Array.from(linspace(2, 2, 3)), [2, 2, 2]);
  assert.deepEqual(Array.from(linspace(1, 3, 1)), [1]);
});

test('sums follow NumPy 1.24 (pairwise, 8192-element chunks)', () => {
  // values chosen so that summation order matters
  const a = Float64Array.from({ length: 20000 }, (_, i) => (i % 3 === 0 ? 1e16 : 1) * (i % 2 ? -1 : 1) + i * 1e-3);
  const naive = a.reduce((s, v) => s + v, 0);
  let chunked = 0;
  for (let s = 0; s < a.length; s += 8192) chunked += pairwiseSum(a, s, Math.min(8192, a.length - s));
  assert.equal(npSum(a), chunked);
  assert.notEqual(npSum(a), naive);
  assert.equal(pairwiseSum([1, 2, 3]), 6);
  assert.equal(npMean([1, 2, 3, 4]), 2.5);
  assert.equal(npStd([1, 1, 3, 3]), 1);
});
