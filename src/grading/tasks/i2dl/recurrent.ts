/**
 * The I2DL tasks i2dl.rnn and i2dl.lstm: the student's `RNN` / `LSTM` against the library's
 * PyTorch-faithful modules (parameters, the constant-0.3 check, PyTorch's random init copied in,
 * gradients, other sizes, relu; the LSTM's cell state). Points and checks: ../i2dl.ts.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { allOf, probedTensor, record, valuesVerdict } from '../../verdicts.js';
import { asPlain, compareValues, fixedValues, probe, shapeText, type PlainTensor } from '../../plain.js';
import type { Observation, Probe, ReferenceEnv, TaskDef, TaskEnv, Verdict } from '../../types.js';
import { isolated, type LibRecurrent, type Tensor, type TF, type Variable } from './library.js';

/** A student parameter (path into the model), where its values come from in the library module, its shape. */
interface ParamSpec {
  path: [string, 'weight' | 'bias'];
  lib: 'weight_ih_l0' | 'weight_hh_l0' | 'bias_ih_l0' | 'bias_hh_l0';
  /** Gate block of the library parameter (LSTM: 0 i, 1 f, 2 g, 3 o). */
  block?: number;
  shape: (d: number, h: number) => number[];
}

const RNN_PARAMS: ParamSpec[] = [
  { path: ['W', 'weight'], lib: 'weight_hh_l0', shape: (_d, h) => [h, h] },
  { path: ['W', 'bias'], lib: 'bias_hh_l0', shape: (_d, h) => [h] },
  { path: ['V', 'weight'], lib: 'weight_ih_l0', shape: (d, h) => [h, d] },
  { path: ['V', 'bias'], lib: 'bias_ih_l0', shape: (_d, h) => [h] },
];

/** PyTorch's gate order i, f, g, o; the notebook calls g the cell input c. */
const LSTM_GATES: [string, number][] = [['f', 1], ['i', 0], ['o', 3], ['c', 2]];
const LSTM_PARAMS: ParamSpec[] = LSTM_GATES.flatMap(([q, block]): ParamSpec[] => [
  { path: [`W_${q}`, 'weight'], lib: 'weight_ih_l0', block, shape: (d, h) => [h, d] },
  { path: [`W_${q}`, 'bias'], lib: 'bias_ih_l0', block, shape: (_d, h) => [h] },
  { path: [`U_${q}`, 'weight'], lib: 'weight_hh_l0', block, shape: (_d, h) => [h, h] },
  { path: [`U_${q}`, 'bias'], lib: 'bias_hh_l0', block, shape: (_d, h) => [h] },
]);

const pname = (s: ParamSpec): string => `${s.path[0]}.${s.path[1]}`;

/** The cases (sizes, seeds) of the recurrent checks. */
const CASES = {
  params: { D: 4, H: 5 },
  constant: { T: 10, N: 1, D: 3, H: 3, xSeed: 0 },
  random: { T: 10, N: 2, D: 3, H: 3, seed: 42 },
  hidden: { T: 6, N: 4, D: 4, H: 5, seed: 2024 },
  relu: { T: 8, N: 2, D: 3, H: 4, seed: 7 },
} as const;
const OUT_TOL = 1e-5;


function getParam(m: unknown, path: [string, string]): unknown {
  const layer = (m as Record<string, unknown> | null)?.[path[0]];
  if (layer === null || layer === undefined) return layer;
  return (layer as Record<string, unknown>)[path[1]];
}

function requireVariable(tf: TF, m: unknown, s: ParamSpec): Variable {
  const v = getParam(m, s.path);
  if (!(v instanceof tf.Variable)) throw new Error(`${pname(s)} is ${v === null || v === undefined ? 'missing' : 'not a tf.Variable'} (create this.${s.path[0]} as a Linear layer)`);
  return v;
}

/** The library's values for a student parameter (a gate block for the LSTM). */
function libValue(tf: TF, ref: LibRecurrent, s: ParamSpec): Tensor {
  const v = ref[s.lib];
  return s.block === undefined ? v : tf.split(v, 4, 0)[s.block]!;
}

