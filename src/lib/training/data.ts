/**
 * `TensorDataset` and `DataLoader` as in `torch.utils.data`: batches in order, or reshuffled every
 * epoch (`shuffle: true`) with the same random draws as PyTorch 1.13, so that after the same
 * `manualSeed(s)` a port sees the batches of its PyTorch original in the same order.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultGenerator, Generator, randomInt64, randpermValues } from '../random/torch-generator.js';
import { limit } from '../settings.js';

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
  /** Samples per batch (default 1); the last batch may be smaller (see `dropLast`). */
  batchSize?: number;
  /** A new random order every epoch (`shuffle=True`; default false: in order). */
  shuffle?: boolean;
  /** Leave out the last batch when it is incomplete (`drop_last=True`; default false). */
  dropLast?: boolean;
  /**
   * The generator the loader draws from (`DataLoader(generator=g)`); default the global one, which
   * `manualSeed` seeds. As in PyTorch, with a generator the permutations come from it directly;
   * without one each epoch draws a seed from the global generator for a fresh permutation generator.
   */
  generator?: Generator;
  /**
   * Draw PyTorch's per-epoch worker seed (`_base_seed`, two words of the generator) when an epoch
   * starts. Every PyTorch `DataLoader` iteration does, shuffled or not; this defaults to `shuffle`
   * so that in-order loaders leave the global generator alone (Lab 8's loaders replace PyTorch code
   * that used no DataLoader). Set it on an in-order loader that stands for a PyTorch
   * `DataLoader(shuffle=False)` iterated between shuffled epochs (a test loader, as in the exercise sheet), to
   * keep the global generator in step with the original.
   */
  drawBaseSeed?: boolean;
}

/**
 * Iterates over a dataset in batches, like PyTorch's `DataLoader(dataset, batch_size, shuffle,
 * drop_last, generator)` (one process, default collation): each batch is an array with one tensor
 * per dataset tensor, `[inputs, labels]`.
 *
 * Who owns the batches: the loader. Never dispose a batch yourself; `dispose()` frees everything
 * the loader still holds. To keep a batch beyond the lifetimes below, clone it (`t.clone()`).
 * - In order (`shuffle: false`): the batches are sliced once, on first use, and the same tensors
 *   are handed out every epoch; they live until `dispose()`.
 * - Shuffled: every epoch gathers new batches. A batch lives until its iterator moves on (the next
 *   `next()`), the epoch ends, or the loop is left early (`break`, `return`, an exception: the
 *   iterator's `return()` frees it). So an epoch keeps one batch alive at a time and leaves no
 *   tensors behind. `first()` keeps its batch until the next `first()` or `dispose()`.
 *
 * Random draws per epoch, as PyTorch 1.13 makes them: the worker seed (`drawBaseSeed`), then, at the
 * first batch, the order: `torch.randperm(n, generator)` from the loader's generator, or (without
 * one) from a new generator seeded with a 63-bit integer drawn from the global generator; and when
 * an epoch runs to its end, the one more permutation PyTorch's sampler draws there (visible only
 * with an explicit generator).
 */
