/**
 * Saving and loading a module's parameters (PyTorch's `torch.save(model.state_dict(), path)` /
 * `model.load_state_dict(torch.load(path))`; the I2DL exercises' `model.save(path)`).
 *
 * ```ts
 * saveModule(model, 'models/rnn_mnist_nn.model');
 * const again = loadModule(new RNN_Classifier(), 'models/rnn_mnist_nn.model');
 * ```
 *
 * The file format ("rnn-course-kit module parameters", version 1) is one UTF-8 JSON object:
 *
 * ```json
 * {
 *   "format": "rnn-course-kit/module-parameters",
 *   "version": 1,
 *   "module": "RNN_Classifier",
 *   "parameters": [
 *     { "name": "rnn.weight_ih_l0", "shape": [128, 28], "dtype": "float32", "data": "<base64>" },
 *     ...
 *   ]
 * }
 * ```
 *
 * - `parameters` lists `module.namedParameters()` in order (dotted names, as PyTorch's state_dict
 *   keys); `data` is the base64 encoding of the values in row-major order, 4 bytes each,
 *   little-endian (IEEE float32 for `float32`, two's complement for `int32`).
 * - `module` is the class name, for information: loading checks names, shapes and dtypes only, so
 *   the parameters can go into another instance of a class with the same parameters.
 * - Relative paths are taken from RNNKIT_OUTPUT_DIR when it is set (tests, CI), else from the working
 *   directory (a notebook's own folder).
 * - The file is written to a temporary name next to the target and renamed, so a crash never leaves
 *   half a file; missing folders are created.
 * - Loading checks everything (format, version, every name, shape, dtype and data length) before it
 *   assigns anything: on an error the module is unchanged.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { outputDir } from '../settings.js';

export const MODULE_FORMAT = 'rnn-course-kit/module-parameters';
export const MODULE_FORMAT_VERSION = 1;

/** What the functions here need of a module: `Module` has it. */
export interface HasNamedParameters {
  namedParameters(): [string, tf.Variable][];
}

export interface SavedParameter {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Base64 of the little-endian values. */
  data: string;
}

export interface SavedModule {
  format: typeof MODULE_FORMAT;
  version: number;
  module: string;
  parameters: SavedParameter[];
}

function encode(values: Float32Array | Int32Array): string {
  const buf = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float32Array) buf.writeFloatLE(values[i]!, i * 4);
    else buf.writeInt32LE(values[i]!, i * 4);
  }
  return buf.toString('base64');
}

function decode(data: string, dtype: 'float32' | 'int32', n: number, what: string): Float32Array | Int32Array {
  const buf = Buffer.from(data, 'base64');
  if (buf.length !== n * 4) throw new Error(`${what}: the data holds ${buf.length} bytes, the shape needs ${n * 4}`);
  const out = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = dtype === 'float32' ? buf.readFloatLE(i * 4) : buf.readInt32LE(i * 4);
  return out;
}

/** Where a saved module lives: absolute paths as given, relative ones under `outputDir()`. */
function modulePath(path: string): string {
  return isAbsolute(path) ? path : resolve(outputDir(), path);
}

function checkModule(module: unknown, fn: string): asserts module is HasNamedParameters {
  if (typeof module !== 'object' || module === null || typeof (module as HasNamedParameters).namedParameters !== 'function') {
    throw new TypeError(`${fn}: expected a Module (an object with namedParameters()), got ${module === null ? 'null' : typeof module}`);
  }
}

/** The module's parameters in the saved form (see the module comment). */
export function moduleState(module: HasNamedParameters): SavedModule {
  checkModule(module, 'moduleState');
  const parameters = module.namedParameters().map(([name, v]): SavedParameter => {
    if (v.dtype !== 'float32' && v.dtype !== 'int32') throw new TypeError(`parameter ${name} has dtype ${v.dtype}; only float32 and int32 can be saved`);
    return { name, shape: v.shape.slice(), dtype: v.dtype, data: encode(v.dataSync() as Float32Array | Int32Array) };
  });
  return { format: MODULE_FORMAT, version: MODULE_FORMAT_VERSION, module: (module as object).constructor?.name ?? 'Module', parameters };
}

