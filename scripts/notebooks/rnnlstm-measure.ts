/**
 * Runs notebooks/ex_rnn_lstm_mnist.ipynb once with the seed's settings and the reference solutions
 * (RNNKIT_SOLUTIONS=1, nothing shortened) and records what the notebook's prose quotes: the printed
 * lines of the two training loops, the time per iteration and per loop, the comparison's and the
 * search's results and times. Writes test/fixtures/rnnlstm/port_run.json (the generator reads the
 * times from it) and the executed notebook to build/notebooks/ex_rnn_lstm_mnist.full.ipynb.
 *
 *   nice -n 19 npx tsx scripts/notebooks/rnnlstm-measure.ts [--note "2 shared cores, ..."]
 *
 * It takes the better part of an hour on a shared 2-core machine; run it rarely.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outputsText, runNotebook } from '../../src/runner/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const notebook = join(root, 'notebooks', 'ex_rnn_lstm_mnist.ipynb');


function lines(text: string): { iteration: number; loss: number; accuracy: number; epoch: string }[] {
  return [...text.matchAll(/Iteration: (\d+)\. Loss: ([-\d.e]+)\. Accuracy: ([\d.]+)%?\. Epochs: (\S+)/g)]
    .map((m) => ({ iteration: Number(m[1]), loss: Number(m[2]), accuracy: Number(m[3]), epoch: m[4]! }));
}

const noteAt = process.argv.indexOf('--note');
const note = noteAt >= 0 ? process.argv[noteAt + 1]! : 'a shared 2-core machine';
const env: Record<string, string> = { RNNKIT_SOLUTIONS: '1', RNNKIT_DATA_MIRROR: process.env.RNNKIT_DATA_MIRROR ?? join(root, '..', 'shared', 'datasets') };
const out = join(root, 'build', 'notebooks', 'ex_rnn_lstm_mnist.full.ipynb');
mkdirSync(dirname(out), { recursive: true });
const t0 = Date.now();
const r = await runNotebook(notebook, { env, timeout: 6 * 3600, output: out });
if (!r.ok) throw new Error(`the run failed: ${r.failed ? `cell ${r.failed.codeCellNumber}: ${r.failed.error?.message}` : r.message}`);
const cell = (start: string) => {
  const c = r.cells.find((x) => x.source.startsWith(start));
  if (!c) throw new Error(`no cell starting with ${start}`);
  return c;
};
const rnnText = outputsText(cell('// RNN Training').outputs);
const lstmText = outputsText(cell('// LSTM Training').outputs);
const rnnSeconds = Number(/RNN: (\d+) iterations in (\d+) s on (\w+)/.exec(rnnText)![2]);
const rnnIterations = Number(/RNN: (\d+) iterations/.exec(rnnText)![1]);
const backend = /RNN: \d+ iterations in \d+ s on (\w+)/.exec(rnnText)![1]!;
const lstmSeconds = Number(/this loop took (\d+) s/.exec(lstmText)![1]);
const compareText = outputsText(cell('const configs').outputs);
const searchText = outputsText(cell('const search = await useTask').outputs);
const secondsOf = (start: string) => (cell(start).duration ?? 0) / 1000;
const result = {
  note,
  backend,
  date: new Date().toISOString().slice(0, 10),
  rnn: { lines: lines(rnnText), iterations: rnnIterations },
  lstm: { lines: lines(lstmText), iterations: rnnIterations },
  rnnSeconds,
  lstmSeconds,
  // the test evaluations (10,000 images every 500 iterations) are included; close enough per iteration
  rnnMsPerIter: (rnnSeconds * 1000) / rnnIterations,
  lstmMsPerIter: (lstmSeconds * 1000) / rnnIterations,
  compareIterations: Number(/test accuracy after (\d+) iterations per configuration/.exec(compareText)![1]),
  compareSeconds: Math.round(secondsOf('const configs')),
  compare: compareText.split('\n').filter((l) => /^(RNN|LSTM) \dL/.test(l)).map((l) => l.trim().replace(/\s{2,}/g, ' | ')),
  searchSeconds: Math.round(secondsOf('const search = await useTask')),
  search: searchText.split('\n').filter((l) => /^\d+ +\d+ +[\d.]+ /.test(l)).map((l) => l.trim().replace(/\s{2,}/g, ' | ')),
  totalSeconds: Math.round((Date.now() - t0) / 1000),
};
writeFileSync(join(root, 'test', 'fixtures', 'rnnlstm', 'port_run.json'), `${JSON.stringify(result, null, 1)}\n`);
console.log(JSON.stringify(result, null, 1));
