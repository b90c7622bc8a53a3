import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  graphDot, graphSvg, kernelCounts, layoutGraph, makeDot, recordGraph,
  type ComputationGraph, type GraphNode, type OpNode,
} from '../../src/lib/graph/index.js';

await tf.setBackend('cpu');

interface EngineView { state: { gradientDepth: number; activeTape?: unknown } }
const engineState = () => (tf.engine() as unknown as EngineView).state;

/** The graph as readable strings: node labels and `from -> to (input)` edges. */
function describe(g: ComputationGraph): { nodes: string[]; edges: string[] } {
  const name = (n: GraphNode) => (n.kind === 'param' ? `param ${n.name || '?'}[${n.tensor.shape}]` : n.kind === 'op' ? `op ${n.kernel}[${n.outputs[0]!.shape}]` : `output[${n.tensor.shape}]`);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  return {
    nodes: g.nodes.map(name),
    edges: g.edges.map((e) => `${name(byId.get(e.from)!)} -> ${name(byId.get(e.to)!)}${e.input ? ` (${e.input})` : ''}`),
  };
}

function tiny() {
  const W = tf.variable(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), true, 'tinyW');
  const b = tf.variable(tf.tensor1d([0.1, 0.2, 0.3]), true, 'tinyB');
  const x = tf.tensor2d([[1, -1]]);
  return { W, b, x, dispose: () => tf.dispose([W, b, x]) };
}

test('a tiny computation: parameters, kernels in order, edges by input name, the output; the data is not drawn', () => {
  const { W, b, x, dispose } = tiny();
  try {
    const before = tf.memory().numTensors;
    const g = recordGraph(() => tf.sum(tf.sigmoid(tf.add(tf.matMul(x, W), b))), { params: { W, b } });
    assert.equal(tf.memory().numTensors, before, 'the recorder leaves no tensor behind');
    assert.equal(engineState().gradientDepth, 0);
    assert.equal(engineState().activeTape, null, 'the tape is dropped, as after a gradient');
    const d = describe(g);
    assert.deepEqual(d.nodes, ['param W[2,3]', 'param b[3]', 'op BatchMatMul[1,3]', 'op Add[1,3]', 'op Sigmoid[1,3]', 'op Sum[]', 'output[]']);
    assert.deepEqual(d.edges, [
      'param W[2,3] -> op BatchMatMul[1,3] (b)',
      'op BatchMatMul[1,3] -> op Add[1,3] (a)',
      'param b[3] -> op Add[1,3] (b)',
      'op Add[1,3] -> op Sigmoid[1,3] (x)',
      'op Sigmoid[1,3] -> op Sum[] (x)',
      'op Sum[] -> output[]',
    ]);
    // the op keeps all its inputs (the data x too), only the edges leave it out
    const mm = g.nodes.find((n): n is OpNode => n.kind === 'op' && n.kernel === 'BatchMatMul')!;
    assert.deepEqual(mm.inputs.map((i) => [i.name, i.tensor.id]), [['a', x.id], ['b', W.id]]);
    assert.equal(g.output.id, g.edges.at(-1)!.tensor.id);
    assert.ok(g.tapeLength > 4, 'the raw tape also held the engine\'s copies of saved tensors');
    assert.deepEqual(kernelCounts(g), [['Add', 1], ['BatchMatMul', 1], ['Sigmoid', 1], ['Sum', 1]]);
  } finally {
    dispose();
  }
});

test('only what lies between a source and the output: side branches, data-only ops and unused parameters are left out', () => {
  const { W, b, x, dispose } = tiny();
  const unused = tf.variable(tf.ones([2]), true, 'unusedV');
  const frozen = tf.variable(tf.ones([1, 3]), false, 'frozenV');
  try {
    const before = tf.memory().numTensors;
    const g = recordGraph(() => {
      const x2 = tf.mul(x, 2); // data only
      tf.exp(W); // a side branch from a parameter, not used by the output
      tf.neg(unused);
      return tf.mean(tf.mul(tf.add(tf.matMul(x2, W), frozen), b)); // frozen: not trainable, not in params
    });
    assert.equal(tf.memory().numTensors, before);
    const d = describe(g);
    // without params the trainable variables are the sources, unnamed (as torchviz without params)
    assert.deepEqual(d.nodes, ['param ?[2,3]', 'param ?[3]', 'op BatchMatMul[1,3]', 'op Add[1,3]', 'op Multiply[1,3]', 'op Mean[]', 'output[]']);
    assert.ok(!d.edges.some((e) => e.includes('Exp') || e.includes('Neg')));
    assert.equal(g.nodes.filter((n) => n.kind === 'param').length, 2, 'unused and frozen variables are not drawn');
  } finally {
    dispose();
    tf.dispose([unused, frozen]);
  }
});

