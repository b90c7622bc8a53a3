/**
 * Plain data across the process boundary and the comparisons every check uses. Tensors travel as
 * `{shape, dtype, values}` with non-finite numbers spelled as strings (JSON has no NaN).
 * Comparison messages say what differed and by how much, never what the reference holds.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Probe } from './types.js';

export interface PlainTensor {
  $tensor: true;
  shape: number[];
  dtype: string;
  values: Array<number | string>;
}

function encodeNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function decodeNumber(v: number | string): number {
  return typeof v === 'number' ? v : Number(v);
}

/** The largest tensor an observation may carry (values); larger ones are summarised as an error. */
export const MAX_TENSOR_VALUES = 1_000_000;

export function tensorToPlain(t: tfTypes.Tensor): PlainTensor {
  if (t.size > MAX_TENSOR_VALUES) throw new Error(`the result is too large to check (${t.size} values, shape [${t.shape.join(', ')}])`);
  const values = Array.from(t.dataSync() as ArrayLike<number>, encodeNumber);
  return { $tensor: true, shape: t.shape.slice(), dtype: t.dtype, values };
}

export function isPlainTensor(v: unknown): v is PlainTensor {
  return typeof v === 'object' && v !== null && (v as PlainTensor).$tensor === true && Array.isArray((v as PlainTensor).shape);
}

const TENSOR_KEYS = ['$tensor', 'dtype', 'shape', 'values'];
const DTYPES = new Set(['float32', 'int32', 'bool']);
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** Why `shape` is not a tensor shape (a list of at most 8 non-negative integer sizes), or undefined. */
export function shapeProblem(shape: unknown): string | undefined {
  if (!Array.isArray(shape)) return `its shape is ${describe(shape)}, not a list of sizes`;
  if (shape.length > 8) return `its shape has ${shape.length} dimensions`;
  const bad = shape.findIndex((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0);
  return bad >= 0 ? `size ${bad + 1} of its shape is ${describe(shape[bad])}` : undefined;
}

/**
 * Why an observed value is not a well-formed plain tensor, or undefined. Observations come from
 * code the grader does not trust, so every field is checked: exactly the four keys, a known dtype,
 * a shape of non-negative integers, as many values as the shape holds, each a number or one of
 * "NaN", "Infinity", "-Infinity".
 */
export function tensorProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `it is ${describe(v)}, not a tensor`;
  const o = v as Record<string, unknown>;
  if (o.$tensor !== true) return 'it is not a tensor';
  const keys = Object.keys(o);
  const extra = keys.find((k) => !TENSOR_KEYS.includes(k));
  if (extra !== undefined || keys.length !== TENSOR_KEYS.length) return extra !== undefined ? 'it has extra fields' : 'it lacks fields';
  if (typeof o.dtype !== 'string' || !DTYPES.has(o.dtype)) return `its dtype is ${typeof o.dtype === 'string' ? `'${o.dtype.slice(0, 20)}'` : describe(o.dtype)}, not a number type`;
  const s = shapeProblem(o.shape);
  if (s) return s;
  if (!Array.isArray(o.values)) return `its values are ${describe(o.values)}, not a list`;
  const size = (o.shape as number[]).reduce((a, b) => a * b, 1);
  if (o.values.length !== size) return `it holds ${o.values.length} values for shape ${shapeText(o.shape as number[])} (${size})`;
  for (let i = 0; i < o.values.length; i++) {
    const x: unknown = o.values[i];
    if (typeof x === 'number' ? !Number.isFinite(x) : !(typeof x === 'string' && NON_FINITE.has(x))) return `value ${i + 1} is ${describe(x)}`;
  }
  return undefined;
}

/**
 * Why an observation is not a record of probes (each `{ ok: true, value }` or
 * `{ ok: false, error: "<text>" }`, nothing else), or undefined.
 */
export function observationProblem(o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return `the observation is ${describe(o)}`;
  for (const [k, p] of Object.entries(o)) {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return `measurement '${k.slice(0, 40)}' is ${describe(p)}`;
    const keys = Object.keys(p).sort().join(',');
    const q = p as Record<string, unknown>;
    if (q.ok === true ? keys !== 'ok,value' : !(q.ok === false && keys === 'error,ok' && typeof q.error === 'string')) return `measurement '${k.slice(0, 40)}' is malformed`;
  }
  return undefined;
}

