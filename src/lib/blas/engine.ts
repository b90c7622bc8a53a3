/**
 * Cheaper bookkeeping in the tfjs engine (4.22) while the blas backend is active.
 *
 * Lab 8's small cells ([100, 10] tensors) spend more time in the engine than in the kernels: each
 * of the ~500 (vanilla) to ~1300 (GRU) kernel calls per batch goes through `runKernel` (two kernel
 * look-ups, three closures, profiling and leak checks), every `tidy` ends in `endScope` (which walks
 * the result and builds a Set), and `gradients` filters the tape with integer-keyed objects and
 * sums each gradient contribution with an Add kernel. `installEngineFastPaths()` replaces five
 * engine methods, on the engine instance, with versions that do the same work in fewer steps:
 *
 * - `runKernel`: one kernel look-up (by a cached registry key), no closures; the same outputs,
 *   saved tensors and tape node. Profiling (`tf.profile`), `DEBUG` and the `IS_TEST` leak check
 *   keep the engine's own path.
 * - `endScope`: for a result that is a tensor, an array of tensors or nothing, the same disposals
 *   and tracking without walking the result.
 * - `gradients` (first-order calls only, gradientDepth 0 on entry): the same filtered tape, built
 *   with Sets; the same backward pass; a gradient that receives several contributions is summed in
 *   place once it is a sum this backward pass made itself (it belongs to nobody else): the values
 *   are the Add kernel's, the kernel calls fewer (Lab 8: 120 Add calls per batch).
 * - `saveTensorsForBackwardMode` (first-order tapes): the kept tensor shares the data without an
 *   Identity kernel call and tape node each (a third of Lab 8's kernel calls); its tape node
 *   matters only for gradients of gradients.
 *
 * Each replacement runs only while the active backend is blas and falls back to the engine's own
 * method otherwise (other backends, nested gradients, profiling). They check the engine's shape
 * first and install nothing if it differs from tfjs 4.22's. test/blas/engine.test.ts compares
 * results, gradients, memory counts, scopes and errors against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';

type Tensor = tf.Tensor;

interface Scope {
  id: number;
  name: string;
  track: Tensor[];
}

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  saved?: Tensor[];
  gradient?: (dys: (Tensor | null)[]) => Record<string, () => Tensor>;
}

interface BackendData {
  values?: unknown;
  refCount: number;
}

interface EngineInternals {
  backendName: string;
  readonly backend: tf.KernelBackend;
  ENV: { getBool(flag: string): boolean };
  state: {
    gradientDepth: number;
    kernelDepth: number;
    profiling: boolean;
    activeScope: Scope | null;
    scopeStack: Scope[];
    activeTape: TapeNode[] | null;
    tensorInfo: { get(dataId: object): { backend: { incRef(dataId: object): void } } | undefined };
  };
  runKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap): Tensor | Tensor[];
  shouldCheckForMemLeaks(): boolean;
  getTensorsForGradient(kernelName: string, inputs: tf.NamedTensorMap, outputs: Tensor[]): Tensor[];
  saveTensorsForBackwardMode(tensors: Tensor[]): Tensor[];
  addTapeNode(kernelName: string, inputs: tf.NamedTensorMap, outputs: Tensor[], gradientsFunc: null, saved: Tensor[], attrs?: tf.NamedAttrMap): void;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: unknown): Tensor;
  makeTensor(values: Float32Array, shape: number[], dtype: 'float32'): Tensor;
  startScope(name?: string): void;
  endScope(result?: unknown): void;
  track<T extends Tensor>(t: T): T;
  startTape(): void;
  endTape(): void;
  tidy<T>(name: string, fn: () => T): T;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  gradients(f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients?: boolean): { value: Tensor; grads: (Tensor | undefined)[] };
}

/** Kernels whose gradient functions take null for the gradients of outputs outside the backward pass. */
const nullGradientKernels = new Set<string>();

/**
 * Declares that `kernelName`'s gradient function accepts null in place of the gradient of an
 * output that does not lead to the result. The engine's own tape gives such outputs zeros, each
 * a freshly allocated array of the output's size; under the fast paths these kernels get null.
 */
export function acceptNullGradients(kernelName: string): void {
  nullGradientKernels.add(kernelName);
}

/** The backends the fast paths serve (the blas backend's variants); the methods are replaced once. */
const fastBackends = new Set<string>();
/** Switched off by `setEngineFastPaths(false)` (tests and the bench compare both). */
let enabled = true;

/**
 * Turns the fast paths off (false) or on again (true, the default) without uninstalling them: off,
 * every replaced method runs the engine's own. For tests and measurements.
 */
export function setEngineFastPaths(on: boolean): void {
  enabled = on;
}

