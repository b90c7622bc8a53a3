/**
 * MNIST from the official IDX files (gzip), through the download cache (`fetchToCache`): the cache,
 * then `RNNKIT_DATA_MIRROR` (`mnist/<file>.gz`), then the official download locations (the ones
 * torchvision uses). Downloads from the official URLs must match the official md5; a mirror may hold a
 * subset (the course CI mirror holds the first 24,000 training images), so mirror files are accepted
 * when their IDX headers are valid, and the loader reports how many images there are.
 */
import { gunzipSync } from 'node:zlib';
import { fetchToCache } from './cache.js';

/** Official download locations, tried in order (torchvision's list). */
const MNIST_URLS = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'];

/** The official files and their md5 (the complete official files). */
const MNIST_FILES = {
  trainImages: { name: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873', count: 60000 },
  trainLabels: { name: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432', count: 60000 },
  testImages: { name: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3', count: 10000 },
  testLabels: { name: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c', count: 10000 },
} as const;

/** torchvision's `Normalize((0.1307,), (0.3081,))` constants for MNIST. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export interface IdxArray {
  /** Dimensions from the header, e.g. [count, 28, 28]. */
  dims: number[];
  /** The unsigned bytes, row-major. */
  data: Uint8Array;
}

/** Parses an (uncompressed) IDX file of unsigned bytes, checking the header. `expectDims` is the number of dimensions wanted. */
export function parseIdx(bytes: Uint8Array, expectDims: number, what = 'IDX file'): IdxArray {
  if (bytes.length < 4) throw new Error(`${what}: too short for an IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zero = view.getUint16(0, false);
  const type = bytes[2]!;
  const nd = bytes[3]!;
  if (zero !== 0) throw new Error(`${what}: bad IDX magic number 0x${view.getUint32(0, false).toString(16).padStart(8, '0')} (not an IDX file, or still gzipped?)`);
  if (type !== 0x08) throw new Error(`${what}: IDX data type 0x${type.toString(16)} is not unsigned byte (0x08)`);
  if (nd !== expectDims) throw new Error(`${what}: IDX file has ${nd} dimensions, expected ${expectDims}`);
  const header = 4 + 4 * nd;
  if (bytes.length < header) throw new Error(`${what}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== size) throw new Error(`${what}: IDX header says ${dims.join('x')} = ${size} bytes of data, the file holds ${bytes.length - header}`);
  return { dims, data: bytes.subarray(header) };
}

function gunzip(data: Uint8Array, what: string): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(data));
  } catch (e) {
    throw new Error(`${what}: not a valid gzip file (${e instanceof Error ? e.message : String(e)})`);
  }
}

export interface MnistData {
  /** `count * 28 * 28` pixel values in [0, 1] (`byte / 255`), row-major. */
  images: Float32Array;
  /** `count` labels 0..9. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  /** How many images the file holds (before `limit`). */
  available: number;
  /** Where the image file came from (`cache`, the mirror path or the URL). */
  source: string;
}

export interface LoadMnistOptions {
  /** The training set (true) or the test set (false). */
  train: boolean;
  /** At most this many (the first ones). */
  limit?: number;
  /** Progress messages (default console.log). */
  log?: (message: string) => void;
}

/** Loads MNIST images (scaled to [0, 1]) and labels. */
export async function loadMnist(options: LoadMnistOptions): Promise<MnistData> {
  const { train, limit, log = console.log } = options;
  if (typeof train !== 'boolean') throw new TypeError('loadMnist: options.train must be true or false');
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new RangeError(`loadMnist: limit must be a positive integer, got ${limit}`);
  const imgSpec = train ? MNIST_FILES.trainImages : MNIST_FILES.testImages;
  const lblSpec = train ? MNIST_FILES.trainLabels : MNIST_FILES.testLabels;
  const get = (spec: { name: string; md5: string }, nd: number) =>
    fetchToCache({
      relPath: `mnist/${spec.name}`,
      urls: MNIST_URLS.map((u) => u + spec.name),
      md5: spec.md5,
      validate: (data, source) => void parseIdx(gunzip(data, source), nd, source),
      log,
    });
  const imgFile = await get(imgSpec, 3);
  const lblFile = await get(lblSpec, 1);
  const { readFileSync } = await import('node:fs');
  const img = parseIdx(gunzip(new Uint8Array(readFileSync(imgFile.path)), imgFile.path), 3, imgFile.path);
  const lbl = parseIdx(gunzip(new Uint8Array(readFileSync(lblFile.path)), lblFile.path), 1, lblFile.path);
  const available = img.dims[0]!;
  if (lbl.dims[0] !== available) throw new Error(`MNIST ${train ? 'train' : 'test'}: ${available} images but ${lbl.dims[0]} labels (${imgFile.path}, ${lblFile.path})`);
  const [, rows, cols] = img.dims as [number, number, number];
  if (rows !== 28 || cols !== 28) throw new Error(`MNIST images are 28x28, ${imgFile.path} holds ${rows}x${cols}`);
  for (let i = 0; i < lbl.data.length; i++) {
    if (lbl.data[i]! > 9) throw new Error(`MNIST label ${lbl.data[i]} at index ${i} is not a digit (${lblFile.path})`);
  }
  if (available !== imgSpec.count) log(`Note: MNIST ${train ? 'training' : 'test'} file holds ${available} images (the official set has ${imgSpec.count}).`);
  const count = limit === undefined ? available : Math.min(limit, available);
  if (limit !== undefined && limit > available) log(`Note: asked for ${limit} MNIST images, only ${available} are available; using ${available}.`);
  const px = rows * cols;
  const images = new Float32Array(count * px);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i]! / 255;
  return { images, labels: lbl.data.slice(0, count), count, rows, cols, available, source: imgFile.source };
}

/**
 * torchvision's `Normalize((mean,), (std,))`: `(x - mean) / std` in float32 arithmetic as PyTorch
 * does it (`sub_` then `div_`), into a new array (or `out`, which may be `images`).
 */
export function normalizeMnist(images: Float32Array, mean = MNIST_MEAN, std = MNIST_STD, out = new Float32Array(images.length)): Float32Array {
  const m = Math.fround(mean);
  const s = Math.fround(std);
  for (let i = 0; i < images.length; i++) out[i] = Math.fround(images[i]! - m) / s;
  return out;
}