/** Copies the library module's parameters into the student's model. */
function copyParams(tf: TF, m: unknown, ref: LibRecurrent, specs: ParamSpec[]): void {
  for (const s of specs) {
    const v = requireVariable(tf, m, s);
    const val = libValue(tf, ref, s);
    if (!tf.util.arraysEqual(v.shape, val.shape)) throw new Error(`${pname(s)} has shape ${shapeText(v.shape)}, expected ${shapeText(val.shape)}`);
    v.assign(val);
  }
}

const input = (tf: TF, T: number, N: number, D: number, seed: number): Tensor => tf.tensor(fixedValues(T * N * D, seed), [T, N, D]);
const state = (tf: TF, N: number, H: number, seed: number): Tensor => tf.tensor(fixedValues(N * H, seed), [1, N, H]);

type Kind = 'rnn' | 'lstm';
interface Outputs { hSeq: PlainTensor; h: PlainTensor; c?: PlainTensor }

type Ctor = new (...args: unknown[]) => Record<string, unknown>;

/** Runs the student's (or the library's) module and returns its outputs as plain data. */
function runModule(tf: TF, kind: Kind, m: Record<string, unknown>, x: Tensor, init: Tensor[] | null, name: string): { hSeq: Tensor; h: Tensor; c?: Tensor } {
  const call = m['call'];
  if (typeof call !== 'function') throw new Error(`${name} has no call(x) method`);
  const r = kind === 'rnn' ? call.call(m, x, init ? init[0] : null) : call.call(m, x, init ? [init[0], init[1]] : null);
  if (!Array.isArray(r) || r.length !== 2) throw new Error(`${name}.call(x) should return ${kind === 'rnn' ? '[hSeq, h]' : '[hSeq, [h, c]]'}, got ${Array.isArray(r) ? `an array of ${r.length}` : typeof r}`);
  if (kind === 'rnn') return { hSeq: r[0] as Tensor, h: r[1] as Tensor };
  const st = r[1] as unknown;
  if (!Array.isArray(st) || st.length !== 2) throw new Error(`${name}.call(x) should return [hSeq, [h, c]]: the second element is not a pair [h, c]`);
  return { hSeq: r[0] as Tensor, h: st[0] as Tensor, c: st[1] as Tensor };
}

function plainOutputs(tf: TF, o: { hSeq: Tensor; h: Tensor; c?: Tensor }, name: string): Outputs {
  const out: Outputs = { hSeq: asPlain(o.hSeq, tf, `${name}: hSeq`), h: asPlain(o.h, tf, `${name}: h`) };
  if (o.c !== undefined) out.c = asPlain(o.c, tf, `${name}: c`);
  return out;
}

function lossOf(tf: TF, o: { hSeq: Tensor }): tfTypes.Scalar {
  const c = tf.tensor(fixedValues(o.hSeq.size, 9), o.hSeq.shape);
  return tf.sum(tf.mul(o.hSeq, c)) as tfTypes.Scalar;
}

// ---------------------------------------------------------------------------------- RNN / LSTM

