/**
 * PyTorch's CPU random number generator (`torch.Generator`, `torch.manual_seed`), reproduced value
 * for value for float32 tensors: `uniform_`, `rand`, `normal_` and `randn`, so that a notebook
 * seeded like the PyTorch original draws the same initial weights.
 *
 * What PyTorch 1.13 does on the CPU (aten/src/ATen/core/DistributionsHelper.h,
 * aten/src/ATen/native/cpu/DistributionTemplates.h, DistributionKernels.cpp):
 * - The engine is MT19937 seeded with `init_genrand(seed & 0xffffffff)`.
 * - `uniform_(from, to)` on float32 takes one 32-bit word per value and keeps 24 bits:
 *   `x = (w & 0xffffff) * 2^-24`, then `x * (to - from) + from` in float32 (from and to are first
 *   cast to float32; `to - from` is rounded to float32; the multiply-add is one FMA).
 * - `normal_` on a contiguous float32 tensor with at least 16 values fills the whole tensor with
 *   uniform floats, then turns each block of 16 into normals with Box–Muller (values j and j + 8
 *   of a block are the cosine and sine of one pair); when the size is not a multiple of 16, the
 *   last 16 values are drawn afresh and transformed again. The logarithm, sine and cosine are the
 *   float32 Cephes polynomials of avx_mathfun.h, reproduced here bit for bit.
 * - `torch.empty((), dtype=torch.int64).random_()` takes two words (the first one high) and keeps
 *   the low 63 bits; `torch.randperm(n)` is a forward Fisher–Yates shuffle that swaps position i
 *   with i + (word % (n - i)) for i = 0 .. n - 2, one word per swap.
 * - With fewer than 16 values it draws one double normal per value: two 53-bit uniform doubles
 *   (two words each), Box–Muller in double, returning the cosine and keeping the sine in the
 *   generator for the next value (the cache is cleared by `manualSeed`).
 */
import * as tf from '@tensorflow/tfjs';
import { MT19937 } from './mt19937.js';

/** PyTorch's default seed (`default_rng_seed_val`), used when a generator is never seeded. */
const TORCH_DEFAULT_SEED = 67280421310721;

const TWO_POW_32 = 4294967296;
const TWO_POW_M24 = 1 / 16777216;
const TWO_POW_M53 = 1 / 9007199254740992;
const f32 = Math.fround;
/** `2.0f * c10::pi<double>` rounded to float32, as the vectorised normal path uses it. */
const TWO_PI_F32 = f32(2 * Math.PI);

