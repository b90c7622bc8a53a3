/**
 * Recycled output buffers for the blas backend's own kernels.
 *
 * Allocating a Float32Array is the largest fixed cost of a small kernel in V8 (measured here:
 * about 0.7 us for 4 KB, 3 us for 32 KB, 10 us for 128 KB, whose memory comes from mmap, plus
 * the garbage collector's work later), and recurrent training allocates thousands of
 * same-sized outputs per batch. The kernels in this folder take their outputs from `alloc(n)`;
 * when the tensor is disposed, the backend gives the array back and the next output of that
 * length reuses it.
 *
 * An array is recycled only while it is certain that nothing else can see it:
 * - it was made here (`owned`), so arrays passed in by users (`tf.tensor(myArray)`) never are;
 * - it has not escaped: reading a tensor (`dataSync`, `data`, `array`, `buffer`) hands the
 *   backend's own array to the caller, and kernels of the cpu backend may keep views of their
 *   inputs in their outputs (a contiguous slice is a `subarray`), so `escape()` drops the array
 *   from the pool's ownership for good in both cases (see ./index.ts);
 * - its data id is gone (the backend's reference count reached 0).
 * Recycled arrays hold old values: kernels must write every element of an output (`zeros(n)`
 * gives a cleared one).
 */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<Float32Array>();
  private freeBytes = 0;

  /**
   * @param maxBytes most bytes kept in free lists (beyond it, released arrays are left to the GC)
   * @param maxPerLength most free arrays kept per length
   * @param minLength shorter arrays are not pooled (V8 allocates them cheaply on its heap)
   */
  constructor(
    readonly maxBytes = 256 * 1024 * 1024,
    readonly maxPerLength = 8192,
    readonly minLength = 16,
  ) {}

  /** A Float32Array of exactly n elements with unspecified contents. */
  alloc(n: number): Float32Array {
    if (n >= this.minLength) {
      const list = this.free.get(n);
      if (list !== undefined && list.length > 0) {
        this.freeBytes -= 4 * n;
        const a = list.pop()!;
        this.owned.add(a);
        return a;
      }
      const a = new Float32Array(n);
      this.owned.add(a);
      return a;
    }
    return new Float32Array(n);
  }

  /** A Float32Array of n zeros. */
  zeros(n: number): Float32Array {
    const a = this.alloc(n);
    a.fill(0);
    return a;
  }

  /** Gives back an array whose tensor was disposed (ignored unless owned and not escaped). */
  release(a: unknown): void {
    if (!(a instanceof Float32Array) || !this.owned.has(a)) return;
    const n = a.length;
    if (this.freeBytes + 4 * n > this.maxBytes) return;
    let list = this.free.get(n);
    if (list === undefined) {
      list = [];
      this.free.set(n, list);
    }
    if (list.length >= this.maxPerLength) return;
    list.push(a);
    this.freeBytes += 4 * n;
    // not owned while free, so a second release of the same array is a no-op
    this.owned.delete(a);
  }

  /** Marks an array as visible outside the backend: it is never recycled. */
  escape(a: unknown): void {
    if (a instanceof Float32Array) this.owned.delete(a);
  }

  /** Whether the array would be recycled on release (tests). */
  isOwned(a: Float32Array): boolean {
    return this.owned.has(a);
  }

  /** Bytes held in the free lists. */
  get bytesFree(): number {
    return this.freeBytes;
  }

  /** Drops every free array (their memory goes back to the garbage collector). */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
  }
}

/** The pool of the blas backend's kernels. */
export const blasPool = new BufferPool();

let onesCache = new Float32Array(0);
/** A read-only vector of at least n ones (for BLAS row broadcasts and sums; BLAS only reads it). */
export function ones(n: number): Float32Array {
  if (onesCache.length < n) onesCache = new Float32Array(Math.max(n, 2 * onesCache.length)).fill(1);
  return onesCache;
}