/** A short description of a value of unknown type for reasons ("NaN", "a string", "null"). */
export function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

export function plainValues(t: PlainTensor): number[] {
  return t.values.map(decodeNumber);
}

/** Anything tensor-like (tf.Tensor, PlainTensor) as a PlainTensor; throws a readable error otherwise. */
export function asPlain(v: unknown, tf: typeof tfTypes, what: string): PlainTensor {
  if (isPlainTensor(v)) return v;
  if (v instanceof tf.Tensor) return tensorToPlain(v);
  const got = v === null ? 'null' : v === undefined ? 'undefined' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`;
  throw new Error(`${what} should be a tf.Tensor, got ${got}`);
}

/** Runs `f`, turning a thrown error into a failed probe with its message. */
export async function probe(f: () => unknown | Promise<unknown>): Promise<Probe> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}

/** Where in the graded task file an error was thrown (the grader turns it into cell and line). */
export const TASK_LINE = /\s\[at task\.ts:(\d+)\]/g;

export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const text = `${e.name && e.name !== 'Error' ? e.name + ': ' : ''}${e.message}`.slice(0, 500);
    // In the grader's child the task code carries a source map: name the line of the first frame in it.
    const m = /[/\\]task\.ts:(\d+):\d+/.exec(e.stack ?? '');
    return m ? `${text} [at task.ts:${m[1]}]` : text;
  }
  return String(e).slice(0, 500);
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function indexOf(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]!);
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${idx.join(', ')}]`;
}

export interface Comparison {
  passed: boolean;
  reason: string;
}

export function compareShape(observed: PlainTensor, expected: readonly number[], what: string): Comparison {
  const bad = shapeProblem(observed?.shape);
  if (bad) return { passed: false, reason: `${what}: invalid measurement (${bad})` };
  const same = observed.shape.length === expected.length && observed.shape.every((d, i) => d === expected[i]);
  return same
    ? { passed: true, reason: `${what} has shape ${shapeText(expected)}` }
    : { passed: false, reason: `${what} has shape ${shapeText(observed.shape)}, expected ${shapeText(expected)}` };
}

/**
 * allclose-style comparison (|a - b| <= atol + rtol |b|). The message names the shape mismatch,
 * non-finite values, or the largest absolute difference and where, never the expected values.
 */
export function compareValues(observed: PlainTensor, expected: PlainTensor, what: string, atol = 1e-4, rtol = 0): Comparison {
  const invalid = tensorProblem(observed);
  if (invalid) return { passed: false, reason: `${what}: invalid measurement (${invalid})` };
  const shape = compareShape(observed, expected.shape, what);
  if (!shape.passed) return shape;
  const a = plainValues(observed);
  const b = plainValues(expected);
  const nonFinite = a.map((v, i) => (Number.isFinite(v) ? -1 : i)).filter((i) => i >= 0);
  if (nonFinite.length > 0) {
    const first = nonFinite[0]!;
    const kind = Number.isNaN(a[first]!) ? 'NaN' : 'Infinity';
    return { passed: false, reason: `${what} contains ${kind} (${nonFinite.length} of ${a.length} values are not finite, first at ${indexOf(first, observed.shape)})` };
  }
  let worst = -1;
  let worstDiff = 0;
  let bad = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > atol + rtol * Math.abs(b[i]!)) bad++;
    if (d > worstDiff) { worstDiff = d; worst = i; }
  }
  if (bad === 0) return { passed: true, reason: `${what} matches (max abs difference ${worstDiff.toExponential(1)})` };
  return {
    passed: false,
    reason: `${what}: ${bad} of ${a.length} values differ, max abs difference ${worstDiff.toPrecision(3)} at ${indexOf(worst, observed.shape)} (tolerance ${atol})`,
  };
}

/** A deterministic test input: values in [-1, 1) from a small LCG, no RNG state touched. */
export function fixedValues(n: number, seed: number): number[] {
  let s = (seed * 2654435761) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(Math.round(((s / 4294967296) * 2 - 1) * 1e4) / 1e4);
  }
  return out;
}

/** Silences tfjs's one-time "install the node backend" banner of the CPU backend. */
export function quietCpuBackend(tf: typeof tfTypes): void {
  try {
    const b = tf.backend() as unknown as { firstUse?: boolean };
    if (b && typeof b.firstUse === 'boolean') b.firstUse = false;
  } catch { /* no backend yet */ }
}
