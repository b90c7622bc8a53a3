// The WebAssembly text (WAT) of the blas backend's SIMD kernels, generated here because the four
// binary operations and the three broadcast forms repeat one pattern. scripts/build-simd.mjs
// compiles it with wabt into src/lib/blas/simd-wasm.ts; src/lib/blas/simd.ts loads that.
//
// Every kernel computes exactly what the JavaScript kernel it replaces computes (src/lib/blas/
// binary.ts, unary.ts, layout.ts, reduce.ts, gradients.ts), bit for bit:
// - add / sub / mul / div, neg, square, sqrt, relu and the sigmoid / tanh gradients are float32
//   operations (four lanes at a time); a float32 result rounded once is what JavaScript gets by
//   computing in double and storing into a Float32Array;
// - exp, sigmoid and tanh run the JavaScript kernels' double-precision formulas, the same
//   operations in the same order, two lanes at a time (about 2x V8's scalar loop);
// - the column sum accumulates in double, row by row, as the JavaScript loop does;
// - splits and concatenations copy rows;
// - the fused LSTM layer's step forward and backward (src/lib/blas/rnn.ts) in double precision,
//   operation for operation as its JavaScript loops.
// Arrays are passed as byte offsets into the module's memory. Loops run over whole vectors of
// four floats: callers leave 16 bytes after each array (the extra lanes read and write padding),
// and a row-by-row kernel may write past the end of a row, which the next row then overwrites.

/** A double as a WAT hexadecimal float literal (exact, whatever the parser's decimal rounding). */
export function hex(x) {
  if (!Number.isFinite(x)) throw new Error(`not finite: ${x}`);
  if (x === 0) return Object.is(x, -0) ? '-0x0p+0' : '0x0p+0';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  if (exp === 0) throw new Error(`denormal constant: ${x}`);
  const mant = (bits & ((1n << 52n) - 1n)).toString(16).padStart(13, '0');
  return `${bits >> 63n ? '-' : ''}0x1.${mant}p${exp - 1023 >= 0 ? '+' : ''}${exp - 1023}`;
}

