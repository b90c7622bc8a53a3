import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { root } from '../helpers/paths.js';

const postinstall = join(root, 'scripts', 'postinstall.mjs');

test('the kernelspec launches this project\'s kernel program (tslab with the kit\'s patches) with this Node', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rnnkit-jupyter-'));
  try {
    const r = spawnSync(process.execPath, [postinstall, 'kernel'], { env: { ...process.env, JUPYTER_DATA_DIR: dataDir }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const spec = JSON.parse(readFileSync(join(dataDir, 'kernels', 'tslab', 'kernel.json'), 'utf8'));
    const flags = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).rnnCourseKit.kernelNodeFlags as string[];
    assert.ok(flags.includes('--max-semi-space-size=128'), 'the kernel runs with a 128 MB young generation');
    assert.equal(spec.argv[0], process.execPath);
    assert.deepEqual(spec.argv.slice(1, 1 + flags.length), flags);
    assert.equal(spec.argv[1 + flags.length], join(root, 'dist', 'kernel', 'launch.js'));
    assert.ok(existsSync(spec.argv[1 + flags.length]), 'the kernel program is built');
    assert.deepEqual(spec.argv.slice(2 + flags.length), ['kernel', '--config-path', '{connection_file}']);
    // npm run bench measures with the kernel's options
    const bench = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.bench as string;
    for (const f of flags) assert.ok(bench.includes(f), `the bench script runs with ${f}`);
    assert.equal(spec.language, 'typescript');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the package is linked to itself so notebooks can import it by name', () => {
  const r = spawnSync(process.execPath, [postinstall, 'link'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const link = join(root, 'node_modules', 'rnn-course-kit');
  assert.equal(readlinkSync(link), '..');
  assert.equal(realpathSync(link), realpathSync(root));
  // Resolution from the notebooks folder, as tslab does it.
  const resolved = spawnSync(process.execPath, ['-e', "console.log(require.resolve('rnn-course-kit'))"], { cwd: join(root, 'notebooks'), encoding: 'utf8' });
  assert.equal(resolved.status, 0, resolved.stderr);
  assert.equal(realpathSync(resolved.stdout.trim()), realpathSync(join(root, 'dist', 'api', 'index.js')));
});

test('the skip setting leaves Jupyter alone', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rnnkit-jupyter-'));
  try {
    const r = spawnSync(process.execPath, [postinstall, 'kernel'], { env: { ...process.env, JUPYTER_DATA_DIR: dataDir, RNNKIT_SKIP_KERNEL: '1' }, encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /RNNKIT_SKIP_KERNEL=1/);
    assert.equal(existsSync(join(dataDir, 'kernels')), false);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
