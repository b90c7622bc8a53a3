/**
 * The layers the course's models are built from, named and initialised like `torch.nn`.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultGenerator, uniform_, type Generator } from '../random/torch-generator.js';
import { Module, parameter } from './module.js';

function normDim(dim: number, rank: number): number {
  const d = dim < 0 ? dim + rank : dim;
  if (d < 0 || d >= rank) throw new RangeError(`dimension ${dim} is out of range for a tensor of rank ${rank}`);
  return d;
}

/** `nn.Unflatten(dim, sizes)`: splits dimension `dim` into `sizes`. */
export class Unflatten extends Module {
  constructor(readonly dim: number, readonly sizes: readonly number[]) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    const d = normDim(this.dim, x.rank);
    const n = this.sizes.reduce((a, b) => a * b, 1);
    if (n !== x.shape[d]) throw new Error(`Unflatten: sizes [${this.sizes.join(', ')}] do not multiply to dimension ${d} of shape [${x.shape.join(', ')}]`);
    return x.reshape([...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }
}

/** `nn.Flatten(startDim = 1, endDim = -1)`: merges dimensions startDim..endDim. */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    const s = normDim(this.startDim, x.rank);
    const e = normDim(this.endDim, x.rank);
    const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
    return x.reshape([...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
  }
}

/**
 * The bound of PyTorch's default `Linear` initialisation, computed as PyTorch computes it:
 * `kaiming_uniform_(weight, a=sqrt(5))` gives `sqrt(3) * gain / sqrt(fan_in)` with
 * `gain = sqrt(2 / (1 + a^2))`, i.e. 1/sqrt(fan_in) up to the last bit.
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  const gain = Math.sqrt(2.0 / (1 + a ** 2));
  const std = gain / Math.sqrt(fanIn);
  return Math.sqrt(3.0) * std;
}

export interface LinearOptions {
  bias?: boolean;
  /** Generator for the initial values (default: the global one, as in PyTorch). */
  generator?: Generator;
}

/**
 * `nn.Linear(inFeatures, outFeatures)`: `y = x W^T + b` with `weight` of shape [out, in] as in
 * PyTorch, initialised like PyTorch: weight ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming-uniform with
 * a = sqrt(5)), then bias ~ U(-1/sqrt(in), 1/sqrt(in)), drawn in that order from the generator.
 */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    this.weight = parameter([outFeatures, inFeatures]);
    this.bias = options.bias === false ? null : parameter([outFeatures]);
    this.resetParameters(options.generator ?? defaultGenerator);
  }

  /** PyTorch's `reset_parameters()`. */
  resetParameters(gen: Generator = defaultGenerator): void {
    uniform_(this.weight, -kaimingUniformBound(this.inFeatures), kaimingUniformBound(this.inFeatures), gen);
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, -bound, bound, gen);
    }
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const y = tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D, false, true);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}

/**
 * `nn.Sequential`: applies its modules in order. Give them names with an object (PyTorch's
 * `OrderedDict`): `new Sequential({ reshape: ..., rnn: ..., flat: ..., classifier: ... })`, or
 * list them (`new Sequential(a, b, c)`: named 0, 1, 2).
 */
export class Sequential extends Module {
  private readonly layers: [string, Module][];

  constructor(...modules: [Record<string, Module>] | Module[]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first !== undefined && !(first instanceof Module)) {
      this.layers = Object.entries(first);
    } else {
      this.layers = (modules as Module[]).map((m, i) => [String(i), m]);
    }
    for (const [name, m] of this.layers) {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: '${name}' is not a Module`);
    }
  }

  override namedChildren(): [string, Module][] {
    return [...this.layers];
  }

  /** A child by name (`model.get('rnn')`) or position. */
  get(key: string | number): Module {
    const hit = typeof key === 'number' ? this.layers[key] : this.layers.find(([n]) => n === key);
    if (!hit) throw new Error(`Sequential has no module ${JSON.stringify(key)}`);
    return hit[1];
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.layers.reduce((h, [, m]) => m.apply(h), x));
  }
}
