/**
 * What `npm install` and `npm start` tell a newcomer (scripts/postinstall.mjs, README): the fast
 * backend's missing system library is named once, with what to install and which command then
 * enables it; Jupyter's options pass through `npm start -- ...`; no install script is left
 * undeclared in package.json's allowScripts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { loadNblas } from '../../src/lib/blas/nblas.js';
import { root } from '../helpers/paths.js';

const postinstall = join(root, 'scripts', 'postinstall.mjs');
type Advice = (load: { ok: boolean; reason: string }) => string | null;

test('without OpenBLAS, install says what to install and that npm install must run again', async () => {
  const { blasAdvice } = (await import(pathToFileURL(postinstall).href)) as { blasAdvice: Advice };
  const advice = blasAdvice({ ok: false, reason: 'nblas not installed (optional; needs libopenblas-dev)' })!;
  assert.match(advice, /The fast 'blas' backend .* is off: nblas not installed/);
  assert.match(advice, /sudo apt-get install libopenblas-dev/);
  assert.match(advice, /then run `npm install` again \(`npm rebuild` does not bring back a skipped optional dependency\)/);
  assert.equal(advice.split('\n').length, 2, 'said once, in two lines');
  assert.equal(blasAdvice({ ok: true, reason: 'OpenBLAS sgemm through nblas 2.1.13' }), null);
});

test('the install step reports the backend as this machine has it (silent when nblas loads)', () => {
  const r = spawnSync(process.execPath, [postinstall, 'blas'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const load = loadNblas();
  if (load.ok) assert.equal(r.stdout, '');
  else assert.match(r.stdout, /\[rnn-course-kit\] The fast 'blas' backend/);
});

test('the README says options pass through npm start to Jupyter', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.match(readme, /npm start -- --port \d+/);
});

test('package.json declares every dependency install script (npm 11 allowScripts)', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
  for (const name of ['core-js', 'esbuild', 'zeromq', 'nblas']) assert.equal(typeof pkg.allowScripts[name], 'boolean', name);
  // every installed package with an install script is declared
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
  const withScripts = Object.entries(lock.packages).filter(([path, p]) => path !== '' && p.hasInstallScript).map(([path]) => path.replace(/^.*node_modules\//, ''));
  for (const name of withScripts) assert.ok(name in pkg.allowScripts, `${name} has an install script but is not in allowScripts`);
});
