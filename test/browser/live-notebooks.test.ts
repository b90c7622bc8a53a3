/**
 * Notebooks as a person runs them (issue 15's done-when): in the classic Notebook 6.4 in headless
 * Chromium, Run All (shortened: instructor toggle, 3 epochs of 3 batches), save, reopen, and a copy
 * received from someone else (untrusted). Checked in the page: no errors, every chart drawn live
 * and after reopening, one bar per progress bar (no text twin), no stray hidden lines, whole epoch
 * ticks, titles clear of plotly's toolbar, titled axes, equal image panels, marks every font has;
 * the saved file holds no plotly.js. Four notebooks fit the CI budget (welcome, Lab 8, the I2DL
 * exercise, Lab 9); the other two (no charts) were run the same way by hand with
 * `npx tsx test/browser/live-notebook.ts`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser } from './cdp.js';
import { chromium, liveRound, liveSkip, NotebookServer, root, type LiveResult, type PageView } from './live-notebook.js';

const mirror = join(root, '..', 'shared', 'datasets');
const skip = liveSkip() ?? (existsSync(join(mirror, 'mnist')) && existsSync(join(mirror, 'mnist1d')) ? undefined : `no MNIST / MNIST-1D test data in ${mirror}`);

/** What every view of a run notebook must show. */
function assertClean(view: PageView, what: string): void {
  assert.deepEqual(view.errors, [], `${what}: errors`);
  assert.deepEqual(view.strayLines, [], `${what}: lines meant to stay hidden`);
  assert.equal(view.marks.emoji, 0, `${what}: emoji marks (empty boxes without an emoji font)`);
  for (const [i, p] of view.progress.entries()) if (p.html > 0) assert.equal(p.text, 0, `${what}: code cell ${i + 1} shows a text bar beside its HTML bar`);
}

function assertCharts(view: PageView, what: string): void {
  assert.ok(view.plots > 0, `${what}: charts`);
  assert.equal(view.drawn, view.plots, `${what}: every chart drawn`);
  for (const c of view.charts) {
    const name = `${what}: chart "${c.title}"`;
    assert.ok(c.hasToolbar, `${name}: plotly's toolbar`);
    assert.deepEqual(c.toolbarOverlaps, [], `${name}: the toolbar covers a title`);
    assert.deepEqual(c.untitledAxes, [], `${name}: axes without a title`);
    assert.deepEqual(c.fractionalEpochTicks, [], `${name}: epoch ticks that are not whole numbers`);
    assert.ok(new Set(c.imageSizes).size <= 1, `${name}: image panels of different sizes ${[...new Set(c.imageSizes)]}`);
  }
}

describe('notebooks run, saved and reopened in the classic Notebook (headless Chromium)', { skip: skip ?? false, concurrency: 1 }, () => {
  let server: NotebookServer;
  let browser: Browser;
  const dataDir = mkdtempSync(join(tmpdir(), 'rnnkit-live-data-'));
  before(async () => {
    server = await NotebookServer.start({
      RNNKIT_SOLUTIONS: '1', RNNKIT_EPOCHS: '3', RNNKIT_BATCHES: '3', RNNKIT_TIMEIT_RUNS: '5',
      RNNKIT_DATA_MIRROR: mirror, RNNKIT_DATA_DIR: dataDir, RNNKIT_RUNS_DIR: join(dataDir, 'runs'),
    });
    browser = Browser.launch(chromium!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const round = async (file: string): Promise<LiveResult> => {
    const r = await liveRound(browser, server, file, readFileSync(join(root, 'notebooks', file), 'utf8'));
    assertClean(r.live, 'live');
    assertClean(r.reopened, 'reopened');
    assertClean(r.untrusted, 'untrusted copy');
    assertCharts(r.live, 'live');
    assert.equal(r.reopened.trusted, true, 'the saved notebook reopens trusted');
    assertCharts(r.reopened, 'reopened');
    assert.equal(r.untrusted.trusted, false);
    assert.equal(r.untrusted.drawn, 0, 'an untrusted copy runs no scripts');
    assert.equal(r.untrusted.fallbacks, r.untrusted.plots, 'an untrusted copy shows every chart\'s text summary');
    // no copy of plotly.js (4.9 MB) in the saved file, in any output
    assert.equal(r.saved.plotlyBundle, false, 'plotly.js in the saved notebook');
    assert.ok(r.saved.largestOutput < 1_000_000, `an output of ${r.saved.largestOutput} bytes`);
    return r;
  };

  it('the welcome notebook: both charts with titled axes, one progress bar', async () => {
    const r = await round('00_welcome.ipynb');
    assert.equal(r.live.plots, 2);
    assert.deepEqual(r.live.progress.filter((p) => p.html > 0).map((p) => p.html), [1]);
  });

  it('Lab 8: the signals, the live training curves with whole epoch ticks, the logged runs, the checks with plain marks', async () => {
    const r = await round('lab8_rnn_mnist1d.ipynb');
    assert.ok(r.live.charts.filter((c) => c.title === 'Training curves').length >= 3, r.live.charts.map((c) => c.title).join(', '));
    assert.ok(r.reopened.charts.some((c) => c.epochTicks >= 3), 'epoch ticks were read');
    assert.ok(r.live.marks.plain >= 21, 'three feedback cells of seven ✓ each');
  });

  it('the I2DL exercise: the gradient charts and the class grid of equal images', async () => {
    const r = await round('i2dl_rnn_exercise.ipynb');
    const grid = r.reopened.charts.find((c) => c.imageSizes.length >= 50);
    assert.ok(grid, 'the class grid (50 images)');
  });

  it('Lab 9: the training image with titled axes, a bar per epoch and per test pass', async () => {
    const r = await round('lab9_rnn_lstm_mnist.ipynb');
    assert.equal(r.reopened.charts.length, 1);
    assert.equal(r.reopened.charts[0]!.imageSizes.length, 1);
  });
});