/** The engine, if it looks like tfjs 4.22's (every member the fast paths use), else undefined. */
function engineInternals(): EngineInternals | undefined {
  const e = tf.engine() as unknown as EngineInternals;
  const methods = [
    'runKernel', 'shouldCheckForMemLeaks', 'getTensorsForGradient', 'saveTensorsForBackwardMode', 'addTapeNode',
    'makeTensorFromTensorInfo', 'makeTensor', 'startScope', 'endScope', 'track', 'startTape', 'endTape', 'tidy', 'scopedRun', 'gradients',
  ] as const;
  if (methods.some((m) => typeof e[m] !== 'function')) return undefined;
  const s = e.state;
  if (typeof s?.gradientDepth !== 'number' || typeof s.kernelDepth !== 'number' || !Array.isArray(s.scopeStack) || typeof s.tensorInfo?.get !== 'function') return undefined;
  if (typeof e.ENV?.getBool !== 'function') return undefined;
  return e;
}

/** tfjs's kernel registry (a Map keyed `${backendName}_${kernelName}`), if it is where 4.22 keeps it. */
function kernelRegistry(): Map<string, tf.KernelConfig> | undefined {
  const globals = (globalThis as { _tfGlobals?: Map<string, unknown> })._tfGlobals;
  const r = globals?.get('kernelRegistry');
  return r instanceof Map ? (r as Map<string, tf.KernelConfig>) : undefined;
}

/** Installs the fast paths for `backendName` (the engine's methods once). Returns whether they are installed. */
export function installEngineFastPaths(backendName: string): boolean {
  if (fastBackends.size > 0) {
    fastBackends.add(backendName);
    return true;
  }
  const engine = engineInternals();
  const registry = kernelRegistry();
  if (!engine || !registry) return false;
  // the registry must be the one tf.getKernel reads
  const probe = tf.getKernelsForBackend(backendName)[0] ?? tf.getKernelsForBackend('cpu')[0];
  if (!probe || registry.get(`${probe.backendName}_${probe.kernelName}`) !== tf.getKernel(probe.kernelName, probe.backendName)) return false;
  installSaveTensors(engine);
  installRunKernel(engine, registry);
  installEndScope(engine);
  installGradients(engine);
  fastBackends.add(backendName);
  return true;
}

function installSaveTensors(engine: EngineInternals): void {
  const original = engine.saveTensorsForBackwardMode;
  engine.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: Tensor[]): Tensor[] {
    if (!enabled || !fastBackends.has(this.backendName) || this.state.gradientDepth !== 1) return original.call(this, tensors);
    return tensors.map((t) => {
      const info = this.state.tensorInfo.get(t.dataId);
      if (!info) return original.call(this, [t])[0]!;
      info.backend.incRef(t.dataId);
      const y = this.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, info.backend);
      (y as unknown as { kept: boolean }).kept = true;
      return y;
    });
  };
}

function installRunKernel(engine: EngineInternals, registry: Map<string, tf.KernelConfig>): void {
  const original = engine.runKernel;
  /** Registry keys by backend, then kernel name. */
  const keys = new Map<string, Map<string, string>>();
  engine.runKernel = function (this: EngineInternals, kernelName: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap) {
    const state = this.state;
    if (!enabled || !fastBackends.has(this.backendName) || state.profiling || this.ENV.getBool('DEBUG') || this.shouldCheckForMemLeaks()) {
      return original.call(this, kernelName, inputs, attrs);
    }
    const backendName = this.backendName;
    let byName = keys.get(backendName);
    if (byName === undefined) keys.set(backendName, (byName = new Map()));
    let key = byName.get(kernelName);
    if (key === undefined) {
      key = `${backendName}_${kernelName}`;
      byName.set(kernelName, key);
    }
    const kernel = registry.get(key);
    if (kernel == null) throw new Error(`Kernel '${kernelName}' not registered for backend '${this.backendName}'`);
    const backend = this.backend;
    const isTapeOn = state.gradientDepth > 0 && state.kernelDepth === 0;
    let out: tf.TensorInfo | tf.TensorInfo[];
    let outTensors: Tensor[];
    let saved: Tensor[] = [];
    state.kernelDepth++;
    try {
      out = kernel.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend });
      if (Array.isArray(out)) {
        outTensors = new Array<Tensor>(out.length);
        for (let i = 0; i < out.length; i++) outTensors[i] = asTensor(this, out[i]!);
      } else {
        outTensors = [asTensor(this, out)];
      }
      if (isTapeOn) saved = this.saveTensorsForBackwardMode(this.getTensorsForGradient(kernelName, inputs, outTensors));
    } finally {
      state.kernelDepth--;
    }
    if (isTapeOn) {
      this.addTapeNode(kernelName, inputs, outTensors, null, saved, attrs);
      if (nullGradientKernels.has(kernelName)) passNullGradients(state.activeTape, kernelName, saved, attrs);
    }
    return Array.isArray(out) ? outTensors : outTensors[0]!;
  };
}

