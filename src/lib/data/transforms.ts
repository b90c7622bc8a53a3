/**
 * torchvision-style image transforms for TensorFlow.js: `Compose`, `ToTensor`, `Normalize`.
 *
 * PyTorch applies a transform to one sample at a time, when the data loader asks for it. Calling
 * TensorFlow.js once per sample is slow, so these transforms take a whole stack of images at once
 * (a leading batch dimension) and give exactly what applying them to every sample would give:
 *
 * ```ts
 * const transform = new transforms.Compose([
 *   new Unsqueeze(3),                                       // [N, 28, 28] -> [N, 28, 28, 1] (H, W, C)
 *   new transforms.ToTensor(),                              // bytes -> float32 in [0, 1], [N, 1, 28, 28]
 *   new transforms.Normalize([0.5], [0.5]),                 // (x - 0.5) / 0.5 per channel
 * ]);
 * const images = transform.apply(X);                        // X: int32 bytes [N, 28, 28]
 * ```
 *
 * A transform is any object with `apply(x: tf.Tensor): tf.Tensor` (the `Transform` interface), so a
 * notebook can define its own (the I2DL notebook's `Unsqueeze`). `apply` returns a new tensor and
 * leaves its input alone; intermediate tensors of a `Compose` are freed.
 */
import * as tf from '@tensorflow/tfjs';

/** An image transform on a tensor (a single image or a stack of them). */
export interface Transform {
  apply(x: tf.Tensor): tf.Tensor;
}

function isTransform(t: unknown): t is Transform {
  return typeof t === 'object' && t !== null && typeof (t as Transform).apply === 'function';
}

/** `transforms.Compose([t1, t2, ...])`: applies the transforms in order. */
export class Compose implements Transform {
  readonly transforms: readonly Transform[];

  constructor(transforms: Transform[]) {
    if (!Array.isArray(transforms)) throw new TypeError('Compose expects an array of transforms: new Compose([t1, t2])');
    transforms.forEach((t, i) => {
      if (!isTransform(t)) throw new TypeError(`Compose: item ${i} is not a transform (an object with an apply(x) method), got ${t === null ? 'null' : typeof t}`);
    });
    this.transforms = [...transforms];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.transforms.reduce((acc, t) => t.apply(acc), x));
  }

  toString(): string {
    return `Compose(\n${this.transforms.map((t) => `    ${String(t)}`).join('\n')}\n)`;
  }
}

/**
 * `transforms.ToTensor()`: an image [H, W, C] (or a stack [N, H, W, C]) becomes a float32 tensor
 * [C, H, W] ([N, C, H, W]). Integer images (int32 holding bytes 0..255, what a uint8 array is in
 * TensorFlow.js) are divided by 255 in float32, as torchvision does for uint8; float32 images keep
 * their values, as torchvision keeps a float array's.
 */
export class ToTensor implements Transform {
  apply(x: tf.Tensor): tf.Tensor {
    if (!(x instanceof tf.Tensor)) throw new TypeError(`ToTensor: expected a tf.Tensor, got ${x === null ? 'null' : typeof x}`);
    if (x.rank !== 3 && x.rank !== 4) {
      throw new Error(`ToTensor expects an image [H, W, C] or a stack of images [N, H, W, C], got shape [${x.shape.join(', ')}]` +
        (x.rank === 2 ? ' (add the channel dimension first, e.g. with an Unsqueeze transform)' : ''));
    }
    if (x.dtype !== 'int32' && x.dtype !== 'float32') throw new TypeError(`ToTensor: images must be int32 (bytes) or float32, got ${x.dtype}`);
    return tf.tidy(() => {
      const perm = x.rank === 3 ? [2, 0, 1] : [0, 3, 1, 2];
      const chw = tf.transpose(x, perm);
      return x.dtype === 'int32' ? tf.div(tf.cast(chw, 'float32'), 255) : chw;
    });
  }

  toString(): string {
    return 'ToTensor()';
  }
}

/**
 * `transforms.Normalize(mean, std)`: `(x - mean[c]) / std[c]` for every channel c of a float32
 * tensor [C, H, W] or [N, C, H, W] (float32 arithmetic, subtraction first, as torchvision).
 * `mean` and `std` are per-channel arrays (`[0.5]`) or one number for every channel.
 */
export class Normalize implements Transform {
  readonly mean: readonly number[];
  readonly std: readonly number[];

  constructor(mean: number | readonly number[], std: number | readonly number[]) {
    this.mean = typeof mean === 'number' ? [mean] : [...mean];
    this.std = typeof std === 'number' ? [std] : [...std];
    if (this.mean.length === 0 || this.std.length === 0) throw new RangeError('Normalize: mean and std need at least one value');
    for (const v of [...this.mean, ...this.std]) if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`Normalize: mean and std must be finite numbers, got ${v}`);
    if (this.std.some((s) => s === 0)) throw new RangeError('Normalize: std evaluated to zero, leading to division by zero');
  }

  apply(x: tf.Tensor): tf.Tensor {
    if (!(x instanceof tf.Tensor)) throw new TypeError(`Normalize: expected a tf.Tensor, got ${x === null ? 'null' : typeof x}`);
    if (x.dtype !== 'float32') throw new TypeError(`Normalize: expected a float32 tensor (apply ToTensor first), got ${x.dtype}`);
    if (x.rank < 3) throw new Error(`Normalize expects a tensor image [C, H, W] or a stack [N, C, H, W], got shape [${x.shape.join(', ')}]`);
    const c = x.shape[x.rank - 3]!;
    const per = (v: readonly number[], what: string): number[] => {
      if (v.length === c) return [...v];
      if (v.length === 1) return new Array<number>(c).fill(v[0]!);
      throw new Error(`Normalize: ${what} has ${v.length} values for an image with ${c} channels`);
    };
    const m = per(this.mean, 'mean');
    const s = per(this.std, 'std');
    return tf.tidy(() => tf.div(tf.sub(x, tf.tensor3d(m, [c, 1, 1])), tf.tensor3d(s, [c, 1, 1])));
  }

  toString(): string {
    return `Normalize(mean=[${this.mean.join(', ')}], std=[${this.std.join(', ')}])`;
  }
}

/** The transforms under torchvision's module name: `new transforms.Compose([...])`. */
export const transforms = { Compose, ToTensor, Normalize } as const;
