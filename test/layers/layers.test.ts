/**
 * The layering of src/, checked by dependency-cruiser with the project's rules
 * (.dependency-cruiser.cjs): no import cycle, and src/lib imports nothing above it. The second
 * test feeds the same rules a planted violation (test/fixtures/layers) so that a rule that
 * stopped matching cannot pass unseen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** dependency-cruiser with the project's rules on `src` of `dir`. */
function cruise(dir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [depcruise, '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'err', 'src'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('src/ has no import cycle and src/lib imports nothing from src/grading, src/solutions, src/runner, src/kernel or src/api', () => {
  const r = cruise(root);
  assert.equal(r.status, 0, `dependency-cruiser found layering violations (run: npx depcruise src --config .dependency-cruiser.cjs):\n${r.out}`);
  assert.match(r.out, /no dependency violations found/);
});

test('the rules catch a planted cycle and a library module importing the grader (type-only and dynamic imports too)', () => {
  // test/fixtures/layers has the project's layout (src/lib, src/grading, ...) with the violations planted
  const r = cruise(join(root, 'test', 'fixtures', 'layers'));
  assert.notEqual(r.status, 0, r.out);
  assert.match(r.out, /error no-cycle: src\/lib\/[ab]\.ts →\s+src\/lib\/[ab]\.ts →\s+src\/lib\/[ab]\.ts/);
  assert.match(r.out, /error lib-imports-nothing-above: src\/lib\/a\.ts → src\/grading\/check\.ts/);
  assert.match(r.out, /error lib-imports-nothing-above: src\/lib\/types-only\.ts → src\/solutions\/index\.ts/);
  assert.match(r.out, /error lib-imports-nothing-above: src\/lib\/dynamic\.ts → src\/kernel\/patch\.ts/);
});
