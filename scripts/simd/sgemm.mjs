// The WebAssembly text (WAT) of the blas backend's own single-precision matrix product (sgemm),
// for machines without OpenBLAS (src/lib/blas/sgemm.ts loads it). scripts/build-simd.mjs compiles
// it twice with wabt into src/lib/blas/sgemm-wasm.ts: with relaxed SIMD's fused multiply-add
// (f32x4.relaxed_madd) and with plain SIMD (f32x4.mul then f32x4.add), and the loader uses the
// first that this Node validates.
//
// C = alpha * op(A) op(B) + beta * C, row-major (CBLAS's sgemm with CblasRowMajor), op(A) m x k,
// op(B) k x n, each transposed or not by a flag (nothing is materialised transposed). The
// structure is GotoBLAS's, sized for recurrent training's shapes (m = a batch of 64-100 rows or
// 4H gate rows, k and n from 1 to a few thousand):
// - C is first scaled by beta (beta = 0 writes zeros without reading C, as BLAS does);
// - k is cut into blocks of KC; for each block, op(B) is packed into panels of NR columns
//   ([KC][NR], zero-padded past n) and op(A) into panels of MR rows ([KC][MR], zero-padded past m),
//   whatever the transposes were, so one micro-kernel serves every case;
// - the micro-kernel keeps an MR x NR tile of C in MR * NR / 4 SIMD registers, reading per step
//   NR / 4 vectors of the B panel and MR broadcasts of the A panel, and adds alpha times the tile
//   into C at the end; the B panel (KC * NR floats) stays in the L1 cache while the A panels of
//   the block stream past it;
// - tiles cut by the edges of C go through a zeroed scratch tile, added into C element by element.
// A bias is the rank-1 update ones(m) x bias with beta = 1 (k = 1), as with OpenBLAS.
//
// Pointers are byte offsets into the module's memory; the caller (sgemm.ts) lays out the scratch
// tile, the two pack buffers and the operands, and passes strides in floats as BLAS does.

/** Rows and columns of the micro-kernel's tile, the k block. */
export const MR = 4;
export const NR = 8;
export const KC = 256;

const get = (x) => `(local.get ${x})`;
const set = (x, v) => `(local.set ${x} ${v})`;
const add = (a, b) => `(i32.add ${a} ${b})`;
const mul = (a, b) => `(i32.mul ${a} ${b})`;
const c32 = (x) => `(i32.const ${x})`;

/** A loop `for (var = from; var < to; var += step) body` over i32 locals. */
function forLoop(v, from, to, step, body) {
  const id = v.slice(1);
  return `${set(v, from)}
    (block $${id}_done (loop $${id}_next
      (br_if $${id}_done (i32.ge_s ${get(v)} ${to}))
      ${body}
      ${set(v, add(get(v), step))}
      (br $${id}_next)))`;
}

/**
 * The micro-kernel: C[MR x NR] (rows $ldc bytes apart) += alpha * A panel x B panel over $kc
 * steps.
 */