test('a value used twice gives two edges; a parameter returned as it is gives param -> output', () => {
  const { W, dispose } = tiny();
  try {
    const g = recordGraph(() => tf.mul(W, W), { params: [['W', W]] });
    assert.deepEqual(describe(g).edges, ['param W[2,3] -> op Multiply[2,3] (a)', 'param W[2,3] -> op Multiply[2,3] (b)', 'op Multiply[2,3] -> output[2,3]']);
    const same = recordGraph(() => W, { params: { W } });
    assert.deepEqual(describe(same).edges, ['param W[2,3] -> output[2,3]']);
    assert.ok(!W.isDisposed, 'the tidy keeps the variable');
  } finally {
    dispose();
  }
});

test('inside tf.grad the recorder takes its nodes off the enclosing tape: the gradient is unchanged, nothing leaks', () => {
  const { W, b, x, dispose } = tiny();
  try {
    const before = tf.memory().numTensors;
    let inner: ComputationGraph | undefined;
    const { value, grads } = tf.variableGrads(() => {
      inner = recordGraph(() => tf.sum(tf.tanh(tf.mul(b, 3))), { params: { b } });
      return tf.sum(tf.square(tf.add(tf.matMul(x, W), b)));
    }, [W, b]);
    assert.deepEqual(describe(inner!).nodes, ['param b[3]', 'op Multiply[3]', 'op Tanh[3]', 'op Sum[]', 'output[]']);
    // d/db sum((xW + b)^2) = 2 (xW + b); xW = [-3, -3, -3]
    assert.deepEqual(Array.from(grads['tinyB']!.dataSync()).map((v) => +v.toFixed(5)), [-5.8, -5.6, -5.4]);
    assert.deepEqual(Array.from(grads['tinyW']!.dataSync()).map((v) => +v.toFixed(5)), [-5.8, -5.6, -5.4, 5.8, 5.6, 5.4]);
    tf.dispose([value, grads['tinyW']!, grads['tinyB']!]);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(engineState().gradientDepth, 0);
  } finally {
    dispose();
  }
});

test('an error in the computation leaves the engine as it was and leaks nothing', () => {
  const { W, dispose } = tiny();
  try {
    const before = tf.memory().numTensors;
    assert.throws(() => recordGraph(() => {
      tf.matMul(W, W, false, true);
      throw new Error('boom');
    }), /boom/);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(engineState().gradientDepth, 0);
    assert.equal(engineState().activeTape, null);
    // and a gradient afterwards still works
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(v)))(tf.tensor1d([3]));
    assert.equal(g.dataSync()[0], 6);
    g.dispose();
  } finally {
    dispose();
  }
});

test('a loop of steps (an RNN) repeats the same block per step', () => {
  const Wx = tf.variable(tf.randomNormal([4, 5]), true, 'rnnWx');
  const Wh = tf.variable(tf.randomNormal([5, 5]), true, 'rnnWh');
  const x = tf.randomNormal([2, 3, 4]);
  try {
    const before = tf.memory().numTensors;
    const g = recordGraph(() => {
      let h: tf.Tensor = tf.zeros([2, 5]);
      for (let t = 0; t < 3; t++) {
        const prev = h;
        h = tf.tidy(() => tf.tanh(tf.add(tf.matMul(tf.gather(x, t, 1), Wx), tf.matMul(prev, Wh))));
      }
      return tf.mean(h);
    }, { params: { Wx, Wh } });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(kernelCounts(g), [['BatchMatMul', 6], ['Add', 3], ['Tanh', 3], ['Mean', 1]]);
    // GatherV2 (slicing the data) is not on a path from a parameter
    assert.ok(!g.nodes.some((n) => n.kind === 'op' && n.kernel === 'GatherV2'));
    // each Tanh but the last feeds the next step's h @ Wh
    const tanhs = g.nodes.filter((n) => n.kind === 'op' && n.kernel === 'Tanh').map((n) => n.id);
    for (const t of tanhs.slice(0, 2)) assert.equal(g.edges.filter((e) => e.from === t).length, 1);
    assert.equal(g.edges.filter((e) => e.from === 'p0').length, 3, 'Wx feeds three matrix products');
  } finally {
    tf.dispose([Wx, Wh, x]);
  }
});

