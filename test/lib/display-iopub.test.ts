/**
 * Outputs of a long synchronous cell in a real tslab kernel: zeromq 6 sends only 512 messages in a
 * row at once and throws "Socket is busy writing" on the next but one, which made such cells fail
 * with an empty error. The library queues those messages (src/lib/display.ts); every output still
 * arrives, in order. (900 messages: more than zeromq's 512, fewer than its high-water mark of 1000,
 * beyond which a publisher socket drops messages whatever the library does.) Runs against the built
 * library (dist/), as the notebooks do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TslabKernel } from '../../src/runner/kernel.js';
import { root } from '../helpers/paths.js';


test('a cell that prints 300 lines and redraws a display 600 times without yielding runs, and every output arrives in order', { timeout: 120_000 }, async () => {
  const kernel = await TslabKernel.start({ cwd: join(root, 'notebooks') });
  try {
    const lines: string[] = [];
    const shown: string[] = [];
    let stderr = '';
    const r = await kernel.execute([
      "import { newDisplay } from 'rnn-course-kit/plots';",
      'const d = newDisplay();',
      "for (let i = 0; i < 300; i++) { d.show({ 'text/plain': `a ${i}` }); console.log(i); d.show({ 'text/plain': `b ${i}` }); }",
    ].join('\n'), {
      onIopub: (m) => {
        const c = m.content as { name?: string; text?: string; data?: Record<string, unknown> };
        if (m.header.msg_type === 'stream' && c.name === 'stdout') lines.push(...c.text!.split('\n').filter((l) => l !== ''));
        else if (m.header.msg_type === 'stream') stderr += c.text;
        else if (/display_data$/.test(m.header.msg_type)) shown.push(String(c.data?.['text/plain']));
      },
    });
    assert.equal(r.status, 'ok', stderr);
    assert.deepEqual(lines, Array.from({ length: 300 }, (_, i) => String(i)));
    assert.equal(shown.length, 600);
    assert.deepEqual(shown.slice(-2), ['a 299', 'b 299']);
    // the kernel goes on working normally afterwards
    assert.equal((await kernel.execute('console.log("next")')).status, 'ok');
  } finally {
    await kernel.shutdown();
  }
});
