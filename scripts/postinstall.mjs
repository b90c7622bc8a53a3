#!/usr/bin/env node
// Runs after `npm install` / `npm ci`: builds the library, links the package to itself so the
// notebooks can `import ... from 'rnn-course-kit'`, and registers the tslab kernel with Jupyter.
// Every step explains itself; only a failed build fails the install.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => console.log(`[rnn-course-kit] ${msg}`);

function build() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    log('TypeScript is not installed (npm install --omit=dev?): skipping the build of dist/.');
    return;
  }
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error('[rnn-course-kit] The TypeScript build failed (see above).');
    process.exit(r.status ?? 1);
  }
  log('built the library into dist/');
}

function linkSelf() {
  const link = join(root, 'node_modules', 'rnn-course-kit');
  mkdirSync(dirname(link), { recursive: true });
  const target = relative(dirname(link), root) || '.';
  try {
    const st = lstatSync(link);
    if (st.isSymbolicLink() && readlinkSync(link) === target) return;
    rmSync(link, { recursive: true, force: true });
  } catch {
    // not there yet
  }
  symlinkSync(target, link, 'dir');
  log("linked node_modules/rnn-course-kit -> . (notebooks import from 'rnn-course-kit')");
}

function jupyterDataDir() {
  // Where Jupyter looks for user kernelspecs: ask Jupyter, else use its documented default.
  if (process.env.JUPYTER_DATA_DIR) return { dir: process.env.JUPYTER_DATA_DIR, jupyter: true };
  for (const cmd of [['jupyter'], ['/usr/bin/python3', '-m', 'jupyter']]) {
    const r = spawnSync(cmd[0], [...cmd.slice(1), '--data-dir'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return { dir: r.stdout.trim(), jupyter: true };
  }
  const home = homedir();
  const dir = process.platform === 'darwin' ? join(home, 'Library', 'Jupyter')
    : process.platform === 'win32' ? join(process.env.APPDATA ?? home, 'jupyter')
    : join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'jupyter');
  return { dir, jupyter: false };
}

const KERNEL = 'tslab';
const DISPLAY_NAME = 'TypeScript (rnn-course-kit)';
const BACKUP = 'tslab-before-rnn-course-kit';

function readSpec(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * A `tslab` kernelspec that no rnn-course-kit wrote (the user's own tslab): kept, under the name
 * BACKUP, so it stays available in Jupyter; says what changed and how to undo it.
 */
function keepForeignSpec(kernels, spec) {
  const old = readSpec(spec);
  if (!old || old.metadata?.['rnn-course-kit']) return;
  const backup = join(kernels, BACKUP);
  if (!existsSync(backup)) {
    cpSync(spec, backup, { recursive: true });
    writeFileSync(join(backup, 'kernel.json'), JSON.stringify({ ...old, display_name: `${old.display_name ?? 'tslab'} (before rnn-course-kit)` }, null, 2) + '\n');
  }
  log(`Your own Jupyter kernel 'tslab' ("${old.display_name ?? 'tslab'}": ${(old.argv ?? []).slice(0, 2).join(' ')}) is now this kit's.`);
  log(`  It is kept as the kernel '${BACKUP}' (${backup}), still listed in Jupyter; this kit's kernel runs any other`);
  log(`  tslab notebook as well. To undo: rm -r "${spec}" && mv "${backup}" "${spec}"`);
}

function registerKernel() {
  if (process.env.RNNKIT_SKIP_KERNEL === '1') {
    log('RNNKIT_SKIP_KERNEL=1: not registering the Jupyter kernel.');
    return;
  }
  // The kit's kernel program (src/kernel/launch.ts): tslab with the kit's patches, run from the
  // kit of the notebook's own folder, else this one.
  const launcher = join(root, 'dist', 'kernel', 'launch.js');
  if (!existsSync(join(root, 'node_modules', 'tslab', 'bin', 'tslab'))) {
    log('tslab is missing from node_modules: cannot register the kernel.');
    return;
  }
  if (!existsSync(launcher)) {
    log(`the kernel program ${launcher} is not built (npm run build): cannot register the kernel.`);
    return;
  }
  const { dir, jupyter } = jupyterDataDir();
  const kernels = join(dir, 'kernels');
  const spec = join(kernels, KERNEL);
  const previous = readSpec(spec)?.metadata?.['rnn-course-kit']?.root;
  try {
    keepForeignSpec(kernels, spec);
    mkdirSync(spec, { recursive: true });
    // Node options for the kernel (package.json "rnnCourseKit".kernelNodeFlags: a larger young
    // generation, see src/runner/node-flags.ts)
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const flags = pkg.rnnCourseKit?.kernelNodeFlags ?? [];
    writeFileSync(join(spec, 'kernel.json'), JSON.stringify({
      argv: [process.execPath, ...flags, launcher, 'kernel', '--config-path', '{connection_file}'],
      display_name: DISPLAY_NAME,
      language: 'typescript',
      metadata: { 'rnn-course-kit': { root } },
    }, null, 2) + '\n');
  } catch (e) {
    log(`could not register the kernel in ${spec}: ${e.message}`);
    return;
  }
  log(`registered the Jupyter kernel 'tslab' ("${DISPLAY_NAME}") in ${spec}, run by ${process.execPath}`);
  if (previous && previous !== root) {
    log(`  (it was registered by the kit in ${previous}: notebooks there still run that kit, those outside any kit run this one)`);
  }
  if (!jupyter) {
    log('Jupyter itself was not found: install it to open the notebooks, then run `npm start`:');
    log('  pip install jupyterlab        (or on Debian/Ubuntu: sudo apt-get install jupyter-notebook)');
  }
}

/**
 * What to do when the fast `blas` backend cannot load (`reason` from dist/lib/blas/nblas.js), in
 * words a newcomer can act on; null when it loads.
 */
export function blasAdvice(load) {
  if (load.ok) return null;
  const missing = /not installed/.test(load.reason);
  return [
    `The fast 'blas' backend (OpenBLAS; training on the CPU runs 10-20x faster than the 'cpu' backend) is off: ${load.reason}.`,
    missing
      ? '  To enable it: install OpenBLAS (Debian/Ubuntu: sudo apt-get install libopenblas-dev; macOS: brew install openblas), then run `npm install` again (`npm rebuild` does not bring back a skipped optional dependency).'
      : '  To enable it: check that OpenBLAS is installed (Debian/Ubuntu: libopenblas-dev), then run `npm install` again.',
  ].join('\n');
}

function checkBlas() {
  const nblas = join(root, 'dist', 'lib', 'blas', 'nblas.js');
  if (!existsSync(nblas)) return;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `import { loadNblas } from ${JSON.stringify(pathToFileURL(nblas).href)}; const l = loadNblas(); console.log(JSON.stringify({ ok: l.ok, reason: l.reason }));`], { encoding: 'utf8' });
  let load;
  try {
    load = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    load = { ok: false, reason: `nblas could not be checked (${(r.stderr || '').trim().split('\n')[0] || `exit code ${r.status}`})` };
  }
  const advice = blasAdvice(load);
  if (advice) for (const line of advice.split('\n')) log(line);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const only = process.argv[2];
  if (!only || only === 'build') build();
  if (!only || only === 'link') linkSelf();
  if (!only || only === 'kernel') registerKernel();
  if (!only || only === 'blas') checkBlas();
}
