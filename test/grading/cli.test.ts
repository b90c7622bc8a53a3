/** The grade command's safety switches: --no-sandbox is explicit, unsafe report folders fail before grading. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main, parseGradeCli } from '../../src/grading/cli.js';
import { fixturePath } from '../helpers/paths.js';

const correct = fixturePath('grading', 'submissions', 'correct.ipynb');
const demo = fixturePath('grading', 'demo-course.ts');

describe('grade CLI', () => {
  it('grades in the sandbox unless --no-sandbox is given', () => {
    assert.equal(parseGradeCli(['a.ipynb']).noSandbox, false);
    assert.equal(parseGradeCli(['a.ipynb', '--no-sandbox']).noSandbox, true);
  });

  it('refuses a world-writable report folder before grading anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-cli-'));
    chmodSync(dir, 0o1777);
    const errors: string[] = [];
    const error = console.error;
    console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
    try {
      assert.equal(await main([correct, '--course', demo, '--out', join(dir, 'lab8')]), 2);
    } finally {
      console.error = error;
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(errors.join('\n'), /everyone can write to/);
  });
});
