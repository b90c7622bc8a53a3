/**
 * The kernel's task naming of students' errors (src/kernel/task-context.ts), without a kernel: the
 * cells a kernel would have run, and the errors it would have caught.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codeOnly, explainCell, taskLabel } from '../../src/kernel/task-context.js';
import { declaredNames } from '../../src/kernel/task-cells.js';
import { cellText } from '../../src/notebook/codec.js';
import { loadNotebook } from '../helpers/notebooks.js';

const lab8 = loadNotebook('lab8_rnn_mnist1d.ipynb');
const vanilla = cellText(lab8.cells.find((c) => (c.metadata as Record<string, unknown>)['task'] === 'lab8.vanilla')!);

function thrown(message: string, frames: string[]): Error {
  const e = new TypeError(message);
  e.stack = [`TypeError: ${message}`, ...frames.map((f) => `    at ${f}`)].join('\n');
  return e;
}
const triple = (e: Error) => ({ ename: e.name, evalue: e.message, traceback: [`${e.name}: ${e.message}`] });

describe('task naming of errors', () => {
  it('labels tasks by number where the course numbers them, else by title', () => {
    assert.equal(taskLabel('Task 2.1: VanillaRNN'), 'Task 2.1');
    assert.equal(taskLabel('Exercise 3: hyper-parameter search (open-ended, not graded)'), 'Exercise 3');
    assert.equal(taskLabel('LSTM'), 'Task "LSTM"');
  });

  it('reads top-level declarations, also destructured, and code without strings and comments', () => {
    assert.deepEqual(declaredNames('const [a, b] = f();\nclass X {}\n  const inner = 1;\nasync function g() {}\nlet { p: q, r } = o;'), ['a', 'b', 'X', 'g', 'q', 'r']);
    const code = codeOnly("f('RNN'); // LSTM\ng(`x ${h.RNN} y`, \"LSTM\") /* RNN */ k(`${`${deep}`}`)");
    assert.deepEqual(code.match(/[\w.]+/g), ['f', 'g', 'h.RNN', 'k', 'deep']);
  });

  it('names the task and step of an error thrown inside a task class, in the task\'s own terms', async () => {
    assert.equal(await explainCell({ code: vanilla, count: 3 }), undefined);
    const missing = thrown('uniform_: got undefined instead of a tf.Variable: the parameter has not been created yet.', [
      'checkTarget (file:///kit/dist/lib/random/torch-generator.js:239:15)', 'VanillaRNN.resetParams (evalmachine.<anonymous>:33:17)',
      'new VanillaRNN (evalmachine.<anonymous>:28:14)', 'evalmachine.<anonymous>:28:15']);
    const e1 = await explainCell({ code: 'const model = new VanillaRNN(D, 10);', count: 4, error: triple(missing), thrown: missing });
    assert.match(e1!.evalue, /^Task 2\.1 \(VanillaRNN constructor\): this\.weight_xh has not been created yet \(nor weight_hh, bias_xh, bias_hh\)\. /);
    assert.equal(e1!.traceback[0], `TypeError: ${e1!.evalue}`);
    const other = thrown('x is not a function', ['VanillaRNN.forward (evalmachine.<anonymous>:50:3)', 'Proxy.run (evalmachine.<anonymous>:76:14)']);
    const e2 = await explainCell({ code: 'await run(VanillaRNN);', count: 5, error: triple(other), thrown: other });
    assert.equal(e2!.evalue, 'Task 2.1 (VanillaRNN.forward): x is not a function');
    // a frame of a class that is no task's, and a cell that names no task: left as it was
    const plain = thrown('boom', ['Helper.go (evalmachine.<anonymous>:1:1)']);
    assert.equal((await explainCell({ code: 'new Helper().go(); // VanillaRNN', count: 6, error: triple(plain), thrown: plain }))!.evalue, 'boom');
  });

  it('says which failed cell declared a name that a later cell cannot find', async () => {
    const failed = thrown('bad', []);
    await explainCell({ code: 'const libraryRnn = 1;\nconst [outA, outB] = g();', count: 7, error: triple(failed), thrown: failed });
    const diag = { ename: 'TypeScriptError', evalue: "1:13 - Cannot find name 'libraryRnn'.", traceback: ["1:13 - Cannot find name 'libraryRnn'.", "1:30 - Cannot find name 'outB'.", "2:1 - Cannot find name 'other'."] };
    const e = await explainCell({ code: 'console.log(libraryRnn, outB, other);', count: 8, error: diag });
    assert.deepEqual(e!.traceback.slice(3), ['libraryRnn, outB are declared in a cell that failed (In [7]): fix that cell and run it again, then this one.']);
    // once a cell declaring them runs, the hint goes
    await explainCell({ code: 'const libraryRnn = 2;\nconst outB = 3;', count: 9 });
    assert.equal((await explainCell({ code: 'libraryRnn;', count: 10, error: diag }))!.traceback.length, 3);
  });
});
