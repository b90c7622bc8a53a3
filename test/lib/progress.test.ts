import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, progress, trange } from '../../src/lib/progress.js';

function captureStderr<T>(fn: () => T): { result: T; text: string } {
  const chunks: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: fn(), text: chunks.join('') };
  } finally {
    process.stderr.write = original;
  }
}

test('ProgressBar counts, clamps at the total and formats its text', () => {
  const { result: bar } = captureStderr(() => {
    const b = new ProgressBar(10, { desc: 'epochs' });
    b.update(3, { loss: 0.5 });
    return b;
  });
  assert.equal(bar.count, 3);
  assert.match(bar.text(), /^epochs  30% \|██████ {14}\| 3\/10 \[/);
  assert.match(bar.text(), /loss=0\.5000$/);
  captureStderr(() => bar.update(20));
  assert.equal(bar.count, 10);
  assert.match(bar.text(), /100%/);
});

const onTerminal = process.stderr.isTTY ? 'stderr is a terminal here, where the bar redraws one line with \\r instead of printing lines' : false;

test('in logs (no TTY) the bar prints a line per tenth, not per step', { skip: onTerminal }, () => {
  const { text } = captureStderr(() => {
    const b = new ProgressBar(100, { desc: 'x', minIntervalMs: 0 });
    for (let i = 0; i < 100; i++) b.update(1);
    b.close();
  });
  const lines = text.trim().split('\n');
  assert.ok(lines.length >= 10 && lines.length <= 12, `got ${lines.length} lines`);
  assert.match(lines[lines.length - 1]!, /100% .* 100\/100/);
});

test('progress() yields every item and trange() counts', () => {
  const { result } = captureStderr(() => [...progress(['a', 'b', 'c'])]);
  assert.deepEqual(result, ['a', 'b', 'c']);
  const { result: nums } = captureStderr(() => [...trange(4)]);
  assert.deepEqual(nums, [0, 1, 2, 3]);
});

test('bad totals are rejected with a clear error', () => {
  assert.throws(() => new ProgressBar(-1), /non-negative/);
  assert.throws(() => new ProgressBar(Number.NaN), /non-negative/);
});

test('the notebook bar is one bar on one line: a <progress> element and the numbers, no text bar, nothing hidden', () => {
  const bar = new ProgressBar(10, { desc: 'epochs' });
  bar.update(3);
  const html = (bar as unknown as { html(): string }).html();
  assert.equal((html.match(/<progress /g) ?? []).length, 1);
  assert.doesNotMatch(html, /█/);
  assert.match(html, /white-space:nowrap/);
  assert.doesNotMatch(html, /display:none/);
  assert.match(html, /epochs  30% 3\/10 \[/);
  bar.close();
});
