import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDatasetArgs } from '../../src/lib/mnist1d/args.js';
import { makeDataset } from '../../src/lib/mnist1d/make-dataset.js';
import { plotSignals } from '../../src/lib/mnist1d/plot-signals.js';
import { getTemplates } from '../../src/lib/mnist1d/templates.js';
import { RandomState } from '../../src/lib/random/numpy-random-state.js';

test('plotSignals draws 10 panels, signal horizontally against t, inverted y, labels as titles', () => {
  const d = makeDataset(getDatasetArgs({ numSamples: 20 }));
  const fig = plotSignals(d.x, d.t, { labels: d.y });
  assert.equal(fig.data.length, 10);
  const tr = fig.data[3] as { x: number[]; y: number[]; xaxis: string; yaxis: string; line: { color: string } };
  assert.deepEqual(tr.x, d.x[3]);
  assert.deepEqual(tr.y, d.t);
  assert.equal(tr.xaxis, 'x4');
  assert.equal(tr.yaxis, 'y4');
  assert.equal(tr.line.color, 'black');
  const layout = fig.layout as Record<string, { range?: number[]; domain?: number[] }> & { annotations: { text: string }[]; width: number; height: number };
  assert.deepEqual(layout['yaxis4']!.range, [1, -1]);
  assert.deepEqual(layout['xaxis10']!.range, [-1, 1]);
  assert.deepEqual(layout['xaxis10']!.domain, [0.9, 1]);
  assert.equal(layout.annotations[2]!.text, `label=${d.y[2]}`);
  assert.equal(layout.width, 900);
  assert.equal(layout.height, 1.5 * 2.6 * 60);
  assert.doesNotThrow(() => JSON.stringify(fig));
});

test('plotSignals options: dark mode, zoom, transform, fewer signals', () => {
  const tpl = getTemplates();
  const fig = plotSignals(tpl.x, tpl.t, { darkMode: true, zoom: 2, doTransform: true, args: getDatasetArgs(), rng: new RandomState(0) });
  const tr = fig.data[0] as { mode: string; x: number[] };
  assert.equal(tr.mode, 'markers');
  assert.equal(tr.x.length, 40);
  assert.deepEqual((fig.layout as Record<string, { range: number[] }>)['xaxis']!.range, [-2, 2]);
  assert.equal(plotSignals(tpl.x.slice(0, 3), tpl.t).data.length, 3);
  assert.throws(() => plotSignals(tpl.x, tpl.t, { doTransform: true }), /Need an args object/);
});
