/**
 * `get_dataset(args, path, download, regenerate)` (mnist1d/data.py) with a cache in the data directory.
 *
 * Lookup order, unless `regenerate`:
 * 1. `options.path` if given; else, for the default arguments, the official
 *    `<data dir>/mnist1d/mnist1d_data.pkl`, then `<data dir>/mnist1d/mnist1d_<hash>.json` (the arguments' cache);
 * 2. for the default arguments (every argument but `url` at its default) and `download`: the official
 *    pickle, fetched with `fetchToCache` from `RNNKIT_DATA_MIRROR` (`mnist1d/mnist1d_data.pkl`) or
 *    `args.url` into `<data dir>/mnist1d/mnist1d_data.pkl`;
 * 3. otherwise (other arguments — the official file only holds the defaults —, offline, or
 *    `regenerate`) `makeDataset(args)`, which gives the official data for the defaults (to ~1e-15).
 * A generated dataset is written as JSON to the arguments' cache file (format: `writeDatasetJson`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, fetchToCache, writeFileAtomic } from '../data/cache.js';
import { NdArray, readPickle, type PickleValue } from '../data/pickle.js';
import { argsToPython, isDefaultArgs, validateDatasetArgs, type DatasetArgs } from './args.js';
import { makeDataset, type Mnist1dDataset } from './make-dataset.js';

export const MNIST1D_CACHE_FORMAT = 'rnn-course-kit/mnist1d-json@1';

export interface GetDatasetOptions {
  /** The cache file to read / write (JSON; a pickle is read too). Default `<data dir>/mnist1d/mnist1d_<hash>.json`. */
  path?: string;
  /** Fetch the official pickle when the arguments are the defaults (default: `!regenerate`). */
  download?: boolean;
  /** Generate the dataset even when a cached copy exists (and overwrite the cache). */
  regenerate?: boolean;
  /** Print what happens (default true). */
  verbose?: boolean;
  /** Where messages go (default console.log). */
  log?: (message: string) => void;
}

/** The arguments that determine the data (all but `url`), in the Python spelling. */
function dataArgs(args: DatasetArgs): Record<string, unknown> {
  const py = argsToPython(args);
  delete py['url'];
  return py;
}

/** 12 hex digits of the SHA-256 of the arguments' canonical JSON (Python names, package order, without url). */
export function datasetArgsHash(args: DatasetArgs): string {
  return createHash('sha256').update(JSON.stringify(dataArgs(args))).digest('hex').slice(0, 12);
}

/** The default cache file for `args`: `<data dir>/mnist1d/mnist1d_<hash>.json`. */
export function datasetCachePath(args: DatasetArgs): string {
  return join(dataDir(), 'mnist1d', `mnist1d_${datasetArgsHash(args)}.json`);
}

