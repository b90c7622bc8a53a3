#!/usr/bin/env node
// `npm start`: opens the notebooks in JupyterLab when it is installed, else in the classic Notebook.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const extra = process.argv.slice(2);
const works = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

let app = null;
if (works('jupyter', ['lab', '--version'])) app = ['jupyter', ['lab']];
else if (works('jupyter', ['notebook', '--version'])) app = ['jupyter', ['notebook']];
else if (works('/usr/bin/python3', ['-m', 'notebook', '--version'])) app = ['/usr/bin/python3', ['-m', 'notebook']];

if (!app) {
  console.error('Jupyter is not installed. Install JupyterLab (pip install jupyterlab) or the classic Notebook');
  console.error('(Debian/Ubuntu: sudo apt-get install jupyter-notebook), then run `npm run kernel` and `npm start` again.');
  process.exit(1);
}
const [cmd, args] = app;
// Jupyter refuses to run as root without this flag (containers, CI machines).
if (process.getuid?.() === 0 && !extra.includes('--allow-root')) extra.push('--allow-root');
console.log(`Opening ${join(root, 'notebooks')} with ${cmd} ${args.join(' ')} ...`);
const child = spawn(cmd, [...args, `--notebook-dir=${join(root, 'notebooks')}`, ...extra], { stdio: 'inherit', cwd: join(root, 'notebooks') });
child.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
