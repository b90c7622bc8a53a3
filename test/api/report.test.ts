/**
 * The committed API report (api/rnn-course-kit.api.md) is the public surface of the built package:
 * a change of the public API must come with its report (`npm run api`), so that it shows in review.
 * Reads dist/ (npm test builds it first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiReport, REPORT } from '../../scripts/api-report.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the committed API report matches the built declarations of every package entry point', () => {
  const committed = readFileSync(join(root, REPORT), 'utf8');
  const current = apiReport(root);
  if (committed === current) return;
  const a = committed.split('\n');
  const b = current.split('\n');
  const i = a.findIndex((l, k) => l !== b[k]);
  assert.fail(`${REPORT} is stale: the public API changed. Run \`npm run api\` and commit the report.\n` +
    `First difference at line ${i + 1}:\n  committed: ${a[i] ?? '(end)'}\n  built:     ${b[i] ?? '(end)'}`);
});

test('the report covers every entry point in package.json "exports"', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const report = readFileSync(join(root, REPORT), 'utf8');
  for (const sub of Object.keys(pkg.exports).filter((s) => s !== './package.json')) {
    const name = sub === '.' ? 'rnn-course-kit' : `rnn-course-kit/${sub.slice(2)}`;
    assert.match(report, new RegExp(`^## ${name.replace('/', '\\/')}$`, 'm'), `${name} is in the report`);
  }
});
