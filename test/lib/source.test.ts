/** showSource / librarySource: the library's own code shown where an original notebook defined its utilities. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../../src/lib/data/cache.js';
import { librarySource, showSource } from '../../src/lib/source.js';
import { test as evaluate, train } from '../../src/lib/training/loop.js';

test('librarySource finds a function by value or name, with its doc comment, as written in the file', () => {
  const s = librarySource(train);
  assert.equal(s.file, join('src', 'lib', 'training', 'loop.ts'));
  const lines = readFileSync(join(projectRoot(), s.file), 'utf8').split('\n');
  assert.ok(lines[s.line - 1]!.trimStart().startsWith('/**'), 'starts at the doc comment');
  assert.equal(s.code, lines.slice(s.line - 1, s.line - 1 + s.code.split('\n').length).join('\n'));
  assert.match(s.code, /export async function train\(/);
  assert.equal(s.code.split('\n').pop(), '}', 'ends with the closing brace');
  assert.equal(librarySource('test').code, librarySource(evaluate).code);
});

test('classes and one-line constants are found; unknown names are a clear error', () => {
  assert.match(librarySource('DataLoader').code, /^export class DataLoader[\s\S]*\n}$/m);
  const c = librarySource('BACKEND_NAMES');
  assert.equal(c.code.split('\n').filter((l) => l.startsWith('export')).length, 1);
  assert.throws(() => librarySource('noSuchThing'), /'noSuchThing' is not a function or class of the course library/);
  assert.throws(() => showSource(), /name at least one/);
});

test('showSource prints each snippet headed by its file and line outside a kernel', () => {
  const log = console.log;
  const out: string[] = [];
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  try {
    showSource(train, 'test');
  } finally {
    console.log = log;
  }
  const text = out.join('\n');
  assert.match(text, /^\/\/ src\/lib\/training\/loop\.ts:\d+\n/);
  assert.ok(text.includes('export async function train(') && text.includes('export async function test('));
});