async function exerciseRecurrent(kind: Kind, name: string, impl: unknown, env: TaskEnv): Promise<Observation> {
  const { tf } = env;
  if (typeof impl !== 'function') return { construct: { ok: false, error: `${name} is not a class (got ${typeof impl})` } };
  const Cls = impl as Ctor;
  const specs = kind === 'rnn' ? RNN_PARAMS : LSTM_PARAMS;
  return isolated(env, async (lib, track) => {
    const obs: Observation = {};
    const make = (D: number, H: number, relu = false): Record<string, unknown> => track(relu ? new Cls(D, H, 'relu') : new Cls(D, H));
    obs.construct = await probe(() => { make(3, 3); return true; });
    if (!obs.construct.ok) return obs;
    obs.params = await probe(() => {
      const { D, H } = CASES.params;
      const m = make(D, H);
      const out: Record<string, { missing?: boolean; isVariable?: boolean; shape?: number[] }> = {};
      for (const s of specs) {
        const v = getParam(m, s.path);
        out[pname(s)] = v === null || v === undefined ? { missing: true } : { isVariable: v instanceof tf.Variable, shape: v instanceof tf.Tensor ? v.shape.slice() : undefined };
      }
      return out;
    });
    obs.constant = await probe(() => {
      const { T, N, D, H, xSeed } = CASES.constant;
      const m = make(D, H);
      const ps = (m['parameters'] as (() => unknown) | undefined)?.call(m);
      if (!Array.isArray(ps)) throw new Error(`${name} has no parameters() (extend Module)`);
      if (ps.length === 0) throw new Error(`${name}.parameters() is empty: create the parameters in the constructor`);
      for (const p of ps) lib.constant_(p as Variable, 0.3);
      lib.manualSeed(xSeed);
      const X = lib.randn([T, N, D]);
      return plainOutputs(tf, runModule(tf, kind, m, X, null, name), `${name}.call(X)`);
    });
    const seeded = (c: { T: number; N: number; D: number; H: number; seed: number }, withState: boolean, relu = false): { m: Record<string, unknown>; x: Tensor; init: Tensor[] | null } => {
      const m = make(c.D, c.H, relu);
      lib.manualSeed(c.seed);
      const ref = track(kind === 'rnn' ? new lib.RNN(c.D, c.H, relu ? { nonlinearity: 'relu' } : {}) : new lib.LSTM(c.D, c.H));
      copyParams(tf, m, ref, specs);
      const x = input(tf, c.T, c.N, c.D, c.seed);
      const init = withState ? [state(tf, c.N, c.H, c.seed + 1), state(tf, c.N, c.H, c.seed + 2)] : null;
      return { m, x, init };
    };
    obs.random = await probe(() => {
      const { m, x, init } = seeded(CASES.random, true);
      return plainOutputs(tf, runModule(tf, kind, m, x, init, name), `${name}.call(x, h0)`);
    });
    obs.gradients = await probe(() => {
      const { m, x } = seeded(CASES.random, false);
      const vars = specs.map((s) => requireVariable(tf, m, s));
      const { grads } = tf.variableGrads(() => lossOf(tf, runModule(tf, kind, m, x, null, name)), vars);
      const out: Record<string, PlainTensor | null> = {};
      specs.forEach((s, i) => { const g = grads[vars[i]!.name]; out[pname(s)] = g ? asPlain(g, tf, `gradient of ${pname(s)}`) : null; });
      const gx = tf.grad((xs: Tensor) => lossOf(tf, runModule(tf, kind, m, xs, null, name)))(x);
      out['x'] = asPlain(gx, tf, 'gradient of x');
      return out;
    });
    obs.hidden = await probe(() => {
      const { m, x } = seeded(CASES.hidden, false);
      return plainOutputs(tf, runModule(tf, kind, m, x, null, name), `${name}.call(x)`);
    });
    if (kind === 'rnn') {
      obs.relu = await probe(() => {
        const { m, x } = seeded(CASES.relu, false, true);
        return plainOutputs(tf, runModule(tf, kind, m, x, null, name), `${name}.call(x)`);
      });
    }
    return obs;
  });
}

interface RecurrentRef {
  constant: Outputs;
  random: Outputs;
  gradients: Record<string, PlainTensor>;
  hidden: Outputs;
  relu?: Outputs;
}

