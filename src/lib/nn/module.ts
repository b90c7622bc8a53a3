/**
 * A small `torch.nn.Module` for TensorFlow.js: parameters are `tf.Variable`s held in the module's
 * own properties (in the order they were assigned, as PyTorch registers them), child modules in
 * properties too; `namedParameters()` walks them like `named_parameters()`.
 */
import * as tf from '@tensorflow/tfjs';
// tf.unstack's gradient for one-step sequences (Lab 8's cells): see ../tfjs-fixes.ts
import '../tfjs-fixes.js';

export abstract class Module {
  /**
   * Training mode (`module.training`): true after construction, as in PyTorch. Only layers that
   * behave differently in training (dropout) look at it; switch with `train()` / `eval()`.
   */
  training = true;

  /** The forward pass. Call it through `apply(x)` (PyTorch's `model(x)`). */
  abstract forward(x: tf.Tensor): tf.Tensor;

  /**
   * Runs the forward pass, like calling a PyTorch module. Intermediate tensors are freed (the
   * forward pass runs in `tf.tidy`); gradients still flow when called inside `tf.variableGrads`.
   */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.forward(x));
  }

  /** The child modules with their names, in assignment order. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** This module's own parameters (not its children's), in assignment order. */
  namedOwnParameters(): [string, tf.Variable][] {
    return Object.entries(this).filter((e): e is [string, tf.Variable] => e[1] instanceof tf.Variable);
  }

  /** All parameters with dotted names (`rnn.weight_xh`, `classifier.bias`), like `named_parameters()`. */
  namedParameters(prefix = ''): [string, tf.Variable][] {
    const out: [string, tf.Variable][] = this.namedOwnParameters().map(([n, v]) => [prefix + n, v]);
    for (const [name, child] of this.namedChildren()) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** All parameters, in a stable order (the optimiser keeps its state by position). */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** The number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((n, v) => n + v.size, 0);
  }

  /**
   * A parameter by its dotted name (`model.getParameter('lstm.weight_ih_l0')`), like PyTorch's
   * `get_parameter(target)`.
   */
  getParameter(target: string): tf.Variable {
    const hit = this.namedParameters().find(([n]) => n === target);
    if (!hit) throw new Error(`${this.constructor.name} has no parameter '${target}' (it has ${this.namedParameters().map(([n]) => n).join(', ') || 'none'})`);
    return hit[1];
  }

  /** Sets training mode (`mode = true`) or evaluation mode on this module and all its children, like `module.train(mode)`. Returns this module. */
  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  /** Evaluation mode (`module.eval()`): the same as `train(false)`. Returns this module. */
  eval(): this {
    return this.train(false);
  }

  /** Frees the parameters' memory. */
  dispose(): void {
    for (const v of this.parameters()) v.dispose();
  }
}

/** A module built from a function (no parameters), e.g. `new Lambda((x) => tf.relu(x))`. */
export class Lambda extends Module {
  constructor(private readonly fn: (x: tf.Tensor) => tf.Tensor) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.fn(x);
  }
}

/**
 * A new trainable parameter of the given shape, filled with zeros (PyTorch's
 * `nn.Parameter(torch.Tensor(*shape))`; initialise it afterwards, e.g. with `uniform_`).
 */
export function parameter(shape: number[], name?: string): tf.Variable {
  // tidy frees the zeros tensor; the variable keeps the data
  return tf.tidy(() => tf.variable(tf.zeros(shape), true, name));
}
