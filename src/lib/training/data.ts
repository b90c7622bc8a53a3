/** `TensorDataset` and `DataLoader` (in order, no shuffling) as in `torch.utils.data`. */
import * as tf from '@tensorflow/tfjs';

/** Tensors that share their first dimension (inputs, labels, ...). */
export class TensorDataset {
  readonly tensors: readonly tf.Tensor[];

  constructor(...tensors: tf.Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset needs at least one tensor');
    const n = tensors[0]!.shape[0];
    for (const t of tensors) {
      if (t.shape[0] !== n) throw new Error(`TensorDataset: size mismatch between tensors (${tensors.map((x) => x.shape[0]).join(' vs ')})`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }
}

export interface DataLoaderOptions {
  /** Samples per batch (default 1); the last batch may be smaller. */
  batchSize?: number;
}

/**
 * Iterates over a dataset in batches, in order (PyTorch's `DataLoader(dataset, batch_size)`
 * without shuffling). The batches are sliced once and reused every epoch: do not dispose them;
 * `dispose()` frees them.
 */
export class DataLoader implements Iterable<tf.Tensor[]> {
  readonly batchSize: number;
  private batches: tf.Tensor[][] | null = null;

  constructor(readonly dataset: TensorDataset, options: DataLoaderOptions = {}) {
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
  }

  /** The number of batches (`len(loader)`). */
  get length(): number {
    return Math.ceil(this.dataset.length / this.batchSize);
  }

  private all(): tf.Tensor[][] {
    if (!this.batches) {
      const out: tf.Tensor[][] = [];
      for (let start = 0; start < this.dataset.length; start += this.batchSize) {
        const size = Math.min(this.batchSize, this.dataset.length - start);
        // Kept: the batches outlive any tf.tidy scope the first iteration may run in.
        out.push(this.dataset.tensors.map((t) => tf.keep(tf.slice(t, start, size))));
      }
      this.batches = out;
    }
    return this.batches;
  }

  [Symbol.iterator](): Iterator<tf.Tensor[]> {
    return this.all()[Symbol.iterator]();
  }

  /** The first batch (`next(iter(loader))`). */
  first(): tf.Tensor[] {
    const b = this.all()[0];
    if (!b) throw new Error('the dataset is empty');
    return b;
  }

  dispose(): void {
    for (const b of this.batches ?? []) for (const t of b) t.dispose();
    this.batches = null;
  }
}
