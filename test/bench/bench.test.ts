/**
 * `npm run bench` keeps working: a tiny run (one Lab 8 workload, two timed batches, no PyTorch)
 * prints its table with a time. Not a timing test: the number is only checked to be a time.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { root } from '../helpers/paths.js';

test('npm run bench runs a workload through the built library and prints its row, then the sgemm micro-benchmark', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--backend', 'blas-wasm', '--only', 'lab8-vanilla', '--batches', '2', '--rounds', '1', '--warmup', '1', '--sgemm-ms', '2', '--no-torch', '--no-mnist1d'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `bench exited with ${r.status}: ${r.stderr}`);
  const row = r.stdout.split('\n').find((l) => l.startsWith('| lab8-vanilla '));
  assert.ok(row, `no table row for lab8-vanilla in:\n${r.stdout}`);
  assert.equal(row.split('|')[2]!.trim(), 'blas-wasm', 'the backend chosen with --backend');
  const ms = Number(row.split('|')[4]!.trim());
  assert.ok(Number.isFinite(ms) && ms > 0, `time per batch should be a positive number, got ${row}`);
  assert.match(r.stdout, /^backend: blas-wasm - forced by the force option; WebAssembly SIMD sgemm/m, 'the bench names the active backend and its sgemm');
  const sgemm = r.stdout.split('\n').find((l) => l.startsWith('| 64x128x512 NN '));
  assert.ok(sgemm, `no sgemm row for 64x128x512 in:\n${r.stdout}`);
  const gflops = Number(sgemm.split('|')[2]!.trim());
  assert.ok(Number.isFinite(gflops) && gflops > 0, `GFLOP/s should be a positive number, got ${sgemm}`);
});

test('npm run bench rejects an unknown workload name with a clear message', { timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--only', 'no-such-workload', '--no-torch', '--no-mnist1d'], { cwd: root, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout + r.stderr, /no-such-workload/);
});
