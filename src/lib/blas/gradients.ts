/**
 * Fused backward kernels for the blas backend. tfjs computes the gradient of sigmoid as
 * dy * (y * (1 - y)) and of tanh as (1 - y^2) * dy: three kernel calls and three temporaries
 * each, for the most frequent ops of a recurrent network. Here the gradient functions of Sigmoid
 * and Tanh are wrapped: on the blas backend (float32) they run one kernel that does the same float32
 * arithmetic in one pass (identical results); on every other backend, or for other dtypes, the
 * original tfjs gradient runs unchanged. The fused kernels have gradients of their own, so
 * higher-order derivatives keep working.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, type CpuLikeBackend } from './matmul.js';
import { blasPool } from './pool.js';
import { shareTensor, tapeRecording } from './engine.js';
import { simdFor, type GradOp } from './simd.js';

type TensorInfo = tf.TensorInfo;

export const SIGMOID_GRAD = 'BlasSigmoidGrad';
export const TANH_GRAD = 'BlasTanhGrad';

const fround = Math.fround;

function fusedKernel(op: GradOp, loop: (o: Float32Array, dy: Float32Array, y: Float32Array) => void): tf.KernelFunc {
  return (args) => {
    const { dy, y } = args.inputs as { dy: TensorInfo; y: TensorInfo };
    const backend = args.backend as unknown as CpuLikeBackend;
    const dv = f32(backend, dy);
    const yv = f32(backend, y);
    if (dv.length !== yv.length) throw new Error(`${SIGMOID_GRAD}/${TANH_GRAD}: dy and y differ in size`);
    const n = dv.length;
    const out = blasPool.alloc(n);
    // the same float32 steps, four lanes at a time (./simd.ts)
    const s = simdFor(n, 3);
    if (s !== undefined) s.grad(op, dv, yv, out);
    else loop(out, dv, yv);
    return backend.makeTensorInfo(y.shape.slice(), 'float32', out);
  };
}

/** dy * fround(y * fround(1 - y)): the float32 steps of tfjs's mul(dy, mul(y, sub(1, y))). */
function sigmoidGradLoop(o: Float32Array, dy: Float32Array, y: Float32Array): void {
  for (let i = 0; i < o.length; i++) {
    const yi = y[i]!;
    o[i] = dy[i]! * fround(yi * fround(1 - yi));
  }
}

/** fround(1 - fround(y * y)) * dy: the float32 steps of tfjs's mul(sub(1, square(y)), dy). */
function tanhGradLoop(o: Float32Array, dy: Float32Array, y: Float32Array): void {
  for (let i = 0; i < o.length; i++) {
    const yi = y[i]!;
    o[i] = fround(1 - fround(yi * yi)) * dy[i]!;
  }
}

/** The backends with the fused kernels (the blas backend's variants). */
const fusedBackends = new Set<string>();
const onFusedBackend = () => fusedBackends.has(tf.getBackend());

/** Registers the fused kernels on `backendName` and wraps the Sigmoid / Tanh gradients (once). */
export function installFusedGradients(backendName: string): void {
  if (fusedBackends.has(backendName)) return;
  tf.registerKernel({ kernelName: SIGMOID_GRAD, backendName, kernelFunc: fusedKernel('sigmoid', sigmoidGradLoop) });
  tf.registerKernel({ kernelName: TANH_GRAD, backendName, kernelFunc: fusedKernel('tanh', tanhGradLoop) });
  fusedBackends.add(backendName);
  if (fusedBackends.size > 1) return;

  // Gradients of the fused kernels (second-order derivatives).
  tf.registerGradient({
    kernelName: SIGMOID_GRAD,
    inputsToSave: ['dy', 'y'],
    gradFunc: (g, saved) => {
      const [dy, y] = saved as [tf.Tensor, tf.Tensor];
      return {
        dy: () => tf.mul(g as tf.Tensor, tf.mul(y, tf.sub(1, y))),
        y: () => tf.mul(g as tf.Tensor, tf.mul(dy, tf.sub(1, tf.mul(2, y)))),
      };
    },
  });
  tf.registerGradient({
    kernelName: TANH_GRAD,
    inputsToSave: ['dy', 'y'],
    gradFunc: (g, saved) => {
      const [dy, y] = saved as [tf.Tensor, tf.Tensor];
      return {
        dy: () => tf.mul(g as tf.Tensor, tf.sub(1, tf.square(y))),
        y: () => tf.mul(g as tf.Tensor, tf.mul(dy, tf.mul(-2, y))),
      };
    },
  });

  installBinaryGradients();

  for (const [kernelName, fused] of [['Sigmoid', SIGMOID_GRAD], ['Tanh', TANH_GRAD]] as const) {
    const original = tf.getGradient(kernelName);
    if (!original) continue;
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) => {
        const y = saved[0];
        if (!onFusedBackend() || Array.isArray(dy) || dy.dtype !== 'float32' || !y || y.dtype !== 'float32') {
          return original.gradFunc(dy, saved, attrs);
        }
        return { x: () => tf.engine().runKernel(fused, { dy, y }) as tf.Tensor };
      },
    });
  }
}

/**
 * The gradients of Add, Sub and Multiply with fewer kernel calls on the blas backend, for the
 * usual first-order backward pass (no tape recording) of float32 tensors: where tfjs reshapes
 * dy to the shape it already has (a Reshape kernel per input of every Add) the tensor is shared
 * directly, and Multiply's gradient skips the cast of a float32 input to float32 (a Cast kernel).
 * The values are the same; other backends, dtypes and higher-order gradients run tfjs's gradient.
 */
type GradientMap = ReturnType<tf.GradConfig['gradFunc']>;

function installBinaryGradients(): void {
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  /** dy summed over the axes x was broadcast along, in x's shape. */
  const reduceTo = (dy: tf.Tensor, x: tf.Tensor, outShape: number[]): tf.Tensor => {
    const axes = tf.broadcast_util.getReductionAxes(x.shape, outShape);
    if (axes.length > 0) {
      const s = tf.sum(dy, axes);
      return same(s.shape, x.shape) ? s : tf.reshape(s, x.shape);
    }
    return same(dy.shape, x.shape) ? shareTensor(dy) : tf.reshape(dy, x.shape);
  };
  const fast = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): dy is tf.Tensor =>
    onFusedBackend() && !Array.isArray(dy) && dy.dtype === 'float32' &&
    saved.length === 2 && saved[0]!.dtype === 'float32' && saved[1]!.dtype === 'float32' && !tapeRecording();
  const wrap = (kernelName: string, gradFunc: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor, outShape: number[]) => GradientMap) => {
    const original = tf.getGradient(kernelName);
    if (!original) return;
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) => {
        if (!fast(dy, saved)) return original.gradFunc(dy, saved, attrs);
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        return gradFunc(dy, a, b, tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape));
      },
    });
  };
  wrap('Add', (dy, a, b, out) => ({ a: () => reduceTo(dy, a, out), b: () => reduceTo(dy, b, out) }));
  wrap('Sub', (dy, a, b, out) => ({ a: () => reduceTo(dy, a, out), b: () => tf.neg(reduceTo(dy, b, out)) }));
  wrap('Multiply', (dy, a, b, out) => ({ a: () => reduceTo(tf.mul(dy, b), a, out), b: () => reduceTo(tf.mul(dy, a), b, out) }));
}
