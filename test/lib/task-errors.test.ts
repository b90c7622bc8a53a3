/**
 * A student's first error in each of Lab 8's cell tasks (the notebook's templates as handed out,
 * then with the parameters written but the loop empty) says which task, which step and parameter,
 * and what to do, in one or two lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Module, parameter, uniform_, useCell, clearCells } from '../../src/lib/index.js';

/** The task cell as handed out: parameters null until the student creates them; an empty loop. */
function template(name: string, k: number, withParams: boolean) {
  const cls = class extends Module {
    hiddenSize: number;
    weight_xh: tf.Variable | null = null;
    weight_hh: tf.Variable | null = null;
    bias_xh: tf.Variable | null = null;
    bias_hh: tf.Variable | null = null;
    constructor(inputSize: number, hiddenSize: number) {
      super();
      this.hiddenSize = hiddenSize;
      // START OF YOUR CODE
      if (withParams) {
        this.weight_xh = parameter([inputSize, k * hiddenSize]);
        this.weight_hh = parameter([hiddenSize, k * hiddenSize]);
        this.bias_xh = parameter([k * hiddenSize]);
        this.bias_hh = parameter([k * hiddenSize]);
      }
      // END OF YOUR CODE
      this.resetParams();
    }
    resetParams(): void {
      const std = 1.0 / Math.sqrt(this.hiddenSize);
      uniform_(this.weight_xh!, -std, std);
      uniform_(this.weight_hh!, -std, std);
      uniform_(this.bias_xh!, -std, std);
      uniform_(this.bias_hh!, -std, std);
    }
    forward(x: tf.Tensor): tf.Tensor {
      x = tf.transpose(x, [1, 0, 2]);
      const y: tf.Tensor[] = [];
      // START OF YOUR CODE
      // END OF YOUR CODE
      return tf.transpose(tf.stack(y), [1, 0, 2]);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

const cases = [['vanilla', 'VanillaRNN', 1, 'Task 2.1'], ['gru', 'GRU', 3, 'Task 3.1'], ['lstm', 'LSTM', 4, 'Task 4.1']] as const;

for (const [type, name, k, task] of cases) {
  test(`${task} (${name}): the first error names the task, the parameters and what to do`, async () => {
    clearCells();
    const Cell = await useCell(type, template(name, k, false));
    assert.equal(Cell.name, name);
    assert.throws(() => new Cell(4, 10), (e: Error) => {
      assert.equal(e.message, `${task} (${name} constructor): this.weight_xh, this.weight_hh, this.bias_xh, this.bias_hh are still null. ` +
        'Create them with parameter([rows, columns]) between START OF YOUR CODE and END OF YOUR CODE in the constructor, then run that cell and this one again.');
      assert.equal(e.name, 'TypeError', 'the kind of error stays');
      return true;
    });
  });

  test(`${task} (${name}): with the parameters written and the loop empty, the forward pass says what is missing`, async () => {
    clearCells();
    const Cell = await useCell(type, template(name, k, true));
    const model = new Cell(4, 10);
    assert.ok(model instanceof Module);
    assert.throws(() => model.apply(tf.zeros([2, 3, 4])), (e: Error) => {
      assert.match(e.message, new RegExp(`^${task.replace('.', '\\.')} \\(${name}\\.forward\\): y is still empty after the loop\\. Push the hidden state of every time step onto y \\(y\\.push\\(h\\)\\)`));
      assert.ok(e.message.length < 240, 'one or two lines');
      return true;
    });
  });
}
