import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDatasetArgs } from '../../src/lib/mnist1d/args.js';
import { datasetArgsHash, datasetCachePath, getDataset, MNIST1D_CACHE_FORMAT } from '../../src/lib/mnist1d/get-dataset.js';
import { makeDataset } from '../../src/lib/mnist1d/make-dataset.js';
import { maxAbsDiff2 } from '../helpers/numeric.js';
import { mirror, mnist1dJsonPath, readJson } from '../helpers/paths.js';

// Each test file runs in its own process: the settings below only affect this file.
const tmp = mkdtempSync(join(tmpdir(), 'rnnkit-mnist1d-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const OFFLINE_URL = 'http://127.0.0.1:9/mnist1d_data.pkl'; // connection refused at once

function freshDir(name: string): string {
  const d = join(tmp, name);
  process.env['RNNKIT_DATA_DIR'] = d;
  return d;
}

const haveMirror = existsSync(join(mirror, 'mnist1d', 'mnist1d_data.pkl'));

test('default args: fetched from the mirror, read from the pickle, equal to the official JSON', async (t) => {
  if (!haveMirror || !existsSync(mnist1dJsonPath)) return t.skip('../shared/datasets is not here');
  const dir = freshDir('mirror');
  process.env['RNNKIT_DATA_MIRROR'] = mirror;
  const logs: string[] = [];
  const d = await getDataset(getDatasetArgs({ url: OFFLINE_URL }), { log: (m) => logs.push(m) });
  const ref = readJson<{ x: number[][]; x_test: number[][]; y: number[]; y_test: number[]; t: number[]; templates: unknown }>(mnist1dJsonPath);
  assert.deepEqual(d.x, ref.x); // exact: these are the official file's numbers
  assert.deepEqual(d.xTest, ref.x_test);
  assert.deepEqual(d.y, ref.y);
  assert.deepEqual(d.yTest, ref.y_test);
  assert.deepEqual(d.t, ref.t);
  assert.deepEqual(d.templates, ref.templates);
  assert.ok(existsSync(join(dir, 'mnist1d', 'mnist1d_data.pkl')), 'the pickle is cached');
  assert.ok(logs.some((l) => /official MNIST-1D/.test(l)), logs.join('\n'));
  // second call: from the cache, even without the mirror
  delete process.env['RNNKIT_DATA_MIRROR'];
  const logs2: string[] = [];
  const d2 = await getDataset(getDatasetArgs({ url: OFFLINE_URL }), { log: (m) => logs2.push(m) });
  assert.deepEqual(d2.y, ref.y);
  assert.ok(logs2.some((l) => l.startsWith('Loaded MNIST-1D from') && l.includes('mnist1d_data.pkl')), logs2.join('\n'));
});

test('default args offline with nothing cached: regenerates with a clear message and caches JSON', async () => {
  const dir = freshDir('offline');
  delete process.env['RNNKIT_DATA_MIRROR'];
  const logs: string[] = [];
  const args = getDatasetArgs({ url: OFFLINE_URL });
  const d = await getDataset(args, { log: (m) => logs.push(m) });
  const text = logs.join('\n');
  assert.match(text, /Could not get mnist1d\/mnist1d_data\.pkl\. Tried:/);
  assert.match(text, /127\.0\.0\.1:9/);
  assert.match(text, /RNNKIT_DATA_MIRROR is unset|Set RNNKIT_DATA_MIRROR/);
  assert.match(text, /Generating the dataset instead/);
  assert.equal(d.x.length, 4000);
  const cache = datasetCachePath(args);
  assert.ok(cache.startsWith(dir));
  const stored = JSON.parse(readFileSync(cache, 'utf8')) as Record<string, unknown>;
  assert.equal(stored['format'], MNIST1D_CACHE_FORMAT);
  assert.deepEqual(Object.keys(stored), ['format', 'args', 'x', 'y', 'x_test', 'y_test', 't', 'templates']);
  assert.equal((stored['args'] as Record<string, unknown>)['num_samples'], 5000);
  assert.ok(!('url' in (stored['args'] as object)));
  assert.ok(!readdirSync(join(dir, 'mnist1d')).some((f) => f.endsWith('.tmp')), 'no temporary files left');
});

test('non-default args: generated (never the official file), cached, then read back exactly', async () => {
  freshDir('custom');
  process.env['RNNKIT_DATA_MIRROR'] = mirror;
  const args = getDatasetArgs({ numSamples: 200, seed: 3, shuffleSeq: true });
  const logs: string[] = [];
  const d = await getDataset(args, { log: (m) => logs.push(m) });
  assert.match(logs.join('\n'), /differ from the defaults/);
  assert.equal(d.x.length, 160);
  assert.deepEqual(d, makeDataset(args));
  const path = datasetCachePath(args);
  assert.ok(existsSync(path));
  assert.match(path, new RegExp(`mnist1d_${datasetArgsHash(args)}\\.json$`));
  const logs2: string[] = [];
  const again = await getDataset(args, { log: (m) => logs2.push(m) });
  assert.deepEqual(again, d);
  assert.ok(logs2.some((l) => l.startsWith('Loaded MNIST-1D from')), logs2.join('\n'));
  // different args hash differently
  assert.notEqual(datasetArgsHash(args), datasetArgsHash(getDatasetArgs({ numSamples: 200, seed: 4, shuffleSeq: true })));
  assert.equal(datasetArgsHash(getDatasetArgs()), datasetArgsHash(getDatasetArgs({ url: 'x' })));
});

test('regenerate overwrites; an explicit path is used; a cache with other args is ignored', async () => {
  const dir = freshDir('regen');
  delete process.env['RNNKIT_DATA_MIRROR'];
  const args = getDatasetArgs({ numSamples: 30, seed: 1 });
  const path = join(dir, 'mine.json');
  const d = await getDataset(args, { path, verbose: false });
  assert.ok(existsSync(path));
  // tamper with the cache: a regenerate call must not read it
  const stored = JSON.parse(readFileSync(path, 'utf8')) as { y: number[] };
  stored.y = stored.y.map(() => 0);
  writeFileSync(path, JSON.stringify(stored));
  assert.deepEqual((await getDataset(args, { path, verbose: false })).y, stored.y, 'the cache is read when present');
  assert.deepEqual((await getDataset(args, { path, regenerate: true, verbose: false })).y, d.y);
  // a cache file made with other arguments is not used for these
  const logs: string[] = [];
  const other = getDatasetArgs({ numSamples: 30, seed: 2 });
  const d2 = await getDataset(other, { path, log: (m) => logs.push(m) });
  assert.match(logs.join('\n'), /other arguments; ignoring it/);
  assert.deepEqual(d2.y, makeDataset(other).y);
});

test('download and regenerate together is an error; invalid args are rejected', async () => {
  freshDir('errors');
  await assert.rejects(getDataset(getDatasetArgs(), { download: true, regenerate: true }), /either download .* or generate/);
  await assert.rejects(getDataset({ ...getDatasetArgs(), trainSplit: 2 }), /trainSplit/);
});

test('a pickle given as path is read', async (t) => {
  if (!haveMirror || !existsSync(mnist1dJsonPath)) return t.skip('../shared/datasets is not here');
  const dir = freshDir('pklpath');
  mkdirSync(dir, { recursive: true });
  const copy = join(dir, 'official.pkl'); // a copy: tests never pass ../shared paths as a writable path
  copyFileSync(join(mirror, 'mnist1d', 'mnist1d_data.pkl'), copy);
  const logs: string[] = [];
  const d = await getDataset(getDatasetArgs(), { path: copy, log: (m) => logs.push(m) });
  assert.ok(logs.some((l) => l === `Loaded MNIST-1D from ${copy}`), logs.join('\n'));
  const ref = readJson<{ x: number[][] }>(mnist1dJsonPath);
  assert.deepEqual(d.x, ref.x);
});

test('a file at path that is not a readable dataset is never overwritten', async () => {
  const dir = freshDir('keep');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'something.pkl');
  const junk = Uint8Array.from([0x80, 0x03, 0x63, 0x6f, 0x73, 0x0a]); // a pickle we refuse to read
  writeFileSync(path, junk);
  const logs: string[] = [];
  const d = await getDataset(getDatasetArgs({ numSamples: 20 }), { path, log: (m) => logs.push(m) });
  assert.equal(d.x.length, 16);
  assert.deepEqual(new Uint8Array(readFileSync(path)), junk);
  assert.match(logs.join('\n'), /Not saving to .*something\.pkl/);
});
