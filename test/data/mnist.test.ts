import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadMnist, MNIST_MEAN, MNIST_STD, normalizeMnist, parseIdx } from '../../src/lib/data/mnist.js';
import { mirror } from '../helpers/paths.js';

const haveMirror = existsSync(join(mirror, 'mnist', 't10k-images-idx3-ubyte.gz'));
const tmp = mkdtempSync(join(tmpdir(), 'rnnkit-mnist-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
process.env['RNNKIT_DATA_DIR'] = tmp;
process.env['RNNKIT_DATA_MIRROR'] = mirror;

test('test set from the mirror: 10,000 images in [0, 1], labels 0..9, first label 7', async (t) => {
  if (!haveMirror) return t.skip('../shared/datasets/mnist is not here');
  const logs: string[] = [];
  const d = await loadMnist({ train: false, log: (m) => logs.push(m) });
  assert.equal(d.count, 10000);
  assert.equal(d.available, 10000);
  assert.equal(d.images.length, 10000 * 784);
  assert.equal(d.labels.length, 10000);
  assert.ok(d.images instanceof Float32Array && d.labels instanceof Uint8Array);
  assert.equal(d.labels[0], 7); // the official first test label
  assert.deepEqual(Array.from(d.labels.slice(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  let min = Infinity, max = -Infinity, sum = 0;
  for (const v of d.images) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  assert.ok(Math.abs(sum / d.images.length - 0.1325) < 0.001, `mean ${sum / d.images.length}`);
  assert.ok(existsSync(join(tmp, 'mnist', 't10k-images-idx3-ubyte.gz')), 'cached in RNNKIT_DATA_DIR');
  assert.ok(!logs.some((l) => /differs from the official/.test(l)), 'the test files are byte-identical to the official ones');
});

test('training subset from the mirror: accepted despite the md5, count reported, limit applied', async (t) => {
  if (!haveMirror) return t.skip('../shared/datasets/mnist is not here');
  const logs: string[] = [];
  const d = await loadMnist({ train: true, limit: 1000, log: (m) => logs.push(m) });
  assert.equal(d.count, 1000);
  assert.equal(d.available, 24000);
  assert.equal(d.images.length, 1000 * 784);
  assert.deepEqual(Array.from(d.labels.slice(0, 8)), [5, 0, 4, 1, 9, 2, 1, 3]); // the official first training labels
  const text = logs.join('\n');
  assert.match(text, /holds 24000 images \(the official set has 60000\)/);
  assert.match(text, /differs from the official file/);
  const all = await loadMnist({ train: true, limit: 100000, log: (m) => logs.push(m) });
  assert.equal(all.count, 24000);
  assert.match(logs.join('\n'), /asked for 100000 MNIST images, only 24000 are available/);
});

test('normalisation as torchvision Normalize((0.1307,), (0.3081,))', () => {
  const x = Float32Array.from([0, 1, 0.5]);
  const n = normalizeMnist(x);
  assert.ok(Math.abs(n[0]! - -0.1307 / 0.3081) < 1e-6);
  assert.ok(Math.abs(n[1]! - (1 - 0.1307) / 0.3081) < 1e-6);
  assert.equal(n[2], Math.fround(Math.fround(Math.fround(0.5) - Math.fround(MNIST_MEAN)) / Math.fround(MNIST_STD)));
  assert.equal(x[0], 0, 'input untouched');
});

function idx(type: number, dims: number[], payload: number[]): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Uint8Array.from(Buffer.concat([head, Buffer.from(payload)]));
}

test('IDX headers are validated with clear errors', () => {
  assert.deepEqual(parseIdx(idx(8, [2, 1, 2], [1, 2, 3, 4]), 3).dims, [2, 1, 2]);
  assert.throws(() => parseIdx(idx(8, [2, 1, 2], [1, 2, 3]), 3, 'f'), /f: IDX header says 2x1x2 = 4 bytes of data, the file holds 3/);
  assert.throws(() => parseIdx(idx(0x0d, [1], [0]), 1), /data type 0xd is not unsigned byte/);
  assert.throws(() => parseIdx(idx(8, [1], [0]), 3), /1 dimensions, expected 3/);
  assert.throws(() => parseIdx(Uint8Array.from(gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, 0]))), 1), /bad IDX magic number .*still gzipped/);
  assert.throws(() => parseIdx(Uint8Array.from([0, 0]), 1), /too short/);
});

test('bad options are rejected', async () => {
  await assert.rejects(loadMnist({ train: true, limit: 0 }), /limit must be a positive integer/);
  await assert.rejects(loadMnist({ train: 'yes' as unknown as boolean }), /train must be true or false/);
});
