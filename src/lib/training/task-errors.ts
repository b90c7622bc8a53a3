/**
 * Errors a student can act on in Lab 8's cell tasks: an error while building or running a student's
 * recurrent cell names the task, the step (constructor or forward pass) and, where it can, the
 * parameter, and says what to do, in one or two lines, instead of a library message from deep
 * inside (`uniform_: got null ...`, `Pass at least one tensor to tf.stack`).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';

type CellCtor = new (inputSize: number, hiddenSize: number) => Module;
/** The same class, typed as a concrete one to extend (Module's forward is abstract). */
type Concrete = new (inputSize: number, hiddenSize: number) => { forward(x: tf.Tensor): tf.Tensor; resetParams(): void };

/** Rewrites an error's message, keeping its kind (name) and its stack's frames. */
function restated(e: unknown, message: string): Error {
  const err = new Error(message);
  if (e instanceof Error) {
    err.name = e.name;
    if (e.stack) err.stack = `${e.name}: ${message}\n${e.stack.split('\n').filter((l) => /^\s+at\s/.test(l)).join('\n')}`;
  }
  return err;
}

const PARAMS = ['weight_xh', 'weight_hh', 'bias_xh', 'bias_hh'];
const YOUR_CODE = 'between START OF YOUR CODE and END OF YOUR CODE';

/** The parameters still null once the constructor has run (without initialising them). */
function missingParams(cls: CellCtor, args: [number, number]): string[] | null {
  try {
    const Probe = class extends (cls as unknown as Concrete) {
      override resetParams(): void { /* the parameters are only inspected */ }
    };
    const probe = new Probe(...args) as unknown as Record<string, unknown>;
    return PARAMS.filter((p) => p in probe && (probe[p] === null || probe[p] === undefined));
  } catch {
    return null;
  }
}

/**
 * `cls` as a subclass that explains its students' errors under `task` (e.g. 'Task 2.1'); the
 * class name and everything else stay the same.
 */
export function explainTaskErrors<C extends CellCtor>(cls: C, task: string): C {
  const name = cls.name || 'the class';
  const Explained = class extends (cls as unknown as Concrete) {
    constructor(inputSize: number, hiddenSize: number) {
      try {
        super(inputSize, hiddenSize);
      } catch (e) {
        const missing = missingParams(cls, [inputSize, hiddenSize]);
        if (missing && missing.length > 0) {
          const list = missing.map((p) => `this.${p}`).join(', ');
          throw restated(e, `${task} (${name} constructor): ${list} ${missing.length > 1 ? 'are' : 'is'} still null. ` +
            `Create ${missing.length > 1 ? 'them' : 'it'} with parameter([rows, columns]) ${YOUR_CODE} in the constructor, then run that cell and this one again.`);
        }
        throw restated(e, `${task} (${name} constructor): ${e instanceof Error ? e.message : String(e)}`);
      }
    }

    override forward(x: tf.Tensor): tf.Tensor {
      try {
        return super.forward(x);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (/Pass at least one tensor to tf\.stack/.test(message)) {
          throw restated(e, `${task} (${name}.forward): y is still empty after the loop. ` +
            `Push the hidden state of every time step onto y (y.push(h)) ${YOUR_CODE}, then run that cell and this one again.`);
        }
        throw restated(e, `${task} (${name}.forward): ${message}`);
      }
    }
  };
  Object.defineProperty(Explained, 'name', { value: cls.name });
  return Explained as unknown as C;
}
