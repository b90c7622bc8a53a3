/**
 * One kernel registration for every checkout (npm install's kernelspec, scripts/postinstall.mjs):
 * a notebook runs the kit of the folder it lives in, whichever checkout registered last; a user's
 * own `tslab` kernelspec is kept and npm install says how to undo; a notebook copied outside any
 * kit says in one line what is wrong. Notebooks run through Jupyter's own nbconvert/nbclient.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { root as checkout } from '../helpers/paths.js';
import { codeNotebook as notebook } from './code-notebook.js';

const root = realpathSync(checkout);
const postinstall = join(root, 'scripts', 'postinstall.mjs');
const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'rnnkit-kernelspec-test-')));
after(() => rmSync(tmp, { recursive: true, force: true }));
const hasNbconvert = spawnSync('/usr/bin/python3', ['-c', 'import nbconvert, nbclient'], { stdio: 'ignore' }).status === 0;

function register(dataDir: string): { stdout: string; spec: { argv: string[]; display_name: string; metadata: Record<string, { root: string }> } } {
  const r = spawnSync(process.execPath, [postinstall, 'kernel'], { env: { ...process.env, JUPYTER_DATA_DIR: dataDir }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, spec: JSON.parse(readFileSync(join(dataDir, 'kernels', 'tslab', 'kernel.json'), 'utf8')) };
}


interface Executed { cells: { outputs?: { output_type: string; text?: string | string[]; ename?: string; evalue?: string; traceback?: string[] }[] }[] }

/** Executes the notebook in place with Jupyter's nbconvert (nbclient) and the kernelspec of `dataDir`. */
async function nbconvert(path: string, dataDir: string): Promise<Executed> {
  const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_DATA_DIR: dataDir, JUPYTER_PATH: dataDir };
  delete env.NODE_TEST_CONTEXT;
  const r = await new Promise<{ code: number | null; err: string }>((res) => {
    const child = spawn('/usr/bin/python3', ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--inplace',
      '--ExecutePreprocessor.timeout=120', '--ExecutePreprocessor.kernel_name=tslab', path], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('exit', (code) => res({ code, err }));
  });
  assert.equal(r.code, 0, r.err);
  return JSON.parse(readFileSync(path, 'utf8')) as Executed;
}

const stdout = (nb: Executed, cell: number) => (nb.cells[cell]!.outputs ?? []).filter((o) => o.output_type === 'stream').map((o) => [o.text ?? ''].flat().join('')).join('');

describe('the registered kernel', () => {
  it('is named tslab, displayed as the notebooks name it, and starts the kit\'s kernel program', () => {
    const dataDir = mkdtempSync(join(tmp, 'data-'));
    const { spec } = register(dataDir);
    assert.equal(spec.display_name, 'TypeScript (rnn-course-kit)');
    assert.ok(spec.argv.includes(join(root, 'dist', 'kernel', 'launch.js')));
    assert.deepEqual(spec.argv.slice(-3), ['kernel', '--config-path', '{connection_file}']);
    assert.equal(spec.metadata['rnn-course-kit']!.root, root);
  });

  it('keeps a user\'s own tslab kernelspec, says so and how to undo, once', () => {
    const dataDir = mkdtempSync(join(tmp, 'data-'));
    const own = join(dataDir, 'kernels', 'tslab');
    mkdirSync(own, { recursive: true });
    const mine = { argv: ['/usr/local/bin/tslab', 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
    writeFileSync(join(own, 'kernel.json'), JSON.stringify(mine));
    writeFileSync(join(own, 'logo-64x64.png'), 'png');
    const first = register(dataDir);
    const backup = join(dataDir, 'kernels', 'tslab-before-rnn-course-kit');
    assert.match(first.stdout, /Your own Jupyter kernel 'tslab' \("TypeScript": \/usr\/local\/bin\/tslab kernel\) is now this kit's/);
    assert.match(first.stdout, /kept as the kernel 'tslab-before-rnn-course-kit'/);
    assert.ok(first.stdout.includes(`To undo: rm -r "${own}" && mv "${backup}" "${own}"`), first.stdout);
    const kept = JSON.parse(readFileSync(join(backup, 'kernel.json'), 'utf8')) as typeof mine;
    assert.deepEqual(kept.argv, mine.argv, 'the user\'s kernel still starts their tslab');
    assert.equal(kept.display_name, 'TypeScript (before rnn-course-kit)');
    assert.ok(existsSync(join(backup, 'logo-64x64.png')));
    assert.equal(first.spec.metadata['rnn-course-kit']!.root, root);
    // a second npm install: the spec is the kit's own now; nothing more to keep or say
    const second = register(dataDir);
    assert.doesNotMatch(second.stdout, /Your own Jupyter kernel/);
    assert.deepEqual(JSON.parse(readFileSync(join(backup, 'kernel.json'), 'utf8')), kept);
  });
});

describe('notebooks run the kit of their own folder (Jupyter nbconvert)', { skip: hasNbconvert ? false : 'nbconvert/nbclient are missing for /usr/bin/python3 (python3-nbconvert, python3-nbclient)', concurrency: 1 }, () => {
  const dataDir = mkdtempSync(join(tmp, 'data-'));
  register(dataDir);
  const whichKit = 'console.log(process.env.RNNKIT_KERNEL_KIT)';

  it('a notebook inside this kit runs this kit', async () => {
    const dir = mkdtempSync(join(root, 'notebooks', '.kernelspec-test-'));
    try {
      const path = join(dir, 'here.ipynb');
      writeFileSync(path, notebook([whichKit, "import { linspace } from 'rnn-course-kit';\nconsole.log(linspace(0, 1, 3).join(' '))"]));
      const nb = await nbconvert(path, dataDir);
      assert.equal(stdout(nb, 0).trim(), root);
      assert.equal(stdout(nb, 1).trim(), '0 0.5 1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a notebook inside another checkout runs that checkout, though this one registered the kernel', async () => {
    const other = join(tmp, 'other-checkout');
    mkdirSync(join(other, 'node_modules'), { recursive: true });
    mkdirSync(join(other, 'notebooks'));
    writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'rnn-course-kit', version: '0.0.0-other' }));
    symlinkSync(join(root, 'node_modules', 'tslab'), join(other, 'node_modules', 'tslab'));
    const path = join(other, 'notebooks', 'there.ipynb');
    writeFileSync(path, notebook([whichKit]));
    const nb = await nbconvert(path, dataDir);
    assert.equal(stdout(nb, 0).trim(), other);
  });

  it('a notebook copied outside any kit says in one line what is wrong and what to do', async () => {
    const outside = mkdtempSync(join(tmp, 'downloads-'));
    const path = join(outside, 'copied.ipynb');
    cpSync(join(root, 'test', 'fixtures', 'notebooks', 'plotly.ipynb'), path);
    const nb = await nbconvert(path, dataDir);
    const first = nb.cells.flatMap((c) => c.outputs ?? []).find((o) => o.output_type === 'error');
    assert.ok(first, 'the first cell that imports the kit fails with an error output');
    assert.equal(first.ename, 'KitNotFound');
    assert.equal(first.evalue!.split('\n').length, 1, 'one line');
    assert.ok(first.evalue!.includes(`folder ${outside} is outside the course kit ${root}`), first.evalue);
    assert.ok(first.evalue!.includes(`move the notebook into ${join(root, 'notebooks')}`), first.evalue);
  });
});
