/**
 * Records the computational graph of a TensorFlow.js computation, the graph that torchviz's
 * `make_dot` draws from a PyTorch tensor's `grad_fn` chain.
 *
 * PyTorch keeps the graph on every tensor that requires a gradient; TensorFlow.js keeps none. It
 * records the operations only while a gradient is being taken: `tf.grad` / `tf.variableGrads` call
 * the engine's `gradients(f, xs)`, which turns the engine's *tape* on (`startTape()`), runs `f`, and
 * reads `engine.state.activeTape`: one node per kernel that ran, with its input tensors (by the
 * kernel's input names: `a`, `b` for BatchMatMul, `x` for Sigmoid, ...), its output tensors and
 * the tensors it saved for the backward pass. `recordGraph` does the same without the backward
 * pass: it turns the tape on, runs `f` inside `tf.tidy`, copies the structure of the tape (tensor
 * ids, shapes, kernel names; no tensor is kept), and then cleans up as `gradients` does (disposes
 * the tensors saved for the backward pass and drops the tape).
 *
 * Like `engine.gradients` it keeps only the tape nodes that lie on a path from a *source* to the
 * output: the trainable variables (PyTorch's tensors with `requires_grad`) and any tensors passed
 * as `params`. Inputs that do not depend on a source (the data, the zero initial states) are not
 * drawn, as in torchviz, and neither are the `Identity` copies the engine makes of saved tensors.
 *
 * The tape and `startTape`/`endTape` are internals of tfjs-core 4.x (`Engine` in engine.ts; the
 * two methods are private in its typings): they are reached through the typed view `TapeEngine`
 * below, checked at run time, so a tfjs version without them fails with a clear message.
 */
import * as tf from '@tensorflow/tfjs';

/** A tensor as the graph refers to it: its id (unique per tensor in a session), shape and dtype. */
export interface TensorRef {
  id: number;
  shape: number[];
  dtype: tf.DataType;
}

/** A parameter (a source of the graph): torchviz's light-blue AccumulateGrad box. */
export interface ParamNode {
  kind: 'param';
  id: string;
  /** The name given in `params` ('' for a trainable variable that was not named there). */
  name: string;
  tensor: TensorRef;
}

/** A kernel that ran (one tape node): torchviz's grey `...Backward0` box. */
export interface OpNode {
  kind: 'op';
  id: string;
  /** The kernel's name (`BatchMatMul`, `Add`, `Sigmoid`, ...), or a custom gradient's scope name. */
  kernel: string;
  /** Every input of the kernel, by its input name, in the kernel's order. */
  inputs: { name: string; tensor: TensorRef }[];
  outputs: TensorRef[];
  /** Position on the tape (execution order). */
  tapeIndex: number;
}

/** The tensor the computation returned: torchviz's green box. */
export interface OutputNode {
  kind: 'output';
  id: 'output';
  tensor: TensorRef;
}

export type GraphNode = ParamNode | OpNode | OutputNode;

/** `from`'s tensor `tensor` is the input `input` of `to` (`input` is '' for the output node). */
export interface GraphEdge {
  from: string;
  to: string;
  input: string;
  tensor: TensorRef;
}

export interface ComputationGraph {
  /** Parameters first (in the order of `params`, then unnamed variables by first use), then the operations in execution order, then the output. */
  nodes: GraphNode[];
  edges: GraphEdge[];
  output: TensorRef;
  /** How many nodes the tape held before filtering (including nodes that do not lead to the output). */
  tapeLength: number;
}

/** Parameters to label: `Object.fromEntries(model.namedParameters())` or `model.namedParameters()`. */
export type NamedTensors = Record<string, tf.Tensor> | readonly (readonly [string, tf.Tensor])[];

export interface RecordOptions {
  /** Names for the parameters (torchviz's `params=dict(model.named_parameters())`). Tensors given here count as sources even when they are not trainable variables. */
  params?: NamedTensors;
}

// ---------------------------------------------------------------- the engine's tape (typed view)

/** A node of tfjs-core's tape (tape.ts `TapeNode`). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor | undefined>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
}

interface TapeState {
  /** Not set before the first gradient; null after one. */
  activeTape?: TapeNode[] | null;
  gradientDepth: number;
  kernelDepth: number;
}

/** The parts of tfjs-core's `Engine` the recorder uses. */
interface TapeEngine {
  state: TapeState;
  startTape(): void;
  endTape(): void;
}

function isTapeEngine(e: unknown): e is TapeEngine {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  const state = r['state'] as Record<string, unknown> | undefined;
  return typeof r['startTape'] === 'function' && typeof r['endTape'] === 'function' && typeof state === 'object' && state !== null &&
    typeof state['gradientDepth'] === 'number' && typeof state['kernelDepth'] === 'number';
}

function tapeEngine(): TapeEngine {
  const e: unknown = tf.engine();
  if (!isTapeEngine(e)) {
    throw new Error(`recordGraph: this TensorFlow.js (${tf.version_core}) has no engine tape (startTape/endTape, state.activeTape); it was written for tfjs-core 4.x`);
  }
  return e;
}

function ref(t: tf.Tensor): TensorRef {
  return { id: t.id, shape: [...t.shape], dtype: t.dtype };
}