function asMatrix(v: unknown, name: string): number[][] {
  if (v instanceof NdArray) {
    if (v.shape.length !== 2) throw new Error(`${name} must be 2-D, has shape ${JSON.stringify(v.shape)}`);
    return v.toNested() as number[][];
  }
  if (Array.isArray(v) && v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'))) return v as number[][];
  throw new Error(`${name} must be a matrix of numbers`);
}

function asVector(v: unknown, name: string): number[] {
  if (v instanceof NdArray) {
    if (v.shape.length !== 1) throw new Error(`${name} must be 1-D, has shape ${JSON.stringify(v.shape)}`);
    return v.toNumbers();
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw new Error(`${name} must be an array of numbers`);
}

/** A dataset from the Python dict layout (`x, x_test, y, y_test, t, templates{x,t,y}`), as in the pickle and the JSON cache. */
function datasetFromPython(d: PickleValue | Record<string, unknown>): Mnist1dDataset {
  if (!d || typeof d !== 'object' || Array.isArray(d) || d instanceof Map || d instanceof NdArray || d instanceof Uint8Array) throw new Error('an MNIST-1D dataset must be a dict');
  const o = d as Record<string, unknown>;
  for (const k of ['x', 'x_test', 'y', 'y_test', 't', 'templates']) if (!(k in o)) throw new Error(`MNIST-1D dataset lacks '${k}'`);
  const tpl = o['templates'] as Record<string, unknown>;
  if (!tpl || typeof tpl !== 'object') throw new Error('templates must be a dict');
  const ds: Mnist1dDataset = {
    x: asMatrix(o['x'], 'x'),
    y: asVector(o['y'], 'y'),
    xTest: asMatrix(o['x_test'], 'x_test'),
    yTest: asVector(o['y_test'], 'y_test'),
    t: asVector(o['t'], 't'),
    templates: { x: asMatrix(tpl['x'], 'templates.x'), t: asVector(tpl['t'], 'templates.t'), y: asVector(tpl['y'], 'templates.y') },
  };
  if (ds.x.length !== ds.y.length || ds.xTest.length !== ds.yTest.length) throw new Error('MNIST-1D dataset: x / y (or x_test / y_test) lengths differ');
  const len = ds.t.length;
  if (![...ds.x, ...ds.xTest].every((r) => r.length === len)) throw new Error(`MNIST-1D dataset: every signal must have ${len} values (the length of t)`);
  return ds;
}

/** Reads a dataset file: the official pickle or this kit's JSON cache (detected from the content). */
function readDatasetFile(path: string): { dataset: Mnist1dDataset; args?: Record<string, unknown> } {
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes[0] === 0x80) return { dataset: datasetFromPython(readPickle(bytes)) };
  const json = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  return { dataset: datasetFromPython(json), args: json['args'] as Record<string, unknown> | undefined };
}

/**
 * Writes the JSON cache: `{"format": "rnn-course-kit/mnist1d-json@1", "args": {python names...},
 * "x": [[...]], "y": [...], "x_test": [[...]], "y_test": [...], "t": [...], "templates": {"x", "t", "y"}}`
 * (the official JSON's keys; numbers round-trip exactly).
 */
function writeDatasetJson(path: string, dataset: Mnist1dDataset, args: DatasetArgs): void {
  const out = {
    format: MNIST1D_CACHE_FORMAT,
    args: dataArgs(args),
    x: dataset.x,
    y: dataset.y,
    x_test: dataset.xTest,
    y_test: dataset.yTest,
    t: dataset.t,
    templates: dataset.templates,
  };
  writeFileAtomic(path, JSON.stringify(out));
}

/** Whether `path` is a JSON cache written by `writeDatasetJson` (only those may be overwritten). */
function isOwnCache(path: string): boolean {
  try {
    const head = readFileSync(path).subarray(0, 64).toString('utf8');
    return head.startsWith(`{"format":"${MNIST1D_CACHE_FORMAT}"`);
  } catch {
    return false;
  }
}

/** `get_dataset(args, ...)`: the cached / official / generated MNIST-1D dataset for `args`. */
export async function getDataset(args: DatasetArgs, options: GetDatasetOptions = {}): Promise<Mnist1dDataset> {
  validateDatasetArgs(args);
  const { regenerate = false, verbose = true } = options;
  if (options.download === true && regenerate) {
    throw new Error('You can either download the o.g. MNIST1D dataset or generate your own - but not both (download: true, regenerate: true)');
  }
  const download = options.download ?? !regenerate;
  const say = verbose ? (options.log ?? console.log) : () => {};
  const cachePath = options.path ?? datasetCachePath(args);
  const official = isDefaultArgs(args);
  const officialPath = join(dataDir(), 'mnist1d', 'mnist1d_data.pkl');

  if (!regenerate) {
    // for the default arguments the official file wins over a copy generated while offline
    const candidates = official && options.path === undefined ? [officialPath, cachePath] : [cachePath];
    for (const p of candidates) {
      if (!existsSync(p)) continue;
      try {
        const { dataset, args: stored } = readDatasetFile(p);
        if (stored && JSON.stringify(stored) !== JSON.stringify(dataArgs(args))) {
          say(`${p} holds a dataset made with other arguments; ignoring it`);
          continue;
        }
        say(`Loaded MNIST-1D from ${p}`);
        return dataset;
      } catch (e) {
        say(`Could not read ${p} (${e instanceof Error ? e.message : String(e)}); ignoring it`);
      }
    }
    if (download && official) {
      try {
        const got = await fetchToCache({
          relPath: 'mnist1d/mnist1d_data.pkl',
          urls: [args.url],
          validate: (data) => void datasetFromPython(readPickle(data)),
          log: say,
        });
        const { dataset } = readDatasetFile(got.path);
        say(`Loaded the official MNIST-1D from ${got.path} (from ${got.source})`);
        return dataset;
      } catch (e) {
        say(`${e instanceof Error ? e.message : String(e)}\nGenerating the dataset instead (it equals the official one to ~1e-15).`);
      }
    } else if (!official) {
      say('The arguments differ from the defaults (the official file only holds the defaults); generating the dataset.');
    }
  }
  const dataset = makeDataset(args);
  if (existsSync(cachePath) && !isOwnCache(cachePath)) {
    // never replace a file this kit did not write (e.g. a pickle given as `path`)
    say(`Not saving to ${cachePath}: the file exists and is not an MNIST-1D cache written by rnn-course-kit`);
    return dataset;
  }
  try {
    writeDatasetJson(cachePath, dataset, args);
    say(`Saved MNIST-1D to ${cachePath}`);
  } catch (e) {
    say(`Could not write the cache ${cachePath} (${e instanceof Error ? e.message : String(e)})`);
  }
  return dataset;
}