/** Makes the tape node just added for `kernelName` hand its gradient function null dys as they come. */
function passNullGradients(tape: TapeNode[] | null, kernelName: string, saved: Tensor[], attrs: tf.NamedAttrMap | undefined): void {
  const node = tape?.[tape.length - 1];
  const config = tf.getGradient(kernelName);
  if (!node || node.kernelName !== kernelName || !config) return;
  node.gradient = (dys) => config.gradFunc((dys.length > 1 ? dys : dys[0]) as tf.Tensor[], saved, attrs ?? {}) as ReturnType<NonNullable<TapeNode['gradient']>>;
}

/** A kernel output as a tensor (kernels of tfjs-node return tensors, the others TensorInfos). */
function asTensor(engine: EngineInternals, info: tf.TensorInfo): Tensor {
  return (info as { rank?: number }).rank != null ? (info as Tensor) : engine.makeTensorFromTensorInfo(info);
}

function installEndScope(engine: EngineInternals): void {
  const original = engine.endScope;
  engine.endScope = function (this: EngineInternals, result?: unknown) {
    if (!enabled || !fastBackends.has(this.backendName)) return original.call(this, result);
    let keepId = -1;
    let keepIds: Set<number> | undefined;
    let parentTensors: Tensor[] | undefined;
    if (result instanceof tf.Tensor) {
      keepId = result.id;
    } else if (Array.isArray(result)) {
      // an array of tensors (split, unstack): anything else takes the engine's walk
      for (const t of result) if (!(t instanceof tf.Tensor)) return original.call(this, result);
      keepIds = new Set<number>();
      parentTensors = [];
      for (const t of result as Tensor[]) {
        if (keepIds.has(t.id)) continue;
        keepIds.add(t.id);
        parentTensors.push(t);
      }
    } else if (result != null) {
      return original.call(this, result);
    }
    const state = this.state;
    const track = state.activeScope!.track;
    for (let i = 0; i < track.length; i++) {
      const t = track[i]!;
      if (!t.kept && t.id !== keepId && !(keepIds !== undefined && keepIds.has(t.id))) t.dispose();
    }
    const oldScope = state.scopeStack.pop()!;
    state.activeScope = state.scopeStack.length === 0 ? null : state.scopeStack[state.scopeStack.length - 1]!;
    const inParent = (t: Tensor) => {
      if (!t.kept && (t as unknown as { scopeId: number }).scopeId === oldScope.id) this.track(t);
    };
    if (result instanceof tf.Tensor) inParent(result);
    else if (parentTensors !== undefined) for (const t of parentTensors) inParent(t);
  };
}

/* ---------------- gradients ---------------- */

/**
 * The tape nodes that lead from xs to y, with inputs that do not depend on xs pruned: the result
 * of tfjs's getFilteredNodesXToY (tape.ts), node for node.
 */
export function filterTape(tape: readonly TapeNode[], xs: readonly Tensor[], y: Tensor): TapeNode[] {
  const fromX = new Set<number>();
  for (const x of xs) fromX.add(x.id);
  const n = tape.length;
  const nodeFromX = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const node = tape[i]!;
    const inputs = node.inputs;
    for (const name in inputs) {
      if (fromX.has(inputs[name]!.id)) {
        for (const o of node.outputs) fromX.add(o.id);
        nodeFromX[i] = 1;
        break;
      }
    }
  }
  const leadToY = new Set<number>([y.id]);
  const nodeToY = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const node = tape[i]!;
    const inputs = node.inputs;
    for (const o of node.outputs) {
      if (leadToY.has(o.id)) {
        for (const name in inputs) {
          leadToY.add(inputs[name]!.id);
          nodeToY[i] = 1;
        }
        break;
      }
    }
  }
  const out: TapeNode[] = [];
  for (let i = 0; i < n; i++) {
    if (nodeFromX[i] === 0 || nodeToY[i] === 0) continue;
    const node = tape[i]!;
    const pruned: Record<string, Tensor> = {};
    for (const name in node.inputs) {
      const input = node.inputs[name]!;
      if (fromX.has(input.id)) pruned[name] = input;
    }
    const copy = Object.assign({}, node);
    copy.inputs = pruned;
    copy.outputs = node.outputs;
    out.push(copy);
  }
  return out;
}

