/**
 * A minimal reader for Python pickles (protocols 2-5, the opcodes `pickle.dump` writes for plain
 * data) and the NumPy arrays inside them — enough for the official `mnist1d_data.pkl` (a dict of
 * ndarrays, protocol 3). It never executes code: the only globals it accepts are NumPy's array
 * reconstruction (`numpy.core.multiarray._reconstruct`, `numpy.ndarray`, `numpy.dtype`,
 * `numpy.core.multiarray.scalar`, protocol 5's `numpy.core.numeric._frombuffer`, also under
 * `numpy._core`) and `_codecs.encode` (how protocol 2
 * stores bytes); anything else is a clear error.
 *
 * Python values become: None -> null, bool -> boolean, int -> number (bigint beyond 2^53),
 * float -> number, str -> string, bytes -> Uint8Array, tuple/list -> array, dict -> plain object
 * (string keys) or Map, ndarray -> `NdArray`.
 */

/** A NumPy array from a pickle: shape, dtype string (`<f8`, `<i8`, `|u1`, ...) and its values in C order. */
export class NdArray {
  constructor(
    readonly shape: number[],
    readonly dtype: string,
    /** Values in C (row-major) order. */
    readonly data: Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array | boolean[],
  ) {}

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The values as plain numbers (64-bit integers must be safe integers). */
  toNumbers(): number[] {
    const out: number[] = new Array(this.data.length);
    for (let i = 0; i < this.data.length; i++) {
      const v = this.data[i]!;
      if (typeof v === 'bigint') {
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`value ${v} is not a safe integer`);
        out[i] = Number(v);
      } else out[i] = Number(v);
    }
    return out;
  }

  /** The values as nested arrays (`ndarray.tolist()`). */
  toNested(): unknown {
    const flat = this.toNumbers();
    if (this.shape.length === 0) return flat[0];
    const build = (dim: number, offset: number): unknown[] => {
      const n = this.shape[dim]!;
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(dim === this.shape.length - 1 ? flat[offset + i] : build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }
}

export type PickleValue = null | boolean | number | bigint | string | Uint8Array | NdArray | PickleValue[] | Map<PickleValue, PickleValue> | { [key: string]: PickleValue };

class PickleError extends Error {
  constructor(message: string) {
    super(`pickle: ${message}`);
    this.name = 'PickleError';
  }
}

class Mark {}
const MARK = new Mark();

/** A dtype object under construction (`numpy.dtype(...)` then BUILD with its state). */
class DType {
  byteorder = '=';
  constructor(readonly name: string) {}
  get descr(): string {
    const kindSize = /^([a-zA-Z])(\d+)$/.exec(this.name);
    if (!kindSize) throw new PickleError(`unsupported dtype ${this.name}`);
    const order = this.byteorder === '=' ? '<' : this.byteorder;
    return `${order}${this.name}`;
  }
}

class Global {
  constructor(readonly module: string, readonly name: string) {}
}

/** An ndarray under construction (`_reconstruct(ndarray, (0,), b'b')` then BUILD). */
class PendingArray {
  array: NdArray | undefined;
}

const ALLOWED_GLOBALS = new Set([
  'numpy.core.multiarray _reconstruct',
  'numpy._core.multiarray _reconstruct',
  'numpy ndarray',
  'numpy dtype',
  'numpy.core.multiarray scalar',
  'numpy._core.multiarray scalar',
  'numpy.core.numeric _frombuffer',
  'numpy._core.numeric _frombuffer',
  '_codecs encode',
]);

function decodeArray(descr: string, shape: number[], bytes: Uint8Array, fortran: boolean): NdArray {
  const order = descr[0]!;
  const kind = descr[1]!;
  const size = Number(descr.slice(2));
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * size) throw new PickleError(`array data has ${bytes.length} bytes, expected ${count} x ${size}`);
  const little = order !== '>';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let data: NdArray['data'];
  const read = <T extends { [i: number]: number | bigint }>(arr: T, get: (o: number) => number | bigint): T => {
    for (let i = 0; i < count; i++) arr[i] = get(i * size) as never;
    return arr;
  };
  switch (`${kind}${size}`) {
    case 'f8': data = read(new Float64Array(count), (o) => view.getFloat64(o, little)); break;
    case 'f4': data = read(new Float32Array(count), (o) => view.getFloat32(o, little)); break;
    case 'i8': data = read(new BigInt64Array(count), (o) => view.getBigInt64(o, little)); break;
    case 'u8': data = read(new BigUint64Array(count), (o) => view.getBigUint64(o, little)); break;
    case 'i4': data = read(new Int32Array(count), (o) => view.getInt32(o, little)); break;
    case 'u4': data = read(new Uint32Array(count), (o) => view.getUint32(o, little)); break;
    case 'i2': data = read(new Int16Array(count), (o) => view.getInt16(o, little)); break;
    case 'u2': data = read(new Uint16Array(count), (o) => view.getUint16(o, little)); break;
    case 'i1': data = read(new Int8Array(count), (o) => view.getInt8(o)); break;
    case 'u1': data = read(new Uint8Array(count), (o) => view.getUint8(o)); break;
    case 'b1': data = Array.from(bytes, (b) => b !== 0); break;
    default: throw new PickleError(`unsupported array dtype ${descr}`);
  }
  if (fortran && shape.length > 1) {
    // reorder from column-major to row-major
    const src = data;
    const out = (Array.isArray(src) ? new Array<boolean>(count) : new (src.constructor as new (n: number) => typeof src)(count)) as NdArray['data'];
    const idx = new Array<number>(shape.length).fill(0);
    for (let c = 0; c < count; c++) {
      let f = 0;
      let mul = 1;
      for (let d = 0; d < shape.length; d++) {
        f += idx[d]! * mul;
        mul *= shape[d]!;
      }
      (out as unknown as unknown[])[c] = (src as unknown as unknown[])[f];
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++idx[d]! < shape[d]!) break;
        idx[d] = 0;
      }
    }
    data = out;
  }
  return new NdArray(shape, descr, data);
}