function microKernel(madd, MR, NR, { inlineB = false } = {}) {
  const vecs = NR / 4;
  const accs = [];
  for (let i = 0; i < MR; i++) for (let v = 0; v < vecs; v++) accs.push(`$c${i}_${v}`);
  const bvec = (v) => (inlineB ? `(v128.load offset=${16 * v} ${get('$b')})` : get(`$b${v}`));
  const step = [];
  if (!inlineB) for (let v = 0; v < vecs; v++) step.push(set(`$b${v}`, `(v128.load offset=${16 * v} ${get('$b')})`));
  for (let i = 0; i < MR; i++) {
    step.push(set('$s', `(v128.load32_splat offset=${4 * i} ${get('$a')})`));
    for (let v = 0; v < vecs; v++) step.push(set(`$c${i}_${v}`, madd(get('$s'), bvec(v), get(`$c${i}_${v}`))));
  }
  const store = [];
  for (let i = 0; i < MR; i++) {
    for (let v = 0; v < vecs; v++) {
      const at = `(i32.add ${get('$c')} ${c32(16 * v)})`;
      store.push(`(v128.store ${at} (f32x4.add (v128.load ${at}) (f32x4.mul ${get('$al')} ${get(`$c${i}_${v}`)})))`);
    }
    store.push(set('$c', add(get('$c'), get('$ldc'))));
  }
  const bs = inlineB ? '' : Array.from({ length: vecs }, (_, v) => `(local $b${v} v128)`).join(' ');
  // One k step per iteration: unrolling (tried 2 and 4) made V8 keep more vectors live and spill.
  return `
  (func $kernel (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $kc i32) (param $alpha f32)
    (local $end i32) (local $s v128) (local $al v128) ${bs} ${accs.map((x) => `(local ${x} v128)`).join(' ')}
    ${set('$end', add(get('$b'), mul(get('$kc'), c32(NR * 4))))}
    (block $k_done (loop $k_next
      (br_if $k_done (i32.ge_u ${get('$b')} ${get('$end')}))
      ${step.join('\n      ')}
      ${set('$a', add(get('$a'), c32(MR * 4)))} ${set('$b', add(get('$b'), c32(NR * 4)))}
      (br $k_next)))
    ${set('$al', `(f32x4.splat ${get('$alpha')})`)}
    ${store.join('\n    ')})`;
}

/** i8x16.shuffle of 32-bit lanes: lanes 0-3 from a, 4-7 from b. */
const shuffle = (a, b, lanes) => `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((k) => 4 * l + k)).join(' ')} ${a} ${b})`;

/**
 * Packs `count` (<= width) lines of a k block into a panel [kc][width], zeros past count: element
 * (line i, step p) is at src + i * rs + p * cs (bytes). Full panels are copied a vector at a time:
 * lines that are contiguous (rs = 4) directly; lines contiguous along k (cs = 4: op(A) untransposed,
 * op(B) transposed) as 4 x 4 blocks transposed in registers, the last kc % 4 steps one by one.
 */