test('layout: top to bottom along every edge, no overlapping boxes, parameter copies within paramSpan', () => {
  const Wx = tf.variable(tf.randomNormal([4, 5]), true, 'layWx');
  const x = tf.randomNormal([2, 6, 4]);
  try {
    const g = recordGraph(() => {
      let h: tf.Tensor = tf.zeros([2, 5]);
      for (let t = 0; t < 6; t++) h = tf.sigmoid(tf.add(tf.matMul(tf.gather(x, t, 1), Wx), h));
      return tf.sum(h);
    }, { params: { Wx } });
    const nodes = g.nodes.map((n) => ({ id: n.id, width: 90, height: 30, param: n.kind === 'param' }));
    const edges = g.edges.map((e) => ({ from: e.from, to: e.to }));
    for (const span of [Infinity, 2]) {
      const l = layoutGraph(nodes, edges, { paramSpan: span });
      const at = new Map(l.nodes.map((p) => [p.key, p]));
      assert.equal(l.edges.length, edges.length);
      for (const e of l.edges) {
        assert.ok(at.get(e.fromKey)!.rank < at.get(e.toKey)!.rank, `${e.fromKey} above ${e.toKey}`);
        assert.ok(e.points.every(([, y], i) => i === 0 || y > e.points[i - 1]![1]), 'edges run downwards');
      }
      const byRank = new Map<number, typeof l.nodes>();
      for (const p of l.nodes) byRank.set(p.rank, [...(byRank.get(p.rank) ?? []), p]);
      for (const row of byRank.values()) {
        const sorted = [...row].sort((a, b) => a.x - b.x);
        for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.x - sorted[i - 1]!.x >= 90 - 1e-9, 'boxes do not overlap');
      }
      for (const p of l.nodes) assert.ok(p.x - p.width / 2 >= 0 && p.x + p.width / 2 <= l.width && p.y + p.height / 2 <= l.height);
      const copies = l.nodes.filter((p) => p.id === 'p0').length;
      if (span === Infinity) assert.equal(copies, 1, 'one box per parameter, as torchviz');
      else assert.ok(copies > 1 && copies <= 6, `Wx drawn ${copies} times`);
      assert.equal(l.nodes.length, g.nodes.length + copies - 1);
    }
    assert.throws(() => layoutGraph([{ id: 'a', width: 1, height: 1 }, { id: 'b', width: 1, height: 1 }], [{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }]), /cycle/);
  } finally {
    tf.dispose([Wx, x]);
  }
});

test('makeDot draws torchviz-style SVG and DOT and renders them to files', () => {
  const { W, b, x, dispose } = tiny();
  const dir = mkdtempSync(join(tmpdir(), 'rnnkit-graph-'));
  try {
    const dot = makeDot(() => tf.mean(tf.add(tf.matMul(x, W), b)), { params: { 'layer.weight': W, 'layer.bias': b }, title: 'tiny <graph>' });
    const svg = dot.svg();
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"[\s\S]*<\/svg>$/);
    assert.ok(!/<script|style=/.test(svg), 'plain SVG, no scripts or CSS');
    for (const s of ['layer.weight', '(2, 3)', 'layer.bias', '(3)', 'BatchMatMul', 'Mean', 'output', '()', 'tiny &lt;graph&gt;']) assert.ok(svg.includes(`>${s}<`), s);
    assert.equal((svg.match(/rx="3" fill="#add8e6"/g) ?? []).length, 2, 'two parameter boxes');
    assert.equal((svg.match(/<path d="M/g) ?? []).length, 5 + 1, 'an edge per graph edge, plus the arrow head marker');
    assert.equal(svg, graphSvg(dot.graph, { title: 'tiny <graph>' }), 'deterministic');
    assert.equal(dot.source, graphDot(dot.graph));
    assert.match(dot.source, /^digraph \{\n\tgraph \[size="12,12"\]\n\tnode \[align=left fontname=monospace/);
    assert.match(dot.source, /\t"p0" \[label="layer\.weight\\n \(2, 3\)" fillcolor=lightblue\]/);
    assert.match(dot.source, /\t"output" \[label="\\n \(\)" fillcolor=darkolivegreen1\]/);
    assert.match(dot.source, /\t"op0" -> "op1"\n/);
    assert.match(dot.summary(), /2 parameters, 3 operations, 5 edges, output \(\)/);
    const path = dot.render('tiny graph', { directory: dir });
    assert.equal(path, join(dir, 'tiny graph.svg'));
    assert.equal(readFileSync(path, 'utf8'), svg);
    assert.equal(readFileSync(join(dir, 'tiny graph.gv'), 'utf8'), dot.source);
    const saved = process.env['RNNKIT_OUTPUT_DIR'];
    process.env['RNNKIT_OUTPUT_DIR'] = join(dir, 'out');
    try {
      assert.equal(dot.render('again'), join(dir, 'out', 'again.svg'));
      assert.ok(existsSync(join(dir, 'out', 'again.gv')));
    } finally {
      if (saved === undefined) delete process.env['RNNKIT_OUTPUT_DIR'];
      else process.env['RNNKIT_OUTPUT_DIR'] = saved;
    }
    assert.throws(() => dot.render('x', { format: 'png' as 'svg', directory: dir }), /only 'svg'/);
    assert.throws(() => dot.render('a/b', { directory: dir }), /without folders/);
  } finally {
    dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