function finish(v: unknown): PickleValue {
  if (v instanceof PendingArray) {
    if (!v.array) throw new PickleError('ndarray without state');
    return v.array;
  }
  if (v instanceof DType || v instanceof Global || v instanceof Mark) throw new PickleError(`unexpected ${v.constructor.name} in the result`);
  if (Array.isArray(v) && v.some((e) => e instanceof PendingArray || Array.isArray(e))) return v.map(finish);
  return v as PickleValue;
}

/** Parses a pickle. Throws on opcodes or globals outside the supported subset. */
export function readPickle(input: Uint8Array): PickleValue {
  const buf = input;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number): void => {
    if (pos + n > buf.length) throw new PickleError(`truncated data at byte ${pos}`);
  };
  const u8 = (): number => {
    need(1);
    return buf[pos++]!;
  };
  const bytes = (n: number): Uint8Array => {
    need(n);
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError('length too large');
    return Number(v);
  };
  const line = (): string => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError('unterminated line');
    const s = new TextDecoder('latin1').decode(buf.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new PickleError(`stack underflow at byte ${pos - 1}`);
    return stack.pop();
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (!prev) throw new PickleError(`MARK expected at byte ${pos - 1}`);
    stack = prev;
    return items;
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new PickleError(`stack underflow at byte ${pos - 1}`);
    return stack[stack.length - 1];
  };
  const setItem = (d: unknown, k: unknown, v: unknown): void => {
    const key = finish(k);
    const value = finish(v);
    if (d instanceof Map) d.set(key, value);
    else if (d && typeof d === 'object' && !Array.isArray(d)) {
      if (typeof key === 'string') (d as Record<string, PickleValue>)[key] = value;
      else throw new PickleError('non-string dict keys after string keys are not supported');
    } else throw new PickleError('SETITEM on a non-dict');
  };
  const longFrom = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const p = u8();
        if (p > 5) throw new PickleError(`unsupported protocol ${p}`);
        break;
      }
      case 0x95: pos += 8; break; // FRAME (length ignored)
      case 0x2e: { // STOP
        return finish(pop());
      }
      case 0x28: metastack.push(stack); stack = []; break; // MARK
      case 0x7d: stack.push({}); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: { need(2); stack.push(view.getUint16(pos, true)); pos += 2; break; } // BININT2
      case 0x4a: { need(4); stack.push(view.getInt32(pos, true)); pos += 4; break; } // BININT
      case 0x8a: stack.push(longFrom(bytes(u8()))); break; // LONG1
      case 0x8b: stack.push(longFrom(bytes(u32()))); break; // LONG4
      case 0x47: { need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x58: stack.push(utf8.decode(bytes(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8.decode(bytes(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8.decode(bytes(u64()))); break; // BINUNICODE8
      case 0x43: stack.push(bytes(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(bytes(u32()).slice()); break; // BINBYTES
      case 0x8e: stack.push(bytes(u64()).slice()); break; // BINBYTES8
      case 0x96: stack.push(bytes(u64()).slice()); break; // BYTEARRAY8 (protocol 5, as bytes)
      case 0x55: stack.push(new TextDecoder('latin1').decode(bytes(u8()))); break; // SHORT_BINSTRING (Python 2 str)
      case 0x54: stack.push(new TextDecoder('latin1').decode(bytes(u32()))); break; // BINSTRING
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) throw new PickleError(`memo key ${k} missing at byte ${at}`);
        stack.push(memo.get(k));
        break;
      }
      case 0x74: { const items = popMark(); stack.push(items); break; } // TUPLE (popMark replaces `stack`)
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
      case 0x61: { const v = pop(); const l = top(); if (!Array.isArray(l)) throw new PickleError('APPEND on a non-list'); l.push(finish(v)); break; } // APPEND
      case 0x65: { const items = popMark(); const l = top(); if (!Array.isArray(l)) throw new PickleError('APPENDS on a non-list'); for (const v of items) l.push(finish(v)); break; } // APPENDS
      case 0x64: { const items = popMark(); const d = {}; for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItem(top(), k, v); break; } // SETITEM
      case 0x75: { const items = popMark(); const d = top(); for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]); break; } // SETITEMS
      case 0x63: { // GLOBAL
        const module = line();
        const name = line();
        if (!ALLOWED_GLOBALS.has(`${module} ${name}`)) throw new PickleError(`unsupported global ${module}.${name} at byte ${at} (only NumPy arrays and plain data are supported)`);
        stack.push(new Global(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (!ALLOWED_GLOBALS.has(`${String(module)} ${String(name)}`)) throw new PickleError(`unsupported global ${String(module)}.${String(name)} at byte ${at} (only NumPy arrays and plain data are supported)`);
        stack.push(new Global(String(module), String(name)));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof Global) || !Array.isArray(args)) throw new PickleError(`REDUCE of an unsupported callable at byte ${at}`);
        if (fn.name === '_reconstruct') stack.push(new PendingArray());
        else if (fn.name === 'dtype') {
          if (typeof args[0] !== 'string') throw new PickleError('numpy.dtype needs a string');
          stack.push(new DType(args[0]));
        } else if (fn.name === '_frombuffer') {
          // protocol 5 arrays: _frombuffer(buffer, dtype, shape, order)
          const [raw, dt, shape, order] = args as [unknown, unknown, unknown, unknown];
          if (!(raw instanceof Uint8Array) || !(dt instanceof DType) || !Array.isArray(shape)) throw new PickleError('unsupported _frombuffer arguments');
          stack.push(decodeArray(dt.descr, shape as number[], raw, order === 'F'));
        } else if (fn.name === 'encode') {
          // _codecs.encode(str, 'latin1'): bytes in protocol 2
          if (typeof args[0] !== 'string') throw new PickleError('_codecs.encode needs a string');
          stack.push(Uint8Array.from(args[0], (ch) => ch.charCodeAt(0) & 0xff));
        } else if (fn.name === 'scalar') {
          const [dt, raw] = args as [unknown, unknown];
          if (!(dt instanceof DType) || !(raw instanceof Uint8Array || typeof raw === 'string')) throw new PickleError('unsupported numpy scalar');
          const b = typeof raw === 'string' ? Uint8Array.from(raw, (ch) => ch.charCodeAt(0) & 0xff) : raw;
          const arr = decodeArray(dt.descr, [], b, false);
          const v = arr.data[0] as number | bigint | boolean;
          stack.push(typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        } else throw new PickleError(`REDUCE of ${fn.module}.${fn.name} is not supported`);
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof DType) {
          if (!Array.isArray(state) || typeof state[1] !== 'string') throw new PickleError('unsupported dtype state');
          obj.byteorder = state[1];
          if (state[2] !== null || state[3] !== null) throw new PickleError(`structured / sub-array dtypes are not supported (${obj.name})`);
        } else if (obj instanceof PendingArray) {
          if (!Array.isArray(state) || state.length !== 5) throw new PickleError('unsupported ndarray state');
          const [, shape, dt, fortran, raw] = state as [unknown, unknown, unknown, unknown, unknown];
          if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) throw new PickleError('bad ndarray shape');
          if (!(dt instanceof DType)) throw new PickleError('bad ndarray dtype');
          let b: Uint8Array;
          if (raw instanceof Uint8Array) b = raw;
          else if (typeof raw === 'string') b = Uint8Array.from(raw, (ch) => ch.charCodeAt(0) & 0xff);
          else throw new PickleError(`object arrays are not supported (dtype ${dt.name})`);
          obj.array = decodeArray(dt.descr, shape as number[], b, fortran === true);
        } else throw new PickleError(`BUILD on an unsupported object at byte ${at}`);
        break;
      }
      default:
        throw new PickleError(`unsupported opcode 0x${op.toString(16).padStart(2, '0')} ('${String.fromCharCode(op)}') at byte ${at}`);
    }
  }
}