function namedList(params: NamedTensors | undefined): [string, tf.Tensor][] {
  if (!params) return [];
  const list = Array.isArray(params) ? (params as readonly (readonly [string, tf.Tensor])[]) : Object.entries(params as Record<string, tf.Tensor>);
  return list.map(([n, t]) => {
    if (!(t instanceof tf.Tensor)) throw new TypeError(`recordGraph: params['${n}'] is not a tensor`);
    return [n, t];
  });
}

/**
 * Runs `f` with the engine's tape on and returns the graph from the sources (trainable variables
 * and `params`) to the tensor `f` returns. Everything `f` creates is disposed (it runs in
 * `tf.tidy`, and the tensors the tape saved for a backward pass are disposed), so the recorder
 * leaves no tensor behind. It also works inside `tf.grad` & co.: then its own nodes are taken off
 * the enclosing tape again.
 */
export function recordGraph(f: () => tf.Tensor, options: RecordOptions = {}): ComputationGraph {
  const engine = tapeEngine();
  const { state } = engine;
  if (state.kernelDepth > 0) throw new Error('recordGraph cannot run inside a kernel (a custom gradient\'s forward function)');
  const named = namedList(options.params);
  const outer = state.gradientDepth > 0;
  const start = outer ? (state.activeTape?.length ?? 0) : 0;

  let out: TensorRef | undefined;
  let nodes: TapeNode[] = [];
  engine.startTape();
  try {
    tf.tidy(() => {
      const y = f();
      if (!(y instanceof tf.Tensor)) throw new TypeError('recordGraph: f must return a tensor');
      out = ref(y);
      return undefined;
    });
  } finally {
    engine.endTape();
    const tape = state.activeTape ?? [];
    // Our nodes: the whole tape, or (inside an enclosing gradient) what we appended to it.
    nodes = outer ? tape.splice(start) : tape;
    for (const n of nodes) for (const s of n.saved ?? []) s.dispose();
    if (!outer) state.activeTape = null;
  }
  if (!out) throw new Error('recordGraph: f returned no tensor');
  return buildGraph(nodes, out, named);
}

/** The graph between the sources and `out`, from a copy of the tape. */
function buildGraph(tape: TapeNode[], out: TensorRef, named: [string, tf.Tensor][]): ComputationGraph {
  const params = new Map<number, ParamNode>();
  const addParam = (name: string, t: tf.Tensor) => {
    if (!params.has(t.id)) params.set(t.id, { kind: 'param', id: `p${params.size}`, name, tensor: ref(t) });
  };
  for (const [name, t] of named) addParam(name, t);
  for (const n of tape) {
    for (const t of Object.values(n.inputs)) if (t instanceof tf.Variable && t.trainable) addParam('', t);
  }

  // Forward: the tensors that depend on a source, in tape (execution) order, as getFilteredNodesXToY.
  const reachable = new Set<number>(params.keys());
  const fromSource = tape.map((n) => {
    const hit = Object.values(n.inputs).some((t) => t !== undefined && reachable.has(t.id));
    if (hit) for (const o of n.outputs) reachable.add(o.id);
    return hit;
  });
  // Backward: the nodes whose outputs the output depends on.
  const needed = new Set<number>([out.id]);
  const keep = new Array<boolean>(tape.length).fill(false);
  for (let i = tape.length - 1; i >= 0; i--) {
    const n = tape[i]!;
    if (!fromSource[i] || !n.outputs.some((o) => needed.has(o.id))) continue;
    keep[i] = true;
    for (const t of Object.values(n.inputs)) if (t !== undefined && reachable.has(t.id)) needed.add(t.id);
  }

  const ops: OpNode[] = [];
  const producer = new Map<number, string>();
  tape.forEach((n, i) => {
    if (!keep[i]) return;
    const op: OpNode = {
      kind: 'op',
      id: `op${ops.length}`,
      kernel: n.kernelName,
      inputs: Object.entries(n.inputs).filter((e): e is [string, tf.Tensor] => e[1] instanceof tf.Tensor).map(([name, t]) => ({ name, tensor: ref(t) })),
      outputs: n.outputs.map(ref),
      tapeIndex: i,
    };
    ops.push(op);
    for (const o of n.outputs) producer.set(o.id, op.id);
  });

  const edges: GraphEdge[] = [];
  const used = new Set<string>();
  const source = (id: number): string | undefined => producer.get(id) ?? params.get(id)?.id;
  for (const op of ops) {
    for (const { name, tensor } of op.inputs) {
      const from = source(tensor.id);
      if (from === undefined) continue; // data or a constant: not drawn
      edges.push({ from, to: op.id, input: name, tensor });
      used.add(from);
    }
  }
  const outFrom = source(out.id);
  if (outFrom !== undefined) {
    edges.push({ from: outFrom, to: 'output', input: '', tensor: out });
    used.add(outFrom);
  }
  const output: OutputNode = { kind: 'output', id: 'output', tensor: out };
  // Only the parameters the output depends on (torchviz shows no unused parameter either).
  const paramNodes = [...params.values()].filter((p) => used.has(p.id));
  return { nodes: [...paramNodes, ...ops, output], edges, output: out, tapeLength: tape.length };
}

/** How many operations of each kernel the graph holds, most frequent first. */
export function kernelCounts(graph: ComputationGraph): [string, number][] {
  const counts = new Map<string, number>();
  for (const n of graph.nodes) if (n.kind === 'op') counts.set(n.kernel, (counts.get(n.kernel) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
