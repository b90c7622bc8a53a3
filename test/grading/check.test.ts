/** The in-notebook `check()`: same definitions as the grader, readable output, no reference values. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { check, checkResult, formatCheck, registerCourse } from '../../src/grading/notebook-check.js';
import * as solutions from '../../src/solutions/index.js';
import { course } from '../fixtures/grading/demo-course.js';

registerCourse(course);

async function printed(f: () => Promise<void>): Promise<string> {
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    await f();
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

describe('check()', () => {
  it('prints a pass for a correct function and returns nothing', async () => {
    let ret: unknown = 'x';
    const out = await printed(async () => { ret = await check('demo.square', (x: tf.Tensor) => tf.mul(x, x)); });
    assert.equal(ret, undefined);
    assert.match(out, /demo\.square passed: 3\/3/);
  });

  it('says which value differs and by how much, without reference values', async () => {
    const r = await checkResult('demo.square', (x: tf.Tensor) => tf.add(tf.mul(x, x), 0.5));
    assert.equal(r.points, 1);
    const text = formatCheck(r);
    assert.match(text, /✗ output values: square\(x\): 12 of 12 values differ, max abs difference 0\.500/);
    const x = [...(await import('../../src/grading/plain.js')).fixedValues(12, 1)];
    for (const v of x) assert.ok(!text.includes(String(v * v).slice(0, 6)) || String(v * v).length < 4);
  });

  it('names a missing gradient', async () => {
    const r = await checkResult('demo.affine', (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.tensor(tf.add(tf.matMul(x, w), b).arraySync() as number[][]));
    assert.equal(r.checks.find((c) => c.id === 'gradients')!.passed, false);
    assert.match(formatCheck(r), /✗ gradients: no gradient/);
  });

  it('reports a thrown error as the reason', async () => {
    const r = await checkResult('demo.square', () => { throw new Error('not implemented'); });
    assert.equal(r.points, 0);
    assert.match(formatCheck(r), /error: not implemented/);
    assert.equal(formatCheck(r).split('not implemented').length - 1, 1, `each distinct reason once:\n${formatCheck(r)}`);
    assert.match(formatCheck(r), /^✗ demo\.square: 0\/\d/);
  });

  it('lab8: the reference VanillaRNN passes every check (gradients and other sizes against the solutions)', async () => {
    const r = await checkResult('lab8.vanilla', (solutions as Record<string, unknown>).VanillaRNN);
    assert.equal(r.points, r.max, formatCheck(r));
    assert.equal(r.max, 7);
  });

  it('lab8: leaves the global generator where it was (no side effect on the notebook)', async () => {
    const gen = await import('../../src/lib/random/torch-generator.js');
    gen.manualSeed(5);
    const expected = Array.from(gen.uniformValues(3));
    gen.manualSeed(5);
    await checkResult('lab8.gru', (solutions as Record<string, unknown>).GRU);
    assert.deepEqual(Array.from(gen.uniformValues(3)), expected);
  });

  it('rejects an unknown task id', async () => {
    await assert.rejects(checkResult('lab99.nothing', () => 0), /unknown task 'lab99.nothing'/);
  });
});