async function referenceRecurrent(kind: Kind, env: ReferenceEnv): Promise<RecurrentRef> {
  const { tf } = env;
  const specs = kind === 'rnn' ? RNN_PARAMS : LSTM_PARAMS;
  let ref: RecurrentRef | undefined;
  const obs = await isolated(env, async (lib, track) => {
    const make = (D: number, H: number, relu = false) => track(kind === 'rnn' ? new lib.RNN(D, H, relu ? { nonlinearity: 'relu' } : {}) : new lib.LSTM(D, H));
    const run = (m: LibRecurrent, x: Tensor, init: Tensor[] | null) => runModule(tf, kind, m as unknown as Record<string, unknown>, x, init, 'the library module');
    const c0 = CASES.constant;
    const mc = make(c0.D, c0.H);
    for (const p of [mc.weight_ih_l0, mc.weight_hh_l0, mc.bias_ih_l0, mc.bias_hh_l0]) lib.constant_(p, 0.3);
    lib.manualSeed(c0.xSeed);
    const constant = plainOutputs(tf, run(mc, lib.randn([c0.T, c0.N, c0.D]), null), 'reference');
    const seeded = (c: { T: number; N: number; D: number; H: number; seed: number }, relu = false) => { lib.manualSeed(c.seed); return make(c.D, c.H, relu); };
    const cr = CASES.random;
    const mr = seeded(cr);
    const random = plainOutputs(tf, run(mr, input(tf, cr.T, cr.N, cr.D, cr.seed), [state(tf, cr.N, cr.H, cr.seed + 1), state(tf, cr.N, cr.H, cr.seed + 2)]), 'reference');
    const mg = seeded(cr);
    const x = input(tf, cr.T, cr.N, cr.D, cr.seed);
    const libVars = [mg.weight_ih_l0, mg.weight_hh_l0, mg.bias_ih_l0, mg.bias_hh_l0];
    const { grads } = tf.variableGrads(() => lossOf(tf, run(mg, x, null)), libVars);
    const gradients: Record<string, PlainTensor> = {};
    for (const s of specs) {
      const g = grads[mg[s.lib].name]!;
      gradients[pname(s)] = asPlain(s.block === undefined ? g : tf.split(g, 4, 0)[s.block]!, tf, 'reference gradient');
    }
    gradients['x'] = asPlain(tf.grad((xs: Tensor) => lossOf(tf, run(mg, xs, null)))(x), tf, 'reference gradient');
    const ch = CASES.hidden;
    const hidden = plainOutputs(tf, run(seeded(ch), input(tf, ch.T, ch.N, ch.D, ch.seed), null), 'reference');
    ref = { constant, random, gradients, hidden };
    if (kind === 'rnn') {
      const cl = CASES.relu;
      ref.relu = plainOutputs(tf, run(seeded(cl, true), input(tf, cl.T, cl.N, cl.D, cl.seed), null), 'reference');
    }
    return {};
  });
  if (obs.setup && !obs.setup.ok) throw new Error(obs.setup.error);
  if (!ref) throw new Error('the reference could not be computed');
  return ref;
}

function outputsVerdict(check: string, p: Probe | undefined, expected: Outputs, what: string, keys: (keyof Outputs)[]): Verdict {
  if (!p) return { check, passed: false, reason: `${what}: not measured` };
  if (!p.ok) return { check, passed: false, reason: `error: ${p.error}` };
  const o = record(p.value) as unknown as Outputs;
  const vs = keys.map((k) => valuesVerdict(check, { ok: true, value: o[k] }, expected[k]!, `${k} of ${what}`, OUT_TOL));
  return allOf(check, vs, `${keys.join(', ')} of ${what} match the library's`);
}

