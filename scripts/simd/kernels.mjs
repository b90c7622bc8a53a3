// The WebAssembly text (WAT) of the blas backend's SIMD kernels, generated here because the four
// binary operations and the three broadcast forms repeat one pattern. scripts/build-simd.mjs
// compiles it with wabt into src/lib/blas/simd-wasm.ts; src/lib/blas/simd.ts loads that.
//
// Every kernel computes exactly what the JavaScript kernel it replaces computes (src/lib/blas/
// elementwise.ts, gradients.ts), bit for bit:
// - add / sub / mul / div, neg, square, sqrt, relu and the sigmoid / tanh gradients are float32
//   operations (four lanes at a time); a float32 result rounded once is what JavaScript gets by
//   computing in double and storing into a Float32Array;
// - the column sum accumulates in double, row by row, as the JavaScript loop does;
// - splits and concatenations copy rows.
// (exp, sigmoid and tanh stay in JavaScript: their double-precision formulas, two lanes at a
// time, measured no faster than V8's scalar code here.)
// Arrays are passed as byte offsets into the module's memory. Loops run over whole vectors of
// four floats: callers leave 16 bytes after each array (the extra lanes read and write padding),
// and a row-by-row kernel may write past the end of a row, which the next row then overwrites.

const f4 = (x) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`;

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
  // dy * (y * (1 - y)) and (1 - y * y) * dy in float32 steps (tfjs's sigmoid / tanh gradients)
  parts.push(grad32('sigmoid_grad', (dy, y) => `(f32x4.mul ${dy} (f32x4.mul ${y} (f32x4.sub ${f4(1)} ${y})))`));
  parts.push(grad32('tanh_grad', (dy, y) => `(f32x4.mul (f32x4.sub ${f4(1)} (f32x4.mul ${y} ${y})) ${dy})`));
  parts.push(SUM, COPY_ROWS, ')');
  return parts.join('\n') + '\n';
}
