import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = (p: string) => JSON.stringify(fileURLToPath(new URL(`../../src/${p}`, import.meta.url)));

/** A preload that makes `nblas` unresolvable, as when npm dropped the optional dependency. */
function hideNblas(dir: string): string {
  const hide = join(dir, 'hide-nblas.cjs');
  writeFileSync(
    hide,
    `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'nblas' || request.startsWith('nblas/')) {
    const e = new Error("Cannot find module '" + request + "'");
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  }
  return resolve.call(this, request, ...rest);
};`,
  );
  return hide;
}

test('without nblas, setupBackend picks blas-wasm (the WebAssembly sgemm), says why blas was skipped, and training (Adam, Lab 8 cells, LSTM module) works', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnkit-no-nblas-'));
  try {
    const hide = hideNblas(dir);
    const code = `
      import * as tf from '@tensorflow/tfjs';
      const { setupBackend } = await import(${src('lib/backend.ts')});
      const { buildClassifier } = await import(${src('lib/training/classifier.ts')});
      const { DataLoader, TensorDataset } = await import(${src('lib/training/data.ts')});
      const { train, test } = await import(${src('lib/training/loop.ts')});
      const { Adam } = await import(${src('lib/training/optim.ts')});
      const { crossEntropyLoss } = await import(${src('lib/nn/functional.ts')});
      const { LSTM } = await import(${src('lib/nn/recurrent.ts')});
      const { lab8Cells } = await import(${src('solutions/lab8.ts')});
      const r = await setupBackend({ show: false });
      const x = tf.randomNormal([50, 40], 0, 1, 'float32', 1);
      const y = tf.tensor1d(Array.from({ length: 50 }, (_, i) => i % 10), 'int32');
      const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 25 });
      const model = buildClassifier(lab8Cells.lstm, 3);
      const opt = new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 });
      const [loss] = await train(loader, model, opt, crossEntropyLoss);
      const [testLoss] = await test(loader, model, crossEntropyLoss);
      const lstm = new LSTM(4, 3, { numLayers: 2, batchFirst: true });
      const xs = tf.randomNormal([2, 5, 4]);
      const { value, grads } = tf.variableGrads(() => tf.sum(lstm.call(xs)[0]), lstm.parameters());
      console.log(JSON.stringify({
        name: r.name, reason: r.reason, sgemm: r.sgemm, blas: r.attempts.find((a) => a.name === 'blas'),
        backend: tf.getBackend(), fused: tf.getKernel('LstmSequence', tf.getBackend()) !== undefined, loss, testLoss, lstmLoss: value.dataSync()[0], grads: Object.keys(grads).length,
      }));`;
    const p = spawnSync(process.execPath, ['--require', hide, '--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      env: { ...process.env, RNNKIT_BACKEND: '', RNNKIT_DISPLAY: 'text' },
    });
    assert.equal(p.status, 0, p.stderr);
    const out = JSON.parse(p.stdout.trim().split('\n').pop()!) as {
      name: string; reason: string; sgemm: string; blas: { ok: boolean; detail: string }; backend: string; fused: boolean; loss: number; testLoss: number; lstmLoss: number; grads: number;
    };
    assert.equal(out.name, 'blas-wasm');
    assert.equal(out.backend, 'blas-wasm');
    assert.match(out.sgemm, /^WebAssembly SIMD sgemm /);
    assert.deepEqual(out.blas, { name: 'blas', ok: false, detail: 'nblas not installed (optional; needs libopenblas-dev)' });
    assert.match(out.reason, /^WebAssembly SIMD sgemm .*\(skipped tensorflow: .*; blas: nblas not installed/);
    assert.ok(out.fused, 'the fused recurrent kernels are registered on blas-wasm');
    assert.ok(Number.isFinite(out.loss) && out.loss > 0 && Number.isFinite(out.testLoss), `losses ${out.loss} ${out.testLoss}`);
    assert.ok(Number.isFinite(out.lstmLoss));
    assert.equal(out.grads, 8, 'a gradient for each of the 2-layer LSTM parameters');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without nblas and without a WebAssembly engine that runs the sgemm, setupBackend falls back to wasm and says why at each step', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnkit-no-sgemm-'));
  try {
    const hide = hideNblas(dir);
    // An engine that refuses the sgemm modules (as one without WebAssembly SIMD would).
    const noSgemm = join(dir, 'no-sgemm.cjs');
    writeFileSync(noSgemm, `const validate = WebAssembly.validate;
WebAssembly.validate = (bytes) => Buffer.from(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength).includes('sgemm') ? false : validate(bytes);`);
    const code = `
      const { setupBackend } = await import(${src('lib/backend.ts')});
      const r = await setupBackend({ show: false });
      console.log(JSON.stringify({ name: r.name, sgemm: r.sgemm ?? null, attempts: r.attempts.map((a) => [a.name, a.ok, a.detail]) }));`;
    const p = spawnSync(process.execPath, ['--require', hide, '--require', noSgemm, '--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      env: { ...process.env, RNNKIT_BACKEND: '', RNNKIT_DISPLAY: 'text' },
    });
    assert.equal(p.status, 0, p.stderr);
    const out = JSON.parse(p.stdout.trim().split('\n').pop()!) as { name: string; sgemm: string | null; attempts: [string, boolean, string][] };
    assert.equal(out.name, 'wasm');
    assert.equal(out.sgemm, null);
    assert.deepEqual(out.attempts.map((a) => a[0]), ['tensorflow', 'blas', 'blas-wasm', 'wasm']);
    assert.deepEqual(out.attempts.slice(1), [
      ['blas', false, 'nblas not installed (optional; needs libopenblas-dev)'],
      ['blas-wasm', false, 'WebAssembly SIMD is not available in this JavaScript engine'],
      ['wasm', true, 'WebAssembly (SIMD, single thread in Node)'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