const PACK = () => `
  (func $pack (param $dst i32) (param $src i32) (param $rs i32) (param $cs i32) (param $count i32) (param $width i32) (param $kc i32)
    (local $p i32) (local $i i32) (local $s i32) (local $d i32) (local $wb i32) (local $kc4 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    ${set('$wb', `(i32.shl ${get('$width')} (i32.const 2))`)}
    (if (i32.and (i32.eq ${get('$rs')} (i32.const 4)) (i32.eq ${get('$count')} ${get('$width')}))
      (then
        ${forLoop('$p', c32(0), get('$kc'), c32(1), `
        ${set('$s', add(get('$src'), mul(get('$p'), get('$cs'))))}
        ${set('$d', add(get('$dst'), mul(get('$p'), get('$wb'))))}
        ${forLoop('$i', c32(0), get('$width'), c32(4), `
          (v128.store ${add(get('$d'), `(i32.shl ${get('$i')} (i32.const 2))`)} (v128.load ${add(get('$s'), `(i32.shl ${get('$i')} (i32.const 2))`)}))`)}`)}
        (return)))
    (if (i32.and (i32.eq ${get('$cs')} (i32.const 4)) (i32.eq ${get('$count')} ${get('$width')}))
      (then
        ${set('$kc4', `(i32.and ${get('$kc')} (i32.const -4))`)}
        ${forLoop('$i', c32(0), get('$width'), c32(4), `
          ${forLoop('$p', c32(0), get('$kc4'), c32(4), `
            ${set('$s', add(add(get('$src'), mul(get('$i'), get('$rs'))), `(i32.shl ${get('$p')} (i32.const 2))`))}
            ${set('$r0', `(v128.load ${get('$s')})`)}
            ${set('$r1', `(v128.load ${add(get('$s'), get('$rs'))})`)}
            ${set('$r2', `(v128.load ${add(get('$s'), `(i32.shl ${get('$rs')} (i32.const 1))`)})`)}
            ${set('$r3', `(v128.load ${add(get('$s'), mul(get('$rs'), c32(3)))})`)}
            ${set('$t0', shuffle(get('$r0'), get('$r1'), [0, 4, 1, 5]))}
            ${set('$t1', shuffle(get('$r0'), get('$r1'), [2, 6, 3, 7]))}
            ${set('$t2', shuffle(get('$r2'), get('$r3'), [0, 4, 1, 5]))}
            ${set('$t3', shuffle(get('$r2'), get('$r3'), [2, 6, 3, 7]))}
            ${set('$d', add(add(get('$dst'), mul(get('$p'), get('$wb'))), `(i32.shl ${get('$i')} (i32.const 2))`))}
            (v128.store ${get('$d')} ${shuffle(get('$t0'), get('$t2'), [0, 1, 4, 5])})
            (v128.store ${add(get('$d'), get('$wb'))} ${shuffle(get('$t0'), get('$t2'), [2, 3, 6, 7])})
            (v128.store ${add(get('$d'), `(i32.shl ${get('$wb')} (i32.const 1))`)} ${shuffle(get('$t1'), get('$t3'), [0, 1, 4, 5])})
            (v128.store ${add(get('$d'), mul(get('$wb'), c32(3)))} ${shuffle(get('$t1'), get('$t3'), [2, 3, 6, 7])})`)}`)}
        ${forLoop('$i', c32(0), get('$width'), c32(1), `
          ${set('$s', add(add(get('$src'), mul(get('$i'), get('$rs'))), `(i32.shl ${get('$kc4')} (i32.const 2))`))}
          ${set('$d', add(add(get('$dst'), mul(get('$kc4'), get('$wb'))), `(i32.shl ${get('$i')} (i32.const 2))`))}
          ${forLoop('$p', get('$kc4'), get('$kc'), c32(1), `
            (f32.store ${get('$d')} (f32.load ${get('$s')}))
            ${set('$s', add(get('$s'), c32(4)))}
            ${set('$d', add(get('$d'), get('$wb')))}`)}`)}
        (return)))
    ${forLoop('$i', c32(0), get('$width'), c32(1), `
      ${set('$s', add(get('$src'), mul(get('$i'), get('$rs'))))}
      ${set('$d', add(get('$dst'), `(i32.shl ${get('$i')} (i32.const 2))`))}
      (if (i32.lt_s ${get('$i')} ${get('$count')})
        (then ${forLoop('$p', c32(0), get('$kc'), c32(1), `
          (f32.store ${get('$d')} (f32.load ${get('$s')}))
          ${set('$s', add(get('$s'), get('$cs')))}
          ${set('$d', add(get('$d'), get('$wb')))}`)})
        (else ${forLoop('$p', c32(0), get('$kc'), c32(1), `
          (f32.store ${get('$d')} (f32.const 0))
          ${set('$d', add(get('$d'), get('$wb')))}`)}))`)})`;

