/**
 * What the library shows in a live kernel: a rendered graph drawing is shown (fitted to the page,
 * linked to the full-size file next to the notebook), not only its file name.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { TslabKernel } from '../../src/runner/kernel.js';
import { root } from '../helpers/paths.js';

const work = mkdtempSync(join(root, 'test', 'fixtures', '.outputs-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

it('dot.render(...) in a notebook shows the drawing and a link to it; its value is the file name', async () => {
  const kernel = await TslabKernel.start({ cwd: work, env: { RNNKIT_OUTPUT_DIR: '' } });
  try {
    const shown: Record<string, unknown>[] = [];
    const results: Record<string, unknown>[] = [];
    const r = await kernel.execute([
      "import * as tf from '@tensorflow/tfjs';",
      "import { makeDot } from 'rnn-course-kit';",
      'const W = tf.variable(tf.ones([2, 3]));',
      'const x = tf.ones([1, 2]);',
      "makeDot(() => tf.mean(tf.matMul(x, W)), { params: { weight: W } }).render('small graph #1');",
    ].join('\n'), {
      onIopub: (m) => {
        const data = (m.content as { data?: Record<string, unknown> }).data;
        if (m.header.msg_type === 'display_data' && data) shown.push(data);
        if (m.header.msg_type === 'execute_result' && data) results.push(data);
      },
    });
    assert.equal(r.status, 'ok', JSON.stringify(r.reply));
    assert.equal(shown.length, 1);
    const html = String(shown[0]!['text/html']);
    assert.match(html, /<img src="small%20graph%20%231\.svg"[^>]*style="max-width:100%;height:auto"/);
    assert.match(html, /<a href="small%20graph%20%231\.svg" target="_blank">small graph #1\.svg<\/a>/);
    assert.deepEqual(results, [{ 'text/plain': 'small graph #1.svg' }]);
  } finally {
    await kernel.shutdown();
  }
});