function judgeRecurrent(kind: Kind, name: string, o: Observation, ref: RecurrentRef): Verdict[] {
  const ids = kind === 'rnn' ? ['params', 'constant', 'random', 'gradients', 'hidden', 'relu'] : ['params', 'constant', 'state', 'random', 'gradients', 'hidden'];
  const all = (reason: string): Verdict[] => ids.map((check) => ({ check, passed: false, reason }));
  if (o.setup && !o.setup.ok) return all(o.setup.error);
  if (!o.construct?.ok || o.construct.value !== true) return all(o.construct?.ok === false ? `error: new ${name}(3, 3) failed: ${o.construct.error}` : o.construct ? 'invalid measurement (construct)' : 'not run');
  const specs = kind === 'rnn' ? RNN_PARAMS : LSTM_PARAMS;
  const out: Verdict[] = [];
  if (!o.params?.ok) out.push({ check: 'params', passed: false, reason: `error: ${o.params?.ok === false ? o.params.error : 'not measured'}` });
  else {
    const ps = record(o.params.value) as Record<string, { missing?: boolean; isVariable?: boolean; shape?: number[] }>;
    const { D, H } = CASES.params;
    const problems: string[] = [];
    for (const s of specs) {
      const v = ps[pname(s)];
      if (!v || v.missing) { problems.push(`${pname(s)} is missing (create this.${s.path[0]} = new Linear(...) in the constructor)`); continue; }
      if (v.isVariable !== true) { problems.push(`${pname(s)} is not a tf.Variable`); continue; }
      const want = s.shape(D, H);
      if (!Array.isArray(v.shape) || !tf_arraysEqual(v.shape, want)) problems.push(`${pname(s)} of new ${name}(${D}, ${H}) has shape ${shapeText(Array.isArray(v.shape) ? v.shape : [])}, expected ${shapeText(want)}`);
    }
    out.push(problems.length ? { check: 'params', passed: false, reason: problems[0]! } : { check: 'params', passed: true, reason: `${specs.length} parameters of the right shapes` });
  }
  const cs = CASES.constant;
  out.push(outputsVerdict('constant', o.constant, ref.constant, `${name}.call(X) with every parameter 0.3, X ${shapeText([cs.T, cs.N, cs.D])}`, ['hSeq', 'h']));
  if (kind === 'lstm') {
    const vs = [
      outputsVerdict('state', o.constant, ref.constant, 'the constant-0.3 LSTM', ['c']),
      outputsVerdict('state', o.random, ref.random, 'the LSTM started from a given [h0, c0]', ['c']),
    ];
    out.push(allOf('state', vs, 'the final cell state c matches'));
  }
  const cr = CASES.random;
  out.push(outputsVerdict('random', o.random, ref.random, `${name}.call(x, ${kind === 'rnn' ? 'h0' : '[h0, c0]'}) with PyTorch's random initial values, x ${shapeText([cr.T, cr.N, cr.D])}`, ['hSeq', 'h']));
  if (!o.gradients?.ok) out.push({ check: 'gradients', passed: false, reason: `error while taking gradients: ${o.gradients?.ok === false ? o.gradients.error : 'not measured'}` });
  else {
    const gs = record(o.gradients.value) as Record<string, PlainTensor | null>;
    const vs: Verdict[] = [];
    for (const k of [...specs.map(pname), 'x']) {
      const g = gs[k];
      if (!g) { vs.push({ check: 'gradients', passed: false, reason: `${k} gets no gradient (is it used in call with tf operations?)` }); continue; }
      const t = probedTensor({ ok: true, value: g }, `gradient of ${k}`);
      if (typeof t === 'string') { vs.push({ check: 'gradients', passed: false, reason: t }); continue; }
      vs.push({ check: 'gradients', ...compareValues(t, ref.gradients[k]!, `gradient of ${k}`, 1e-4, 1e-3) });
    }
    vs.sort((a, b) => Number(!/no gradient/.test(a.reason)) - Number(!/no gradient/.test(b.reason)));
    out.push(allOf('gradients', vs, 'the gradients of every parameter and of x match'));
  }
  const ch = CASES.hidden;
  out.push(outputsVerdict('hidden', o.hidden, ref.hidden, `${name}.call(x) for x ${shapeText([ch.T, ch.N, ch.D])}, hidden size ${ch.H}`, kind === 'rnn' ? ['hSeq', 'h'] : ['hSeq', 'h', 'c']));
  if (kind === 'rnn') {
    const cl = CASES.relu;
    out.push(outputsVerdict('relu', o.relu, ref.relu!, `new ${name}(${cl.D}, ${cl.H}, 'relu').call(x)`, ['hSeq', 'h']));
  }
  return out;
}

function tf_arraysEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function recurrentTask(kind: Kind, name: string, title: string): TaskDef<RecurrentRef> {
  const checks = kind === 'rnn'
    ? [
      { id: 'params', title: 'parameters', points: 1 },
      { id: 'constant', title: 'constant 0.3 (the notebook check)', points: 2 },
      { id: 'random', title: 'random initial values, given h0', points: 1 },
      { id: 'gradients', title: 'gradients', points: 1 },
      { id: 'hidden', title: 'other sizes', points: 1 },
      { id: 'relu', title: "activation 'relu'", points: 1 },
    ]
    : [
      { id: 'params', title: 'parameters', points: 1 },
      { id: 'constant', title: 'constant 0.3 (the notebook check)', points: 2 },
      { id: 'state', title: 'cell state', points: 1 },
      { id: 'random', title: 'random initial values, given [h0, c0]', points: 1 },
      { id: 'gradients', title: 'gradients', points: 1 },
      { id: 'hidden', title: 'other sizes', points: 1 },
    ];
  return {
    id: `i2dl.${kind}`,
    name,
    title,
    timeoutSeconds: 60,
    checks,
    exercise: (impl, env) => exerciseRecurrent(kind, name, impl, env),
    reference: (env) => referenceRecurrent(kind, env),
    judge: (o, ref) => judgeRecurrent(kind, name, o, ref),
  };
}