/** C[m x n] (rows ldc floats apart) *= beta; beta = 0 writes zeros (C is not read). */
const SCALE = () => `
  (func $scale (param $c i32) (param $m i32) (param $n i32) (param $ldc i32) (param $beta f32)
    (local $i i32) (local $j i32) (local $row i32) (local $vb v128)
    (if (f32.eq ${get('$beta')} (f32.const 1)) (then (return)))
    ${set('$vb', `(f32x4.splat ${get('$beta')})`)}
    ${forLoop('$i', c32(0), get('$m'), c32(1), `
      ${set('$row', add(get('$c'), `(i32.shl ${mul(get('$i'), get('$ldc'))} (i32.const 2))`))}
      (if (f32.eq ${get('$beta')} (f32.const 0))
        (then (memory.fill ${get('$row')} (i32.const 0) (i32.shl ${get('$n')} (i32.const 2))))
        (else
          ${set('$j', c32(0))}
          (block $v_done (loop $v_next
            (br_if $v_done (i32.gt_s (i32.add ${get('$j')} (i32.const 4)) ${get('$n')}))
            (v128.store ${add(get('$row'), `(i32.shl ${get('$j')} (i32.const 2))`)} (f32x4.mul ${get('$vb')} (v128.load ${add(get('$row'), `(i32.shl ${get('$j')} (i32.const 2))`)})))
            ${set('$j', add(get('$j'), c32(4)))}
            (br $v_next)))
          (block $s_done (loop $s_next
            (br_if $s_done (i32.ge_s ${get('$j')} ${get('$n')}))
            (f32.store ${add(get('$row'), `(i32.shl ${get('$j')} (i32.const 2))`)} (f32.mul ${get('$beta')} (f32.load ${add(get('$row'), `(i32.shl ${get('$j')} (i32.const 2))`)})))
            ${set('$j', add(get('$j'), c32(1)))}
            (br $s_next)))))`)})`;