function installGradients(engine: EngineInternals): void {
  const original = engine.gradients;
  engine.gradients = function (this: EngineInternals, f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients = false) {
    if (!enabled || !fastBackends.has(this.backendName) || this.state.gradientDepth !== 0) return original.call(this, f, xs, dy, allowNoGradients);
    tf.util.assert(xs.length > 0, () => 'gradients() received an empty list of xs.');
    if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    const y = this.scopedRun(() => this.startTape(), () => this.endTape(), () => this.tidy('forward', f));
    tf.util.assert(y instanceof tf.Tensor, () => 'The result y returned by f() must be a tensor.');
    const filteredTape = filterTape(this.state.activeTape ?? [], xs, y);
    if (!allowNoGradients && filteredTape.length === 0 && xs.length > 0) {
      throw new Error('Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.');
    }
    return this.tidy('backward', () => {
      const grads = new Map<number, Tensor>();
      grads.set(y.id, dy == null ? this.makeTensor(new Float32Array(y.size).fill(1), y.shape, 'float32') : dy);
      backpropagate(this, grads, filteredTape);
      const result = xs.map((x) => grads.get(x.id));
      if (this.state.gradientDepth === 0) {
        for (const node of this.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
        this.state.activeTape = null;
      }
      return { value: y, grads: result };
    });
  };
}

/** tfjs's backpropagateGradients (tape.ts), with the in-place sums described in the module comment. */
function backpropagate(engine: EngineInternals, grads: Map<number, Tensor>, tape: readonly TapeNode[]): void {
  // sums made here: no one else holds them, so later contributions can be added in place
  const own = new Set<Tensor>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
    if (node.gradient == null) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    const inputGradients = node.gradient(dys);
    for (const inputName in node.inputs) {
      if (!(inputName in inputGradients)) {
        throw new Error(`Cannot backprop through input ${inputName}. Available gradients found: ${Object.keys(inputGradients)}.`);
      }
      const dx = scoped(engine, inputGradients[inputName]!);
      if (dx.dtype !== 'float32') {
        throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${inputName} must have 'float32' dtype, but has '${dx.dtype}'`);
      }
      const x = node.inputs[inputName]!;
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${inputName}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
      }
      // a gradient function that hands back one of these sums (a pass-through gradient) may hand
      // it to several inputs: from then on it is not exclusively here
      own.delete(dx);
      const cur = grads.get(x.id);
      if (cur == null) {
        grads.set(x.id, dx);
      } else if (own.has(cur) && addInPlace(engine, cur, dx)) {
        dx.dispose();
      } else {
        const sum = engine.runKernel('Add', { a: cur, b: dx }) as Tensor;
        grads.set(x.id, sum);
        cur.dispose();
        if (sum !== cur && sum !== dx) own.add(sum);
      }
    }
  }
}

/** engine.tidy(fn) without its closures (the same scope, the same endScope on errors). */
function scoped(engine: EngineInternals, fn: () => Tensor): Tensor {
  let result: Tensor | undefined;
  engine.startScope();
  try {
    result = fn();
  } finally {
    engine.endScope(result);
  }
  return result;
}

/** cur += dx on cur's own float32 array, when cur's data is not shared; false otherwise. */
function addInPlace(engine: EngineInternals, cur: Tensor, dx: Tensor): boolean {
  if (cur.kept || cur.isDisposed || cur.dtype !== 'float32' || dx.dtype !== 'float32' || cur.size !== dx.size) return false;
  const backend = engine.backend as unknown as { data: { get(id: object): BackendData | undefined } };
  const cd = backend.data?.get(cur.dataId);
  const dd = backend.data?.get(dx.dataId);
  if (!cd || !dd || cd.refCount !== 1 || !(cd.values instanceof Float32Array) || !(dd.values instanceof Float32Array)) return false;
  const c = cd.values;
  const d = dd.values;
  if (c.length !== cur.size || d.length !== dx.size || c === d) return false;
  for (let i = 0; i < c.length; i++) c[i] = c[i]! + d[i]!;
  return true;
}

/**
 * A new tensor object sharing t's data (the backend's reference count goes up): what the Identity
 * and Reshape kernels return, without a kernel call. Only for code that is not being recorded on a
 * gradient tape.
 */
export function shareTensor(t: tf.Tensor, shape: number[] = t.shape): tf.Tensor {
  const engine = tf.engine() as unknown as EngineInternals;
  const info = engine.state.tensorInfo.get(t.dataId);
  if (!info) return tf.reshape(t, shape);
  info.backend.incRef(t.dataId);
  return engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape, dtype: t.dtype }, info.backend);
}

/** Whether a gradient tape is recording (then gradients must be computed with recorded ops). */
export function tapeRecording(): boolean {
  return (tf.engine() as unknown as EngineInternals).state.gradientDepth > 0;
}
