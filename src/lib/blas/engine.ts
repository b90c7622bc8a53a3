/**
 * A cheaper way for the tfjs engine to keep the tensors a gradient needs, on the blas backend.
 *
 * While recording a gradient tape, the engine keeps every input and output that a kernel's
 * gradient needs by cloning it: `keep(clone(t))`, where `clone` runs the Identity kernel through
 * the whole dispatch path and records a tape node of its own. In recurrent training that is a
 * third of all kernel calls (Lab 8's vanilla cell: 341 of 1001 per batch) and a third of the tape,
 * which the engine then filters and walks again. The clone only shares the data (the backend's
 * reference count goes up); its tape node matters only for gradients of gradients.
 *
 * `installEngineFastPaths()` replaces the engine's `saveTensorsForBackwardMode` with one that,
 * when the active backend is blas and only first-order gradients are being recorded
 * (gradientDepth 1), makes the same kept tensor sharing the data directly, without the kernel call
 * and without the tape node. Everything else (other backends, nested gradients) goes through the
 * original. It checks the engine's shape first (tfjs 4.22) and does nothing if that differs.
 */
import * as tf from '@tensorflow/tfjs';

interface EngineInternals {
  backendName: string;
  state: { gradientDepth: number; tensorInfo: { get(dataId: object): { backend: { incRef(dataId: object): void } } | undefined } };
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: unknown): tf.Tensor;
}

let installed = false;

/** Installs the fast path for `backendName` (once). Returns whether it is installed. */
export function installEngineFastPaths(backendName: string): boolean {
  if (installed) return true;
  const engine = tf.engine() as unknown as EngineInternals;
  const original = engine.saveTensorsForBackwardMode;
  if (
    typeof original !== 'function' || typeof engine.makeTensorFromTensorInfo !== 'function' ||
    typeof engine.state?.gradientDepth !== 'number' || typeof engine.state?.tensorInfo?.get !== 'function'
  ) {
    return false;
  }
  engine.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: tf.Tensor[]): tf.Tensor[] {
    if (this.backendName !== backendName || this.state.gradientDepth !== 1) return original.call(this, tensors);
    return tensors.map((t) => {
      const info = this.state.tensorInfo.get(t.dataId);
      if (!info) return original.call(this, [t])[0]!;
      info.backend.incRef(t.dataId);
      const y = this.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, info.backend);
      (y as unknown as { kept: boolean }).kept = true;
      return y;
    });
  };
  installed = true;
  return true;
}

/**
 * A new tensor object sharing t's data (the backend's reference count goes up): what the Identity
 * and Reshape kernels return, without a kernel call. Only for code that is not being recorded on a
 * gradient tape.
 */
export function shareTensor(t: tf.Tensor, shape: number[] = t.shape): tf.Tensor {
  const engine = tf.engine() as unknown as EngineInternals;
  const info = engine.state.tensorInfo.get(t.dataId);
  if (!info) return tf.reshape(t, shape);
  info.backend.incRef(t.dataId);
  return engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape, dtype: t.dtype }, info.backend);
}

/** Whether a gradient tape is recording (then gradients must be computed with recorded ops). */
export function tapeRecording(): boolean {
  return (tf.engine() as unknown as EngineInternals).state.gradientDepth > 0;
}
