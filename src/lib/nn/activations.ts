/**
 * Activation functions as modules (`nn.Sigmoid()`, `nn.Tanh()`, `nn.ReLU()`), for `Sequential`
 * models and for code that keeps an activation as a layer (`this.actOut = new Sigmoid()`).
 * They have no parameters; `apply(x)` computes the function elementwise.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

/** `nn.Sigmoid()`: 1 / (1 + exp(-x)), elementwise. */
export class Sigmoid extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(x);
  }
}

/** `nn.Tanh()`: the hyperbolic tangent, elementwise. */
export class Tanh extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tanh(x);
  }
}

/** `nn.ReLU()`: max(0, x), elementwise. */
export class ReLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}
