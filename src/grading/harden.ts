/**
 * Freezes what the measuring code uses before the student's code is loaded in the grader's child
 * (security: the student's module must not be able to patch how it is measured).
 *
 * - the JavaScript intrinsics (constructors, their prototypes, iterator prototypes, JSON, Math,
 *   Reflect ...): `Array.from`, `Float32Array.prototype[Symbol.iterator]` and the like cannot be
 *   replaced. Inherited data properties that ordinary code overrides on its own objects
 *   (`this.name = ...` in an Error subclass, `obj.toString = ...`) stay overridable per object
 *   (the "override mistake" fix SES uses), without touching the shared prototype;
 * - tfjs: the Tensor and Variable prototypes and the engine's and backends' prototypes (kernel
 *   registrations stay possible: they change what the code computes, which the parent then
 *   judges, not how a result is read);
 * - any extra objects the caller names (the course and its tasks, the library's generator).
 *
 * After `harden`, an attempt to patch any of these throws a TypeError in the student's (strict,
 * ES module) code, so the load fails and the task earns nothing.
 */

const OVERRIDABLE = ['name', 'message', 'toString', 'toLocaleString', 'valueOf', 'toJSON', 'stack', 'cause'];
/**
 * `constructor` is overridable only on these (old-style inheritance assigns it, e.g. tslib's
 * __extends); on arrays, typed arrays, promises and the like an accessor would turn off V8's
 * species fast paths.
 */
const CONSTRUCTOR_OVERRIDABLE = new Set<unknown>([Object.prototype, Function.prototype, Error.prototype]);

/** Makes inherited data properties overridable by assignment on objects that inherit them. */
function enableOverrides(proto: object): void {
  const keys = CONSTRUCTOR_OVERRIDABLE.has(proto) || proto instanceof Error ? ['constructor', ...OVERRIDABLE] : OVERRIDABLE;
  for (const key of keys) {
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (!d || !('value' in d) || !d.configurable) continue;
    const value: unknown = d.value;
    Object.defineProperty(proto, key, {
      configurable: false,
      enumerable: d.enumerable,
      get() { return value; },
      set(this: object, v: unknown) {
        if (this === proto) throw new TypeError(`Cannot assign to read only property '${key}' of a frozen object`);
        Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
  }
}

/** Freezes `root` and everything reachable through its own properties and prototypes. */
export function deepFreeze(root: unknown, seen = new WeakSet<object>(), overrides = false): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const o = stack.pop();
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o) || UNFROZEN.has(o)) continue;
    seen.add(o);
    if (overrides && typeof o === 'object') enableOverrides(o);
    for (const key of Reflect.ownKeys(o)) {
      let d: PropertyDescriptor | undefined;
      try { d = Object.getOwnPropertyDescriptor(o, key); } catch { continue; }
      if (!d) continue;
      if ('value' in d) stack.push(d.value);
      else { stack.push(d.get); stack.push(d.set); }
    }
    stack.push(Object.getPrototypeOf(o));
    try { Object.freeze(o); } catch { /* exotic objects (module namespaces) are fixed already */ }
  }
}

/**
 * Left writable, and not walked into: classes whose statics are state (tfjs's backends count
 * data ids in a static; V8 reads Error.stackTraceLimit as a plain data property).
 */
const UNFROZEN = new Set<unknown>();

const ERRORS = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError'];

const INTRINSIC_NAMES = [
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Math', 'JSON', 'Reflect', 'Proxy',
  'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Date', 'RegExp',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'Buffer',
];

/** The JavaScript intrinsics (and Node's Buffer), with the iterator and generator prototypes. */
export function intrinsics(): unknown[] {
  const g = globalThis as Record<string, unknown>;
  const out: unknown[] = INTRINSIC_NAMES.map((n) => g[n]).filter((v) => v !== undefined);
  for (const n of ERRORS) {
    const E = g[n] as { prototype: object } | undefined;
    if (E) { UNFROZEN.add(E); out.push(E.prototype); }
  }
  const iterProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  out.push(iterProto, Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(new Map()[Symbol.iterator]()),
    Object.getPrototypeOf(new Set()[Symbol.iterator]()), Object.getPrototypeOf(''[Symbol.iterator]()),
    Object.getPrototypeOf(Int8Array), Object.getPrototypeOf(function* () { /* */ }),
    Object.getPrototypeOf(async function () { /* */ }), Object.getPrototypeOf(async function* () { /* */ }));
  return out;
}

interface TfLike {
  Tensor: { prototype: object };
  Variable: { prototype: object };
  engine(): object;
  backend(): object;
}

/**
 * tfjs objects the measurement goes through: the prototypes (methods) of tensors, variables, the
 * engine and the backends. Their classes stay writable (statics hold state).
 */
export function tfjsMeasuringObjects(tf: TfLike): unknown[] {
  const protos: object[] = [tf.Tensor.prototype, tf.Variable.prototype];
  const engine = tf.engine() as { registry?: Record<string, object> };
  protos.push(Object.getPrototypeOf(engine) as object);
  for (const b of Object.values(engine.registry ?? {})) protos.push(Object.getPrototypeOf(b) as object);
  try { protos.push(Object.getPrototypeOf(tf.backend()) as object); } catch { /* no backend yet */ }
  const out: unknown[] = [];
  for (const first of protos) {
    for (let p: object | null = first; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
      UNFROZEN.add((p as { constructor?: unknown }).constructor);
      out.push(p);
    }
  }
  return out;
}

/** Freezes the intrinsics (overridable per object, see the module comment) and the given objects. */
export function harden(extra: unknown[]): void {
  // The global names themselves: `globalThis.Array = ...` must not swap what `Array.from` means.
  for (const name of [...INTRINSIC_NAMES, ...ERRORS, 'globalThis']) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    if (d && d.configurable) Object.defineProperty(globalThis, name, { ...d, ...('value' in d ? { writable: false } : {}), configurable: false });
  }
  const seen = new WeakSet<object>();
  for (const o of intrinsics()) deepFreeze(o, seen, true);
  for (const o of extra) deepFreeze(o, seen, true);
}