/** The driver: see the file's comment. Strides lda, ldb, ldc in floats; $tile holds MR * NR floats. */
const SGEMM = (MR, NR, KC) => `
  (func (export "sgemm") (param $transA i32) (param $transB i32) (param $m i32) (param $n i32) (param $k i32)
    (param $alpha f32) (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $beta f32) (param $c i32) (param $ldc i32)
    (param $pa i32) (param $pb i32) (param $tile i32)
    (local $rsA i32) (local $csA i32) (local $rsB i32) (local $csB i32) (local $pc i32) (local $kc i32)
    (local $ir i32) (local $jr i32) (local $mr i32) (local $nr i32) (local $ap i32) (local $bp i32) (local $cp i32)
    (local $i i32) (local $j i32) (local $t i32) (local $q i32)
    (call $scale ${get('$c')} ${get('$m')} ${get('$n')} ${get('$ldc')} ${get('$beta')})
    (if (i32.or (i32.or (i32.le_s ${get('$m')} (i32.const 0)) (i32.le_s ${get('$n')} (i32.const 0)))
          (i32.or (i32.le_s ${get('$k')} (i32.const 0)) (f32.eq ${get('$alpha')} (f32.const 0))))
      (then (return)))
    ;; element (i, p) of op(A) at a + i * rsA + p * csA; (p, j) of op(B) at b + j * rsB + p * csB (bytes)
    (if ${get('$transA')}
      (then ${set('$rsA', c32(4))} ${set('$csA', `(i32.shl ${get('$lda')} (i32.const 2))`)})
      (else ${set('$rsA', `(i32.shl ${get('$lda')} (i32.const 2))`)} ${set('$csA', c32(4))}))
    (if ${get('$transB')}
      (then ${set('$rsB', `(i32.shl ${get('$ldb')} (i32.const 2))`)} ${set('$csB', c32(4))})
      (else ${set('$rsB', c32(4))} ${set('$csB', `(i32.shl ${get('$ldb')} (i32.const 2))`)}))
    ${forLoop('$pc', c32(0), get('$k'), c32(KC), `
      ${set('$kc', `(select ${c32(KC)} (i32.sub ${get('$k')} ${get('$pc')}) (i32.gt_s (i32.sub ${get('$k')} ${get('$pc')}) ${c32(KC)}))`)}
      ;; pack op(B)[pc .. pc + kc, :] into panels of NR columns, op(A)[:, pc .. pc + kc] into panels of MR rows
      ${forLoop('$jr', c32(0), get('$n'), c32(NR), `
        (call $pack ${add(get('$pb'), mul(get('$jr'), `(i32.shl ${get('$kc')} (i32.const 2))`))}
          ${add(get('$b'), add(mul(get('$jr'), get('$rsB')), mul(get('$pc'), get('$csB'))))}
          ${get('$rsB')} ${get('$csB')} (select ${c32(NR)} (i32.sub ${get('$n')} ${get('$jr')}) (i32.gt_s (i32.sub ${get('$n')} ${get('$jr')}) ${c32(NR)})) ${c32(NR)} ${get('$kc')})`)}
      ${forLoop('$ir', c32(0), get('$m'), c32(MR), `
        (call $pack ${add(get('$pa'), mul(get('$ir'), `(i32.shl ${get('$kc')} (i32.const 2))`))}
          ${add(get('$a'), add(mul(get('$ir'), get('$rsA')), mul(get('$pc'), get('$csA'))))}
          ${get('$rsA')} ${get('$csA')} (select ${c32(MR)} (i32.sub ${get('$m')} ${get('$ir')}) (i32.gt_s (i32.sub ${get('$m')} ${get('$ir')}) ${c32(MR)})) ${c32(MR)} ${get('$kc')})`)}
      ${forLoop('$jr', c32(0), get('$n'), c32(NR), `
        ${set('$bp', add(get('$pb'), mul(get('$jr'), `(i32.shl ${get('$kc')} (i32.const 2))`)))}
        ${set('$nr', `(select ${c32(NR)} (i32.sub ${get('$n')} ${get('$jr')}) (i32.gt_s (i32.sub ${get('$n')} ${get('$jr')}) ${c32(NR)}))`)}
        ${forLoop('$ir', c32(0), get('$m'), c32(MR), `
          ${set('$ap', add(get('$pa'), mul(get('$ir'), `(i32.shl ${get('$kc')} (i32.const 2))`)))}
          ${set('$mr', `(select ${c32(MR)} (i32.sub ${get('$m')} ${get('$ir')}) (i32.gt_s (i32.sub ${get('$m')} ${get('$ir')}) ${c32(MR)}))`)}
          ${set('$cp', add(get('$c'), `(i32.shl ${add(mul(get('$ir'), get('$ldc')), get('$jr'))} (i32.const 2))`))}
          (if (i32.and (i32.eq ${get('$mr')} ${c32(MR)}) (i32.eq ${get('$nr')} ${c32(NR)}))
            (then (call $kernel ${get('$ap')} ${get('$bp')} ${get('$cp')} (i32.shl ${get('$ldc')} (i32.const 2)) ${get('$kc')} ${get('$alpha')}))
            (else
              (memory.fill ${get('$tile')} (i32.const 0) ${c32(MR * NR * 4)})
              (call $kernel ${get('$ap')} ${get('$bp')} ${get('$tile')} ${c32(NR * 4)} ${get('$kc')} ${get('$alpha')})
              ${forLoop('$i', c32(0), get('$mr'), c32(1), `
                ${forLoop('$j', c32(0), get('$nr'), c32(1), `
                  ${set('$q', add(get('$cp'), `(i32.shl ${add(mul(get('$i'), get('$ldc')), get('$j'))} (i32.const 2))`))}
                  ${set('$t', add(get('$tile'), `(i32.shl ${add(mul(get('$i'), c32(NR)), get('$j'))} (i32.const 2))`))}
                  (f32.store ${get('$q')} (f32.add (f32.load ${get('$q')}) (f32.load ${get('$t')})))`)}`)}))`)}`)}`)})`;

/** The module's text; `relaxed` selects f32x4.relaxed_madd (one fused multiply-add) over mul + add. */
export function sgemmWat({ relaxed, mr = MR, nr = NR, kc = KC, ...variant }) {
  const madd = relaxed ? (a, b, c) => `(f32x4.relaxed_madd ${a} ${b} ${c})` : (a, b, c) => `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
  return ['(module', '  (memory (export "memory") 16)', microKernel(madd, mr, nr, variant), PACK(), SCALE(), SGEMM(mr, nr, kc), ')'].join('\n') + '\n';
}