export class DataLoader implements Iterable<tf.Tensor[]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly drawBaseSeed: boolean;
  private readonly generator: Generator | undefined;
  private batches: tf.Tensor[][] | null = null;
  /** Shuffled batches handed out and not yet freed. */
  private readonly live = new Set<tf.Tensor[]>();
  private firstBatch: tf.Tensor[] | null = null;

  constructor(readonly dataset: TensorDataset, options: DataLoaderOptions = {}) {
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.drawBaseSeed = options.drawBaseSeed ?? this.shuffle;
    if (options.generator !== undefined && !(options.generator instanceof Generator)) throw new TypeError('DataLoader: generator must be a Generator (from this library)');
    this.generator = options.generator;
  }

  /**
   * The number of batches a pass yields (`len(loader)`): all of the dataset's, or fewer in a
   * shortened run (RNNKIT_BATCHES=<n>, RNNKIT_QUICK=1: tests, CI).
   */
  get length(): number {
    return limit('batches', this.fullLength());
  }

  private fullLength(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** [start, size] of every batch of an epoch (of a shortened one: its first batches). */
  private spans(count = this.length): [number, number][] {
    const out: [number, number][] = [];
    const n = this.dataset.length;
    for (let start = 0; start < n && out.length < count; start += this.batchSize) {
      const size = Math.min(this.batchSize, n - start);
      if (size < this.batchSize && this.dropLast) break;
      out.push([start, size]);
    }
    return out;
  }

  /** True when a pass stops before the dataset's end (a shortened run): like leaving the loop early. */
  private shortened(): boolean {
    return this.length < this.fullLength();
  }

  private inOrder(): tf.Tensor[][] {
    if (!this.batches) {
      // Kept: the batches outlive any tf.tidy scope the first iteration may run in.
      this.batches = this.spans(this.fullLength()).map(([start, size]) => this.dataset.tensors.map((t) => tf.keep(tf.slice(t, start, size))));
    }
    return this.batches;
  }

  /** The start of an epoch: PyTorch's `_BaseDataLoaderIter.__init__` draws the worker seed. */
  private startEpoch(): void {
    if (this.drawBaseSeed) randomInt64(this.generator ?? defaultGenerator);
  }

  /** This epoch's sample order (`RandomSampler.__iter__`). */
  private permutation(): Int32Array {
    const n = this.dataset.length;
    if (this.generator) return randpermValues(n, this.generator);
    const seed = randomInt64(defaultGenerator);
    return randpermValues(n, new Generator(seed));
  }

  private gather(order: Int32Array, start: number, size: number): tf.Tensor[] {
    const batch = tf.tidy(() => {
      const idx = tf.tensor1d(order.subarray(start, start + size), 'int32');
      return this.dataset.tensors.map((t) => tf.gather(t, idx));
    });
    // Kept, so that a tf.tidy around the loop body cannot free it; the loader frees it.
    for (const t of batch) tf.keep(t);
    this.live.add(batch);
    return batch;
  }

  private release(batch: tf.Tensor[] | null): void {
    if (!batch) return;
    if (this.live.delete(batch)) for (const t of batch) t.dispose();
  }

  private shuffledEpoch(): IterableIterator<tf.Tensor[]> & { detach(): tf.Tensor[] | null } {
    this.startEpoch();
    const spans = this.spans();
    const cut = this.shortened();
    const n = this.dataset.length;
    let order: Int32Array | null = null;
    let pos = 0;
    let current: tf.Tensor[] | null = null;
    let exhausted = false;
    // When PyTorch's RandomSampler runs out of samples it still evaluates its tail,
    // `torch.randperm(n, generator)[:num_samples % n]`: one more permutation (n - 1 words) from the
    // loader's generator (from the per-epoch generator, which nobody sees, without one).
    const exhaust = (): void => {
      if (!exhausted && this.generator) randpermValues(n, this.generator);
      exhausted = true;
    };
    const done = (): IteratorResult<tf.Tensor[]> => ({ done: true, value: undefined });
    const it = {
      [Symbol.iterator]: () => it,
      next: () => {
        this.release(current);
        current = null;
        // the order is drawn when the first batch is asked for, as in PyTorch
        order ??= this.permutation();
        const span = spans[pos];
        if (!span) {
          // the sampler is asked past its end (after a full last batch, or with dropLast); a
          // shortened pass ends as a loop left early does (PyTorch's sampler abandoned)
          if (cut) exhausted = true;
          exhaust();
          return done();
        }
        // an incomplete last batch is collected by reading the sampler to its end
        if (span[1] < this.batchSize) exhaust();
        pos++;
        current = this.gather(order, span[0], span[1]);
        return { done: false, value: current };
      },
      return: () => {
        this.release(current);
        current = null;
        pos = spans.length;
        exhausted = true; // left early: PyTorch's sampler is abandoned, not exhausted
        return done();
      },
      detach: () => {
        const b = current;
        current = null;
        return b;
      },
    };
    return it;
  }

  /** One epoch: `for (const [inputs, labels] of loader) ...` (see the class comment for the batches' lifetime). */
  [Symbol.iterator](): IterableIterator<tf.Tensor[]> {
    if (this.shuffle) return this.shuffledEpoch();
    this.startEpoch();
    return this.inOrder().slice(0, this.length)[Symbol.iterator]();
  }

  /**
   * The first batch (`next(iter(loader))`). In order: always the same batch. Shuffled: a new epoch
   * starts, with its random draws, and its first batch is returned; it stays valid until the next
   * `first()` or `dispose()`.
   */
  first(): tf.Tensor[] {
    if (!this.shuffle) {
      this.startEpoch();
      const b = this.inOrder()[0];
      if (!b) throw new Error('the dataset is empty');
      return b;
    }
    const it = this.shuffledEpoch();
    const r = it.next();
    if (r.done) throw new Error('the dataset is empty');
    this.release(this.firstBatch);
    this.firstBatch = it.detach();
    return r.value;
  }

  /** Frees every batch the loader holds (the dataset's tensors are the caller's). */
  dispose(): void {
    for (const b of this.batches ?? []) for (const t of b) t.dispose();
    this.batches = null;
    for (const b of this.live) for (const t of b) t.dispose();
    this.live.clear();
    this.firstBatch = null;
  }
}