/**
 * Writes the module's parameters to `path` (format in the module comment; folders created, written
 * atomically). Returns the absolute path.
 */
export function saveModule(module: HasNamedParameters, path: string): string {
  checkModule(module, 'saveModule');
  if (typeof path !== 'string' || path.trim() === '') throw new TypeError('saveModule: give the file to write, e.g. saveModule(model, "models/rnn_mnist_nn.model")');
  const abs = modulePath(path);
  const text = `${JSON.stringify(moduleState(module))}\n`;
  mkdirSync(dirname(abs), { recursive: true });
  const tmp = `${abs}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, abs);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return abs;
}

/** Reads and checks a saved file (format, version, entries); throws a readable error otherwise. */
export function readSavedModule(path: string): SavedModule {
  let raw: string;
  try {
    raw = readFileSync(modulePath(path), 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    throw new Error(`${path} is not a saved module (not JSON; saveModule writes JSON)`);
  }
  const s = obj as Partial<SavedModule>;
  if (typeof obj !== 'object' || obj === null || s.format !== MODULE_FORMAT) throw new Error(`${path} is not a saved module (format is not ${MODULE_FORMAT})`);
  if (s.version !== MODULE_FORMAT_VERSION) throw new Error(`${path} has format version ${String(s.version)}; this library reads version ${MODULE_FORMAT_VERSION}`);
  if (!Array.isArray(s.parameters)) throw new Error(`${path}: "parameters" is missing`);
  for (const p of s.parameters) {
    if (typeof p?.name !== 'string' || !Array.isArray(p.shape) || !p.shape.every((d) => Number.isSafeInteger(d) && d >= 0)
      || (p.dtype !== 'float32' && p.dtype !== 'int32') || typeof p.data !== 'string') {
      throw new Error(`${path}: a malformed parameter entry (${JSON.stringify(p)?.slice(0, 80)})`);
    }
  }
  return s as SavedModule;
}

/**
 * Loads parameters saved by `saveModule` into `module` (matched by name; shapes and dtypes must
 * agree, and the file must hold exactly the module's parameters). Nothing is assigned unless
 * everything matches. Returns the module.
 */
export function loadModule<M extends HasNamedParameters>(module: M, path: string): M {
  checkModule(module, 'loadModule');
  const saved = readSavedModule(path);
  const params = module.namedParameters();
  const byName = new Map(saved.parameters.map((p) => [p.name, p]));
  const values: [tf.Variable, Float32Array | Int32Array, number[]][] = [];
  for (const [name, v] of params) {
    const p = byName.get(name);
    if (!p) throw new Error(`${path} has no parameter '${name}' (it holds ${saved.parameters.map((q) => q.name).join(', ') || 'none'}; saved from ${saved.module})`);
    if (p.shape.length !== v.shape.length || p.shape.some((d, i) => d !== v.shape[i])) {
      throw new Error(`${path}: parameter '${name}' has shape [${p.shape.join(', ')}] in the file, [${v.shape.join(', ')}] in the module`);
    }
    if (p.dtype !== v.dtype) throw new Error(`${path}: parameter '${name}' is ${p.dtype} in the file, ${v.dtype} in the module`);
    values.push([v, decode(p.data, p.dtype, v.size, `${path}: parameter '${name}'`), p.shape]);
  }
  const extra = saved.parameters.filter((p) => !params.some(([n]) => n === p.name));
  if (extra.length) throw new Error(`${path} holds parameters the module does not have: ${extra.map((p) => p.name).join(', ')}`);
  for (const [v, data, shape] of values) tf.tidy(() => v.assign(tf.tensor(data, shape, v.dtype)));
  return module;
}
