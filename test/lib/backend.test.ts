import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backendSummary, setupBackend } from '../../src/lib/backend.js';

test('setupBackend picks a working backend, reports why, and computes', async () => {
  const r = await setupBackend({ show: false });
  assert.equal(tf.getBackend(), r.name);
  assert.ok(r.attempts.length >= 1);
  assert.equal(r.attempts[r.attempts.length - 1]!.ok, true);
  assert.ok(r.attempts.slice(0, -1).every((a) => !a.ok && a.detail.length > 0), 'each skipped backend says why');
  assert.match(backendSummary(r), new RegExp(`backend: ${r.name}`));
  const y = tf.tidy(() => tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.tensor2d([[1], [1]])));
  assert.deepEqual(await y.array(), [[3], [7]]);
  y.dispose();
});

test('a forced backend is used, and an unknown one is a clear error', async () => {
  const r = await setupBackend({ force: 'cpu', show: false });
  assert.equal(r.name, 'cpu');
  assert.equal(r.forced, true);
  assert.equal(tf.getBackend(), 'cpu');
  const w = await setupBackend({ force: 'wasm', show: false });
  assert.equal(w.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  const saved = process.env.RNNKIT_BACKEND;
  process.env.RNNKIT_BACKEND = 'quantum';
  try {
    await assert.rejects(setupBackend({ show: false }), /^SettingError: RNNKIT_BACKEND must be one of tensorflow, blas, blas-wasm, wasm, cpu, got "quantum"$/);
  } finally {
    if (saved === undefined) delete process.env.RNNKIT_BACKEND;
    else process.env.RNNKIT_BACKEND = saved;
  }
});

test('forcing tensorflow without tfjs-node explains what is missing', async (t) => {
  try {
    await import('@tensorflow/tfjs-node' as string);
    t.skip('tfjs-node is installed here');
    return;
  } catch {
    // expected on machines without libtensorflow
  }
  await assert.rejects(setupBackend({ force: 'tensorflow', show: false }), /forced backend 'tensorflow'.*tfjs-node/);
});

test('the order is tensorflow, blas (OpenBLAS), blas-wasm (WebAssembly sgemm), wasm, cpu, and the blas variants report their sgemm', async () => {
  const { loadNblas, loadWasmSgemm } = await import('../../src/lib/blas/index.js');
  const r = await setupBackend({ force: 'blas-wasm', show: false });
  const sgemm = loadWasmSgemm();
  assert.ok(sgemm.ok, sgemm.reason);
  assert.equal(r.name, 'blas-wasm');
  assert.equal(tf.getBackend(), 'blas-wasm');
  assert.equal(r.sgemm, sgemm.reason);
  assert.match(backendSummary(r), /backend: blas-wasm - forced by the force option; WebAssembly SIMD sgemm/);
  const y = tf.tidy(() => tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.tensor2d([[1], [1]])));
  assert.deepEqual(await y.array(), [[3], [7]]);
  y.dispose();
  // A fresh process with nothing forced: tensorflow is tried first; then blas where nblas loads.
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const backend = JSON.stringify(fileURLToPath(new URL('../../src/lib/backend.ts', import.meta.url)));
  const code = `const { setupBackend } = await import(${backend}); const r = await setupBackend({ show: false }); console.log(JSON.stringify({ name: r.name, sgemm: r.sgemm, attempts: r.attempts.map((a) => a.name) }));`;
  const p = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, RNNKIT_BACKEND: '', RNNKIT_DISPLAY: 'text' } });
  assert.equal(p.status, 0, p.stderr);
  const fresh = JSON.parse(p.stdout.trim().split('\n').pop()!) as { name: string; sgemm?: string; attempts: string[] };
  const nblas = loadNblas();
  if (nblas.ok) {
    assert.deepEqual(fresh, { name: 'blas', sgemm: nblas.reason, attempts: ['tensorflow', 'blas'] });
  } else {
    assert.deepEqual(fresh, { name: 'blas-wasm', sgemm: sgemm.reason, attempts: ['tensorflow', 'blas', 'blas-wasm'] });
  }
});
