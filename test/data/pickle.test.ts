import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchToCache } from '../../src/lib/data/cache.js';
import { NdArray, readPickle, type PickleValue } from '../../src/lib/data/pickle.js';
import { fixture, mirror, mnist1dJsonPath, root } from '../helpers/paths.js';

const fixtures = fixture('mnist1d', 'pickles.json') as {
  expected: Record<string, unknown>;
  pickles: Record<string, string>;
};

function hex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

test('reads the official mnist1d_data.pkl (through the mirror setting) equal to the JSON', async (t) => {
  if (!existsSync(join(mirror, 'mnist1d', 'mnist1d_data.pkl')) || !existsSync(mnist1dJsonPath)) return t.skip('../shared/datasets is not here');
  const dir = mkdtempSync(join(tmpdir(), 'rnnkit-pickle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  process.env['RNNKIT_DATA_DIR'] = dir;
  process.env['RNNKIT_DATA_MIRROR'] = '../shared/datasets'; // as CI sets it, relative to the project root
  const prevCwd = process.cwd();
  process.chdir(root);
  let got;
  try {
    got = await fetchToCache({ relPath: 'mnist1d/mnist1d_data.pkl', log: () => {} });
  } finally {
    process.chdir(prevCwd);
  }
  assert.ok(got.path.startsWith(dir));
  const p = readPickle(new Uint8Array(readFileSync(got.path))) as Record<string, PickleValue>;
  const ref = JSON.parse(readFileSync(mnist1dJsonPath, 'utf8')) as Record<string, unknown> & { templates: Record<string, unknown> };
  assert.deepEqual(Object.keys(p), ['x', 'x_test', 'y', 'y_test', 't', 'templates']);
  const x = p['x'] as NdArray;
  assert.ok(x instanceof NdArray);
  assert.deepEqual(x.shape, [4000, 40]);
  assert.equal(x.dtype, '<f8');
  assert.equal((p['y'] as NdArray).dtype, '<i8');
  for (const k of ['x', 'x_test', 'y', 'y_test', 't']) assert.deepEqual((p[k] as NdArray).toNested(), ref[k], k);
  const tpl = p['templates'] as Record<string, NdArray>;
  for (const k of ['x', 't', 'y']) assert.deepEqual(tpl[k]!.toNested(), ref.templates[k], `templates.${k}`);
});

function plain(v: PickleValue): unknown {
  if (v instanceof NdArray) return { shape: v.shape, values: v.toNumbers() };
  if (v instanceof Uint8Array) return Array.from(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Map)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

for (const [name, h] of Object.entries(fixtures.pickles)) {
  test(`reads ${name} pickles of plain data and NumPy arrays (fixture from Python's pickle)`, () => {
    const v = readPickle(hex(h)) as Record<string, PickleValue>;
    assert.deepEqual(plain(v), fixtures.expected);
    assert.equal((v['f4_big'] as NdArray).dtype, '>f4');
    assert.deepEqual((v['fortran'] as NdArray).toNested(), [[0, 1, 2], [3, 4, 5]]);
  });
}

test('clear errors: unsupported opcodes and globals, truncated data', () => {
  // protocol 0 text int: 'I1\n.'
  assert.throws(() => readPickle(Uint8Array.from(Buffer.from('I1\n.'))), /unsupported opcode 0x49 \('I'\) at byte 0/);
  // GLOBAL os.system
  assert.throws(() => readPickle(Uint8Array.from(Buffer.from('\x80\x02cos\nsystem\n.', 'latin1'))), /unsupported global os\.system/);
  // truncated BINBYTES
  assert.throws(() => readPickle(Uint8Array.from([0x80, 0x03, 0x42, 0xff, 0, 0, 0, 1])), /truncated/);
  // no STOP
  assert.throws(() => readPickle(Uint8Array.from([0x80, 0x03, 0x4e])), /truncated/);
  assert.throws(() => readPickle(Uint8Array.from([0x80, 0x09, 0x4e, 0x2e])), /unsupported protocol 9/);
});