function seedWord(seed: number | bigint): number {
  if (typeof seed === 'bigint') return Number(BigInt.asUintN(32, seed));
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  // torch keeps the low 32 bits of the seed as a uint64 (negative seeds wrap around).
  return ((seed % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
}

export class Generator {
  private engine: MT19937;
  private seed: number | bigint;
  private nextDoubleNormal: number | undefined;

  constructor(seed: number | bigint = TORCH_DEFAULT_SEED) {
    this.seed = seed;
    this.engine = MT19937.fromSeed(seedWord(seed));
  }

  /** Re-seeds like `torch.Generator.manual_seed(seed)`; returns this generator. */
  manualSeed(seed: number | bigint): this {
    this.seed = seed;
    this.engine = MT19937.fromSeed(seedWord(seed));
    this.nextDoubleNormal = undefined;
    return this;
  }

  /** The seed last set (`initial_seed()`). */
  initialSeed(): number | bigint {
    return this.seed;
  }

  /** One 32-bit word (`generator->random()`). */
  random(): number {
    return this.engine.nextUint32();
  }

  /** One 64-bit word from two 32-bit words, the first one high (`generator->random64()`). */
  random64(): bigint {
    const hi = BigInt(this.engine.nextUint32());
    const lo = BigInt(this.engine.nextUint32());
    return (hi << 32n) | lo;
  }

  /** A uniform float32 in [0, 1) from one word, 24 bits (`uniform_real_distribution<float>`). */
  uniformFloat(): number {
    return (this.engine.nextUint32() & 0xffffff) * TWO_POW_M24;
  }

  /** A uniform double in [0, 1) from two words, 53 bits (`uniform_real_distribution<double>`). */
  uniformDouble(): number {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  /** One standard normal double (`normal_distribution<double>` with the generator's cache). */
  normalDouble(): number {
    if (this.nextDoubleNormal !== undefined) {
      const v = this.nextDoubleNormal;
      this.nextDoubleNormal = undefined;
      return v;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** The full state (engine and normal cache), to save and restore a stream. */
  getState(): GeneratorState {
    return { engine: this.engine.getState(), seed: this.seed, nextDoubleNormal: this.nextDoubleNormal };
  }

  setState(state: GeneratorState): void {
    this.engine.setState(state.engine);
    this.seed = state.seed;
    this.nextDoubleNormal = state.nextDoubleNormal;
  }
}

export interface GeneratorState {
  engine: { key: Uint32Array; pos: number };
  seed: number | bigint;
  nextDoubleNormal: number | undefined;
}

/** The global generator (`torch.default_generator`). */
export const defaultGenerator = new Generator();

/** Seeds the global generator, like `torch.manual_seed(seed)`. Returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** n uniform float32 values in [from, to), in PyTorch's order and arithmetic. */
export function uniformValues(n: number, from = 0, to = 1, gen: Generator = defaultGenerator): Float32Array {
  const out = new Float32Array(n);
  fillUniform(out, from, to, gen);
  return out;
}

function fillUniform(out: Float32Array, from: number, to: number, gen: Generator): void {
  const lo = f32(from);
  const range = f32(f32(to) - lo);
  // `x * (to - from) + from` is contracted into one FMA in PyTorch's AVX2 build: one rounding.
  for (let i = 0; i < out.length; i++) out[i] = f32(gen.uniformFloat() * range + lo);
}

// The vectorised normal path of x86-64 builds with AVX2 (the official wheels on any recent CPU):
// `normal_fill_16_AVX2` with `log256_ps` and `sincos256_ps` from avx_mathfun.h (Cephes
// polynomials in float32). The compiler contracts their multiply-adds into FMA instructions, which
// `madd` reproduces (a product of two floats is exact in a double, so one rounding remains).
const madd = (a: number, b: number, c: number): number => f32(a * b + c);
const mul = (a: number, b: number): number => f32(a * b);
const scratch = new DataView(new ArrayBuffer(4));
const LOG_P = [-1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(f32);
const LOG_P0 = f32(7.0376836292e-2);
const LOG_Q1 = f32(-2.1219444e-4);
const LOG_Q2 = f32(0.693359375);
const SQRTHF = f32(0.707106781186547524);

/** `log256_ps` for one positive normal float32. */
function logF32(x0: number): number {
  scratch.setFloat32(0, x0);
  const bits = scratch.getUint32(0);
  let e = f32(((bits >>> 23) & 0xff) - 0x7f);
  scratch.setUint32(0, ((bits & ~0x7f800000) | 0x3f000000) >>> 0);
  let x = scratch.getFloat32(0);
  e = f32(e + 1);
  const below = x < SQRTHF;
  const tmp = below ? x : 0;
  x = f32(x - 1);
  if (below) e = f32(e - 1);
  x = f32(x + tmp);
  const z = mul(x, x);
  let y = LOG_P0;
  for (const p of LOG_P) y = madd(y, x, p);
  y = mul(mul(y, x), z);
  y = madd(e, LOG_Q1, y);
  y = madd(z, -0.5, y);
  x = f32(x + y);
  return madd(e, LOG_Q2, x);
}

const FOPI = f32(1.27323954473516);
const DP1 = f32(-0.78515625);
const DP2 = f32(-2.4187564849853515625e-4);
const DP3 = f32(-3.77489497744594108e-8);
const COS_P = [f32(2.443315711809948e-5), f32(-1.388731625493765e-3), f32(4.166664568298827e-2)] as const;
const SIN_P = [f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1)] as const;

/** `sincos256_ps` for one float32: [sin, cos]. */
function sinCosF32(x0: number): [number, number] {
  let x = Math.abs(x0);
  let j = Math.trunc(mul(x, FOPI));
  j = (j + 1) & ~1;
  const y = j;
  const swapSin = (j & 4) !== 0;
  const polyIsCos = (j & 2) === 0;
  x = madd(y, DP1, x);
  x = madd(y, DP2, x);
  x = madd(y, DP3, x);
  const negCos = (~(j - 2) & 4) !== 0;
  const negSin = x0 < 0 !== swapSin;
  const z = mul(x, x);
  let c = madd(madd(COS_P[0], z, COS_P[1]), z, COS_P[2]);
  c = mul(mul(c, z), z);
  c = madd(z, -0.5, c);
  c = f32(c + 1);
  let s = madd(madd(SIN_P[0], z, SIN_P[1]), z, SIN_P[2]);
  s = madd(mul(s, z), x, x);
  const sin = polyIsCos ? s : c;
  const cos = polyIsCos ? c : s;
  return [negSin ? -sin : sin, negCos ? -cos : cos];
}

/** Box–Muller on a block of 16 uniform floats, in place (`normal_fill_16_AVX2`). */
function normalFill16(data: Float32Array, offset: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f32(1 - data[offset + j]!);
    const u2 = data[offset + j + 8]!;
    const radius = f32(Math.sqrt(f32(-2 * logF32(u1))));
    const theta = f32(TWO_PI_F32 * u2);
    const [sin, cos] = sinCosF32(theta);
    data[offset + j] = madd(f32(radius * cos), std, mean);
    data[offset + j + 8] = madd(f32(radius * sin), std, mean);
  }
}

/** n normal float32 values with the given mean and std, in PyTorch's order and arithmetic. */
export function normalValues(n: number, mean = 0, std = 1, gen: Generator = defaultGenerator): Float32Array {
  const data = new Float32Array(n);
  const m = f32(mean);
  const s = f32(std);
  if (n >= 16) {
    for (let i = 0; i < n; i++) data[i] = gen.uniformFloat();
    for (let i = 0; i + 16 <= n; i += 16) normalFill16(data, i, m, s);
    if (n % 16 !== 0) {
      const start = n - 16;
      for (let i = 0; i < 16; i++) data[start + i] = gen.uniformFloat();
      normalFill16(data, start, m, s);
    }
  } else {
    for (let i = 0; i < n; i++) data[i] = gen.normalDouble() * std + mean;
  }
  return data;
}

type Shape = number | readonly number[];

function shapeOf(shape: Shape): number[] {
  const s = typeof shape === 'number' ? [shape] : [...shape];
  for (const d of s) if (!Number.isInteger(d) || d < 0) throw new RangeError(`bad shape [${s.join(', ')}]`);
  return s;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkTarget(fn: string, target: unknown): void {
  if (target instanceof Float32Array || target instanceof tf.Variable) return;
  if (target === null || target === undefined) {
    throw new TypeError(`${fn}: got ${target} instead of a tf.Variable: the parameter has not been created yet. Create it before initialising it, e.g. this.weight = parameter([rows, columns]) in the constructor, then run that cell again`);
  }
  throw new TypeError(`${fn}: expected a tf.Variable or a Float32Array`);
}

/** Fills a variable (or a Float32Array, in place) like `tensor.uniform_(from, to, generator=gen)`. */
export function uniform_<T extends tf.Variable | Float32Array>(target: T, from = 0, to = 1, gen: Generator = defaultGenerator): T {
  checkTarget('uniform_', target);
  if (target instanceof Float32Array) {
    fillUniform(target, from, to, gen);
  } else {
    const v = target as tf.Variable;
    if (v.dtype !== 'float32') throw new TypeError(`uniform_ needs a float32 variable, got ${v.dtype}`);
    const values = uniformValues(v.size, from, to, gen);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
  }
  return target;
}

/** Fills a variable (or a Float32Array, in place) like `tensor.normal_(mean, std, generator=gen)`. */
export function normal_<T extends tf.Variable | Float32Array>(target: T, mean = 0, std = 1, gen: Generator = defaultGenerator): T {
  checkTarget('normal_', target);
  if (target instanceof Float32Array) {
    target.set(normalValues(target.length, mean, std, gen));
  } else {
    const v = target as tf.Variable;
    if (v.dtype !== 'float32') throw new TypeError(`normal_ needs a float32 variable, got ${v.dtype}`);
    const values = normalValues(v.size, mean, std, gen);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
  }
  return target;
}

/** `torch.rand(shape, generator=gen)`: uniform [0, 1) float32. */
export function rand(shape: Shape, gen: Generator = defaultGenerator): tf.Tensor {
  const s = shapeOf(shape);
  return tf.tensor(uniformValues(sizeOf(s), 0, 1, gen), s, 'float32');
}

/** `torch.randn(shape, generator=gen)`: standard normal float32. */
export function randn(shape: Shape, gen: Generator = defaultGenerator): tf.Tensor {
  const s = shapeOf(shape);
  return tf.tensor(normalValues(sizeOf(s), 0, 1, gen), s, 'float32');
}

/**
 * `torch.empty((), dtype=torch.int64).random_(generator=gen).item()`: a non-negative 63-bit integer
 * from two words. This is how `DataLoader` draws its per-epoch seeds.
 */
export function randomInt64(gen: Generator = defaultGenerator): bigint {
  return BigInt.asUintN(63, gen.random64());
}

/** The values of `torch.randperm(n, generator=gen)`: a random permutation of 0 .. n-1, as PyTorch draws it on the CPU. */
export function randpermValues(n: number, gen: Generator = defaultGenerator): Int32Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0x7fffffff) throw new RangeError(`randperm: n must be a non-negative integer below 2^31, got ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = i + (gen.random() % (n - i));
    const t = out[i]!;
    out[i] = out[z]!;
    out[z] = t;
  }
  return out;
}

/** `torch.randperm(n, generator=gen)` as an int32 tensor (PyTorch's is int64). */
export function randperm(n: number, gen: Generator = defaultGenerator): tf.Tensor1D {
  return tf.tensor1d(randpermValues(n, gen), 'int32');
}
