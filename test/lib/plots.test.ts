import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figureBundle, figureHtml, figureText, PLOTLY_ASSET, plotlyScriptHtml, type Figure } from '../../src/lib/plots.js';

const fig: Figure = {
  data: [
    { x: [0, 1, 2], y: [3, 2, 1.25], name: 'train' },
    { x: [0, 1, 2], y: [4, 3, 2], name: 'test' },
  ],
  layout: { title: { text: 'Loss' } },
};

test('figureText summarises title and last values', () => {
  assert.equal(figureText(fig), '[plot: Loss | train = 1.250, test = 2]');
});

test('figureBundle carries plotly JSON, HTML and text', () => {
  const b = figureBundle(fig, 'plot-1');
  const json = b['application/vnd.plotly.v1+json'] as Figure;
  assert.deepEqual(json.data, fig.data);
  assert.equal((json.layout?.title as { text: string }).text, 'Loss');
  assert.equal(b['text/plain'], figureText(fig));
  const html = b['text/html'] as string;
  assert.match(html, /<div id="plot-1"/);
  assert.match(html, /Plotly\.react\(el, fig\.data, fig\.layout, fig\.config\)/);
});

test('figure HTML cannot be broken out of by data containing </script>', () => {
  const html = figureHtml({ data: [{ y: [1], name: '</script><b>x' }] }, 'p');
  const scripts = html.split('<script').length - 1;
  const closes = html.split('</script>').length - 1;
  assert.equal(scripts, 1);
  assert.equal(closes, 1);
  assert.match(html, /&lt;\/script&gt;/); // the text fallback is escaped
});

test('the embedded plotly bundle is complete and safe to inline', () => {
  const html = plotlyScriptHtml();
  assert.ok(html.length > 1_000_000, 'plotly.min.js should be embedded whole');
  assert.equal(html.split('</script>').length - 1, 1);
  assert.match(html, /window\.Plotly = Plotly/);
});

test('the drawing script parses, and loads plotly.js from the file next to the notebook when the page has none', () => {
  const html = figureHtml(fig, 'p');
  const script = html.split('<script type="text/javascript">')[1]!.split('</script>')[0]!;
  assert.doesNotThrow(() => new Function(script));
  assert.ok(script.includes(JSON.stringify(PLOTLY_ASSET)));
  assert.match(PLOTLY_ASSET, /^rnnkit-assets\/plotly-\d+\.\d+\.\d+\.min\.js$/);
  // the server's files/ URL of the notebook's folder, from the page of a notebook
  const re = new RegExp(/var m = (\/.*\/)\.exec/.exec(script)![1]!.slice(1, -1));
  assert.deepEqual(re.exec('/user/ann/notebooks/course/lab8.ipynb')?.slice(1), ['/user/ann', 'course/']);
  assert.deepEqual(re.exec('/lab/tree/lab8.ipynb')?.slice(1), ['', '']);
});

test('epoch axes tick at whole epochs; the toolbar stands in the right margin, off the titles', () => {
  const b = figureBundle({ data: [{ x: [0, 1, 2], y: [1, 2, 3] }], layout: { xaxis: { title: { text: 'Epoch' } }, margin: { l: 5, r: 5, t: 30, b: 5 } } }, 'p');
  const layout = (b['application/vnd.plotly.v1+json'] as Figure).layout as Record<string, Record<string, unknown>>;
  assert.deepEqual([layout['xaxis']!['tickmode'], layout['xaxis']!['tick0'], layout['xaxis']!['dtick']], ['linear', 0, 1]);
  assert.deepEqual(layout['modebar'], { orientation: 'v' });
  assert.ok((layout['margin']!['r'] as number) >= 40);
  // not for other axes, nor where the figure sets its ticks
  const other = (figureBundle({ data: [{ x: [0, 0.5], y: [1, 2] }], layout: { xaxis: { title: { text: 'time step t' } } } })['application/vnd.plotly.v1+json'] as Figure).layout as Record<string, Record<string, unknown>>;
  assert.equal(other['xaxis']!['dtick'], undefined);
});

test('a figure that names its first axes x1/y1 gets them as plotly\'s x/y (its first panel is not laid out as another)', () => {
  const b = figureBundle({
    data: [{ z: [[1]], type: 'heatmap', xaxis: 'x1', yaxis: 'y1' }, { z: [[1]], type: 'heatmap', xaxis: 'x2', yaxis: 'y2' }] as Figure['data'],
    layout: { xaxis1: { visible: false }, yaxis1: { visible: false, scaleanchor: 'x1' }, xaxis2: { visible: false }, yaxis2: { scaleanchor: 'x2' } } as Figure['layout'],
  }, 'p');
  const json = b['application/vnd.plotly.v1+json'] as Figure;
  const layout = json.layout as Record<string, Record<string, unknown> | undefined>;
  assert.deepEqual([(json.data[0] as { xaxis: string }).xaxis, (json.data[0] as { yaxis: string }).yaxis], ['x', 'y']);
  assert.equal(layout['xaxis1'], undefined);
  assert.deepEqual(layout['yaxis'], { visible: false, scaleanchor: 'x' });
  assert.equal(layout['yaxis2']!['scaleanchor'], 'x2');
});