const f4 = (x) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`;
const d2 = (x) => `(v128.const f64x2 ${hex(x)} ${hex(x)})`;

// The JavaScript kernels' constants (src/lib/blas/unary.ts: EXP, TANH).
const LOG2E = 1.4426950408889634;
const LN2 = 0.6931471805599453;
const ROUND = 6755399441055744; // 1.5 * 2^52: adding it rounds to an integer
const EXP_POLY = [0.0001984126984126984, 0.001388888888888889, 0.008333333333333333, 0.041666666666666664, 0.16666666666666666, 0.5, 1, 1];
const TANH_CLAMP = 7.99881172180175781;
const TANH_P = [-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03];
const TANH_Q = [1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03];

/**
 * exp(V) as the JavaScript EXP computes it, for V = ${x} (f64x2) clamped to [-104, hi]: V = k ln2
 * + r, the degree-7 Taylor polynomial of e^r times 2^k. 2^k is built from the bits of
 * V * log2(e) + 1.5 * 2^52 (whose low bits hold k), the same number as the JavaScript table's.
 * The clamps are pmin / pmax (a NaN V stays NaN, as with JavaScript's comparisons).
 */
function exp2(x, hi) {
  let poly = d2(EXP_POLY[0]);
  for (const c of EXP_POLY.slice(1)) poly = `(f64x2.add ${d2(c)} (f64x2.mul (local.get $r) ${poly}))`;
  return `(block (result v128)
      (local.set $v (f64x2.pmax (f64x2.pmin ${x} ${d2(hi)}) ${d2(-104)}))
      (local.set $km (f64x2.add (f64x2.mul (local.get $v) ${d2(LOG2E)}) ${d2(ROUND)}))
      (local.set $r (f64x2.sub (local.get $v) (f64x2.mul (f64x2.sub (local.get $km) ${d2(ROUND)}) ${d2(LN2)})))
      (f64x2.mul ${poly}
        (i64x2.shl (i64x2.add (local.get $km) (v128.const i64x2 ${1023 - 2 ** 51} ${1023 - 2 ** 51})) (i32.const 52))))`;
}

/** tanh(X) as the JavaScript TANH: Eigen's 13/6 rational function on the clamped X, X itself below 4e-4. */
function tanh2(x) {
  let p = `(f64x2.add (f64x2.mul (local.get $t2) ${d2(TANH_P[0])}) ${d2(TANH_P[1])})`;
  for (const c of TANH_P.slice(2)) p = `(f64x2.add (f64x2.mul (local.get $t2) ${p}) ${d2(c)})`;
  let q = `(f64x2.add (f64x2.mul (local.get $t2) ${d2(TANH_Q[0])}) ${d2(TANH_Q[1])})`;
  for (const c of TANH_Q.slice(2)) q = `(f64x2.add (f64x2.mul ${q} (local.get $t2)) ${d2(c)})`;
  return `(block (result v128)
      (local.set $v ${x})
      (local.set $t (f64x2.pmax (f64x2.pmin (local.get $v) ${d2(TANH_CLAMP)}) ${d2(-TANH_CLAMP)}))
      (local.set $t2 (f64x2.mul (local.get $t) (local.get $t)))
      (v128.bitselect (local.get $v)
        (f64x2.div (f64x2.mul (local.get $t) ${p}) ${q})
        (v128.and (f64x2.lt (local.get $v) ${d2(0.0004)}) (f64x2.gt (local.get $v) ${d2(-0.0004)}))))`;
}

const DOUBLE_FNS = {
  exp: (x) => exp2(x, 89),
  sigmoid: (x) => `(f64x2.div ${d2(1)} (f64x2.add ${d2(1)} ${exp2(`(f64x2.neg ${x})`, 104)}))`,
  tanh: tanh2,
};

/**
 * A unary kernel in double precision: the four floats of a vector promoted in two halves, the
 * function applied to each, the results rounded back to float32 (as a Float32Array store rounds).
 */
function unary64(name) {
  const f = DOUBLE_FNS[name];
  return `
  (func (export "${name}") (param $x i32) (param $o i32) (param $n i32)
    (local $end i32) (local $w v128) (local $lo v128) (local $v v128) (local $km v128) (local $r v128) (local $t v128) (local $t2 v128)
    ${vecLoop(['$o', '$x'], `(local.set $w (v128.load (local.get $x)))
      (local.set $lo (f32x4.demote_f64x2_zero ${f('(f64x2.promote_low_f32x4 (local.get $w))')}))
      (v128.store (local.get $o) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo)
        (f32x4.demote_f64x2_zero ${f('(f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w)))')})))`)})`;
}

/** Loop over four floats at a time: `$end` is `$o` plus n floats; body uses the pointers, which advance by 16 bytes. */
function vecLoop(ptrs, body) {
  return `
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      ${body}
      ${ptrs.map((p) => `(local.set ${p} (i32.add (local.get ${p}) (i32.const 16)))`).join('\n      ')}
      (br $next)))`;
}

/**
 * o[i, j] = a op b over m rows of n (o's rows contiguous), where a and b are each either a row
 * (`r`: element j of a row that starts sa / sb floats after the previous one) or a scalar per row
 * (`s`: one float, sa / sb floats after the previous row's): rr covers equal shapes (m = 1) and
 * row broadcasts ([m, n] with [n]: a stride of 0), rs / sr a scalar operand (m = 1) or a column
 * ([m, n] with [m, 1]).
 */
function binary(op, form) {
  const A = form[0] === 'r' ? '(v128.load (local.get $pa))' : '(local.get $va)';
  const B = form[1] === 'r' ? '(v128.load (local.get $pb))' : '(local.get $vb)';
  const ptrs = ['$o', ...(form[0] === 'r' ? ['$pa'] : []), ...(form[1] === 'r' ? ['$pb'] : [])];
  return `
  (func (export "${op}_${form}") (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $n i32) (param $sa i32) (param $sb i32)
    (local $i i32) (local $o i32) (local $pa i32) (local $pb i32) (local $end i32) (local $va v128) (local $vb v128)
    (local.set $sa (i32.shl (local.get $sa) (i32.const 2)))
    (local.set $sb (i32.shl (local.get $sb) (i32.const 2)))
    (block $rows (loop $row
      (br_if $rows (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2))))
      (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sa))))
      (local.set $pb (i32.add (local.get $b) (i32.mul (local.get $i) (local.get $sb))))
      ${form[0] === 's' ? '(local.set $va (v128.load32_splat (local.get $pa)))' : ''}
      ${form[1] === 's' ? '(local.set $vb (v128.load32_splat (local.get $pb)))' : ''}
      ${vecLoop(ptrs, `(v128.store (local.get $o) (f32x4.${op} ${A} ${B}))`)}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row))))`;
}

/** A float32 unary kernel o[i] = f(x[i]). */
function unary32(name, expr) {
  return `
  (func (export "${name}") (param $x i32) (param $o i32) (param $n i32)
    (local $end i32)
    ${vecLoop(['$o', '$x'], `(v128.store (local.get $o) ${expr('(v128.load (local.get $x))')})`)})`;
}

/** A float32 gradient kernel o[i] = f(dy[i], y[i]). */
function grad32(name, expr) {
  return `
  (func (export "${name}") (param $dy i32) (param $y i32) (param $o i32) (param $n i32)
    (local $end i32)
    ${vecLoop(['$o', '$dy', '$y'], `(v128.store (local.get $o) ${expr('(v128.load (local.get $dy))', '(v128.load (local.get $y))')})`)})`;
}

/** A pair of floats at byte offset p, as doubles. */
const ld2 = (p) => `(f64x2.promote_low_f32x4 (v128.load64_zero ${p}))`;
/** Stores the pair of doubles v at byte offset p, rounded to float32. */
const st2 = (p, v) => `(v128.store64_lane 0 ${p} (f32x4.demote_f64x2_zero ${v}))`;
/** The pair at float index ${i} of array $a: byte offset expression. */
const at = (a, i) => `(i32.add (local.get ${a}) (i32.shl ${i} (i32.const 2)))`;
const get = (name) => `(local.get ${name})`;

/** Float index of gate q (0..3: i, f, g, o) of the current pair in a row of gates [4H]. */
const gate = (q) => (q === 0 ? get('$row') : `(i32.add ${get('$row')} ${q === 1 ? get('$H') : `(i32.mul ${get('$H')} (i32.const ${q}))`})`);

/**
 * An LSTM step function: over rows n < N and pairs of hidden units j (H even), with $row the
 * float index of the pair in the gates [N, 4H] and $k in the [N, H] arrays.
 */
function lstmStep(name, params, locals, body) {
  return `
  (func (export "${name}") ${params.map((p) => `(param ${p} i32)`).join(' ')} (param $N i32) (param $H i32)
    (local $n i32) (local $j i32) (local $row i32) (local $k i32) ${locals.map((l) => `(local ${l} v128)`).join(' ')}
    (block $rows (loop $nl
      (br_if $rows (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $j (i32.const 0))
      (block $cols (loop $jl
        (br_if $cols (i32.ge_u (local.get $j) (local.get $H)))
        (local.set $row (i32.add (i32.mul (local.get $n) (i32.shl (local.get $H) (i32.const 2))) (local.get $j)))
        (local.set $k (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $j)))
        ${body}
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $jl)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nl))))`;
}

/**
 * One LSTM step forward (src/lib/blas/rnn.ts, lstmForwardStep), two hidden units at a time, in
 * double precision as the JavaScript does: gates [N, 4H] pre-activations replaced by i, f, g, o;
 * c = f * cPrev + i * g; tc = tanh(c as stored); h = o * tc.
 */
const LSTM_FWD = lstmStep('lstm_fwd', ['$g', '$cp', '$cs', '$tcs', '$out'], ['$v', '$km', '$r', '$t', '$t2', '$i', '$f', '$gg', '$o', '$c', '$tc'], `
        (local.set $i ${DOUBLE_FNS.sigmoid(ld2(at('$g', gate(0))))})
        (local.set $f ${DOUBLE_FNS.sigmoid(ld2(at('$g', gate(1))))})
        (local.set $gg ${DOUBLE_FNS.tanh(ld2(at('$g', gate(2))))})
        (local.set $o ${DOUBLE_FNS.sigmoid(ld2(at('$g', gate(3))))})
        ${['$i', '$f', '$gg', '$o'].map((v, q) => st2(at('$g', gate(q)), get(v))).join('\n        ')}
        (local.set $c (f64x2.add (f64x2.mul (local.get $f) ${ld2(at('$cp', get('$k')))}) (f64x2.mul (local.get $i) (local.get $gg))))
        ${st2(at('$cs', get('$k')), get('$c'))}
        (local.set $tc ${DOUBLE_FNS.tanh(ld2(at('$cs', get('$k'))))})
        ${st2(at('$tcs', get('$k')), get('$tc'))}
        ${st2(at('$out', get('$k')), '(f64x2.mul (local.get $o) (local.get $tc))')}`);

/**
 * One LSTM step backward (src/lib/blas/rnn.ts, lstmBackwardStep), two hidden units at a time, in
 * double precision as the JavaScript does (the same products in the same order). dc holds dL/dc
 * after the step on entry, before it on return.
 */
const LSTM_BWD = lstmStep('lstm_bwd', ['$g', '$tcs', '$dout', '$dhn', '$dc', '$cp', '$dp'], ['$i', '$f', '$gg', '$o', '$tc', '$dh', '$dct'], `
        ${['$i', '$f', '$gg', '$o'].map((v, q) => `(local.set ${v} ${ld2(at('$g', gate(q)))})`).join('\n        ')}
        (local.set $tc ${ld2(at('$tcs', get('$k')))})
        (local.set $dh (f64x2.add ${ld2(at('$dout', get('$k')))} ${ld2(at('$dhn', get('$k')))}))
        (local.set $dct (f64x2.add ${ld2(at('$dc', get('$k')))}
          (f64x2.mul (f64x2.mul (local.get $dh) (local.get $o)) (f64x2.sub ${d2(1)} (f64x2.mul (local.get $tc) (local.get $tc))))))
        ${st2(at('$dp', gate(0)), `(f64x2.mul (f64x2.mul (f64x2.mul (local.get $dct) (local.get $gg)) (local.get $i)) (f64x2.sub ${d2(1)} (local.get $i)))`)}
        ${st2(at('$dp', gate(1)), `(f64x2.mul (f64x2.mul (f64x2.mul (local.get $dct) ${ld2(at('$cp', get('$k')))}) (local.get $f)) (f64x2.sub ${d2(1)} (local.get $f)))`)}
        ${st2(at('$dp', gate(2)), `(f64x2.mul (f64x2.mul (local.get $dct) (local.get $i)) (f64x2.sub ${d2(1)} (f64x2.mul (local.get $gg) (local.get $gg))))`)}
        ${st2(at('$dp', gate(3)), `(f64x2.mul (f64x2.mul (f64x2.mul (local.get $dh) (local.get $tc)) (local.get $o)) (f64x2.sub ${d2(1)} (local.get $o)))`)}
        ${st2(at('$dc', get('$k')), '(f64x2.mul (local.get $dct) (local.get $f))')}`);

/** o[i, k] = sum over j of x[i, j, k] (shape [k1, red, k2]), accumulated in double in order of j, two columns at a time. */
const SUM = `
  (func (export "sum_mid") (param $x i32) (param $o i32) (param $k1 i32) (param $red i32) (param $k2 i32)
    (local $i i32) (local $j i32) (local $k i32) (local $p i32) (local $acc v128) (local $row i32) (local $block i32)
    (local.set $row (i32.shl (local.get $k2) (i32.const 2)))
    (local.set $block (i32.mul (local.get $row) (local.get $red)))
    (block $is (loop $il
      (br_if $is (i32.ge_u (local.get $i) (local.get $k1)))
      (local.set $k (i32.const 0))
      (block $ks (loop $kl
        (br_if $ks (i32.ge_u (local.get $k) (local.get $k2)))
        (local.set $acc (v128.const f64x2 0 0))
        (local.set $p (i32.add (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $block))) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $js (loop $jl
          (br_if $js (i32.ge_u (local.get $j) (local.get $red)))
          (local.set $acc (f64x2.add (local.get $acc) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p)))))
          (local.set $p (i32.add (local.get $p) (local.get $row)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (v128.store64_lane 0 (i32.add (local.get $o) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k2)) (local.get $k)) (i32.const 2)))
          (f32x4.demote_f64x2_zero (local.get $acc)))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $kl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $il))))`;

/** rows blocks of run floats from src (stride sst floats) to dst (stride dst floats). */
const COPY_ROWS = `
  (func (export "copy_rows") (param $src i32) (param $dst i32) (param $rows i32) (param $run i32) (param $sst i32) (param $dstStride i32)
    (local $i i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $run) (i32.const 2)))
    (local.set $sst (i32.shl (local.get $sst) (i32.const 2)))
    (local.set $dstStride (i32.shl (local.get $dstStride) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $rows)))
      (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
      (local.set $src (i32.add (local.get $src) (local.get $sst)))
      (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))`;

export function watSource() {
  const parts = ['(module', '  (memory (export "memory") 16)'];
  for (const op of ['add', 'sub', 'mul', 'div']) for (const form of ['rr', 'rs', 'sr']) parts.push(binary(op, form));
  parts.push(unary32('neg', (x) => `(f32x4.neg ${x})`));
  parts.push(unary32('square', (x) => `(f32x4.mul ${x} ${x})`));
  parts.push(unary32('sqrt', (x) => `(f32x4.sqrt ${x})`));
  parts.push(unary32('relu', (x) => `(f32x4.max ${f4(0)} ${x})`));
  for (const name of Object.keys(DOUBLE_FNS)) parts.push(unary64(name));
  // dy * (y * (1 - y)) and (1 - y * y) * dy in float32 steps (tfjs's sigmoid / tanh gradients)
  parts.push(grad32('sigmoid_grad', (dy, y) => `(f32x4.mul ${dy} (f32x4.mul ${y} (f32x4.sub ${f4(1)} ${y})))`));
  parts.push(grad32('tanh_grad', (dy, y) => `(f32x4.mul (f32x4.sub ${f4(1)} (f32x4.mul ${y} ${y})) ${dy})`));
  parts.push(SUM, COPY_ROWS, LSTM_FWD, LSTM_BWD, ')');
  return parts.join('\n') + '\n';
}
