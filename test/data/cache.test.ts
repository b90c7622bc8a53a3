import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDir, dataMirror, fetchToCache, md5Hex, projectRoot, writeFileAtomic } from '../../src/lib/data/cache.js';
import { root } from '../helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'rnnkit-cache-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const quiet = () => {};

test('project root is found from the module location; data dir and mirror follow the settings', () => {
  assert.equal(projectRoot(), root);
  assert.equal(JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).name, 'rnn-course-kit');
  delete process.env['RNNKIT_DATA_DIR'];
  assert.equal(dataDir(), join(root, 'datasets'));
  process.env['RNNKIT_DATA_DIR'] = '/x/y';
  assert.equal(dataDir(), '/x/y');
  process.env['RNNKIT_DATA_DIR'] = 'rel/dir';
  assert.equal(dataDir(), join(process.cwd(), 'rel/dir'));
  delete process.env['RNNKIT_DATA_MIRROR'];
  assert.equal(dataMirror(), undefined);
  process.env['RNNKIT_DATA_MIRROR'] = 'https://example.org/data/';
  assert.equal(dataMirror(), 'https://example.org/data');
  process.env['RNNKIT_DATA_MIRROR'] = '/mnt/m';
  assert.equal(dataMirror(), '/mnt/m');
  process.env['RNNKIT_DATA_MIRROR'] = 'file:///mnt/f';
  assert.equal(dataMirror(), '/mnt/f');
  process.env['RNNKIT_DATA_MIRROR'] = 'ftp://example.org/data';
  assert.throws(() => dataMirror(), /^SettingError: RNNKIT_DATA_MIRROR must be a folder, a file:\/\/ URL or an http\(s\) URL base, got "ftp:\/\/example.org\/data"$/);
  delete process.env['RNNKIT_DATA_MIRROR'];
  assert.throws(() => projectRoot('/'), /Could not find the rnn-course-kit project root/);
});

test('copies from a mirror directory into the cache, then serves the cache', async () => {
  const mirror = join(tmp, 'mirror');
  mkdirSync(join(mirror, 'sub'), { recursive: true });
  writeFileSync(join(mirror, 'sub', 'f.bin'), 'hello');
  const dir = join(tmp, 'cache1');
  const r = await fetchToCache({ relPath: 'sub/f.bin', dir, mirror, log: quiet });
  assert.equal(r.source, join(mirror, 'sub', 'f.bin'));
  assert.equal(readFileSync(join(dir, 'sub', 'f.bin'), 'utf8'), 'hello');
  assert.deepEqual(readdirSync(join(dir, 'sub')), ['f.bin'], 'no temporary file left');
  const again = await fetchToCache({ relPath: 'sub/f.bin', dir, mirror: null, log: quiet });
  assert.equal(again.source, 'cache');
  assert.equal(again.md5, md5Hex(new TextEncoder().encode('hello')));
});

test('downloads over http with md5 check; a wrong md5 is rejected for downloads, tolerated for mirrors', async (t) => {
  const body = 'payload';
  const server = createServer((req, res) => {
    if (req.url === '/ok/f.txt' || req.url === '/mirror/sub/g.txt') {
      res.end(body);
    } else {
      res.statusCode = 404;
      res.end('nope');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const md5 = md5Hex(new TextEncoder().encode(body));

  const dir = join(tmp, 'cache2');
  const ok = await fetchToCache({ relPath: 'f.txt', dir, mirror: null, urls: [`${base}/missing`, `${base}/ok/f.txt`], md5, log: quiet });
  assert.equal(ok.source, `${base}/ok/f.txt`);
  assert.equal(ok.md5Ok, true);

  await assert.rejects(
    fetchToCache({ relPath: 'bad.txt', dir, mirror: null, urls: [`${base}/ok/f.txt`], md5: '0'.repeat(32), log: quiet }),
    (e: Error) => /md5 [0-9a-f]{32} differs from the official 0{32}/.test(e.message) && !existsSync(join(dir, 'bad.txt')),
  );

  const logs: string[] = [];
  const m = await fetchToCache({ relPath: 'sub/g.txt', dir, mirror: `${base}/mirror`, md5: '0'.repeat(32), log: (s) => logs.push(s) });
  assert.equal(m.md5Ok, false);
  assert.equal(m.source, `${base}/mirror/sub/g.txt`);
  assert.match(logs.join('\n'), /differs from the official file/);
});

test('offline: one error listing every source tried', async () => {
  const dir = join(tmp, 'cache3');
  await assert.rejects(
    fetchToCache({ relPath: 'mnist/x.gz', dir, mirror: join(tmp, 'no-such-mirror'), urls: ['http://127.0.0.1:9/x.gz', 'http://127.0.0.1:9/y.gz'], log: quiet }),
    (e: Error) => {
      assert.match(e.message, /Could not get mnist\/x\.gz\. Tried:/);
      assert.match(e.message, /mirror .*no-such-mirror\/mnist\/x\.gz: no such file/);
      assert.match(e.message, /127\.0\.0\.1:9\/x\.gz: fetch failed/);
      assert.match(e.message, /127\.0\.0\.1:9\/y\.gz/);
      assert.match(e.message, /Set RNNKIT_DATA_MIRROR/);
      return true;
    },
  );
  await assert.rejects(fetchToCache({ relPath: '../escape', dir, mirror: null, log: quiet }), /relative path inside the cache/);
});

test('content validation rejects bad files from every source, including a corrupt cache', async () => {
  const mirror = join(tmp, 'mirror4');
  mkdirSync(mirror, { recursive: true });
  writeFileSync(join(mirror, 'v.txt'), 'good');
  const dir = join(tmp, 'cache4');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'v.txt'), 'corrupt');
  const validate = (d: Uint8Array) => {
    if (new TextDecoder().decode(d) !== 'good') throw new Error('not good');
  };
  const r = await fetchToCache({ relPath: 'v.txt', dir, mirror, validate, log: quiet });
  assert.equal(r.source, join(mirror, 'v.txt'));
  assert.equal(readFileSync(join(dir, 'v.txt'), 'utf8'), 'good');
  writeFileSync(join(mirror, 'w.txt'), 'bad');
  await assert.rejects(fetchToCache({ relPath: 'w.txt', dir, mirror, validate, log: quiet }), /invalid content \(not good\)/);
});

test('writeFileAtomic creates directories and leaves no temporary files', () => {
  const p = join(tmp, 'atomic', 'deep', 'f.json');
  writeFileAtomic(p, '{"a":1}');
  writeFileAtomic(p, '{"a":2}');
  assert.equal(readFileSync(p, 'utf8'), '{"a":2}');
  assert.deepEqual(readdirSync(join(tmp, 'atomic', 'deep')), ['f.json']);
});
