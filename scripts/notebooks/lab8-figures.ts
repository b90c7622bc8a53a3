/** The diagrams of Lab 8, drawn as SVG (they replace the PyTorch notebook's image attachments). */
import { Svg } from './svg.js';

/** Section 1: a many-to-one RNN unrolled over time, with the outputs averaged into one prediction. */
export function manyToOneFigure(): string {
  const s = new Svg('lab8-rnn', 700, 330, 'A recurrent network unrolled over a sequence of length tau; the per-step outputs are averaged into one output');
  const cols = [
    { x: 150, t: '1' },
    { x: 300, t: '2' },
    { x: 450, t: '…' },
    { x: 600, t: 'τ' },
  ];
  // initial state
  s.box(10, 150, 70, 40, 'h⁽⁰⁾ = 0', '#f4f4f4', '#888');
  let prev = 80;
  for (const c of cols) {
    const dots = c.t === '…';
    if (dots) {
      s.text(c.x, 175, '…', 22);
      s.arrow([[prev, 170], [c.x - 20, 170]]);
      prev = c.x + 20;
      continue;
    }
    // x -> h
    s.box(c.x - 30, 270, 60, 36, `x⁽${c.t}⁾`, '#eef8ee', '#3a8a3a');
    s.arrow([[c.x, 270], [c.x, 192]]);
    s.text(c.x + 6, 240, 'W_xh', 12, 'start', '#3a8a3a', true);
    // h box
    s.box(c.x - 45, 150, 90, 40, `h⁽${c.t}⁾ = φ(…)`);
    // h(t-1) -> h(t)
    s.arrow([[prev, 170], [c.x - 47, 170]]);
    if (prev !== 80) s.text((prev + c.x - 45) / 2, 162, 'W_hh', 12, 'middle', '#3b6fb6', true);
    prev = c.x + 45;
    // h -> output term
    s.arrow([[c.x, 150], [c.x, 92]]);
    s.text(c.x + 6, 125, 'W_hy', 12, 'start', '#a33', true);
    s.box(c.x - 45, 56, 90, 34, `h⁽${c.t}⁾·W_hy`, '#fbeeee', '#a33');
  }
  // mean and output
  s.line([[105, 40], [645, 40]], '#a33');
  for (const c of cols) if (c.t !== '…') s.line([[c.x, 56], [c.x, 40]], '#a33');
  s.box(250, 4, 200, 28, 'o = ψ( (1/τ) Σₜ h⁽ᵗ⁾·W_hy + c )', '#fbeeee', '#a33');
  s.arrow([[350, 40], [350, 33]], '#a33');
  s.text(690, 175, 'time →', 12, 'end', '#666', true);
  return s.toString();
}

/** Section 3: the GRU cell. */
export function gruFigure(): string {
  const s = new Svg('lab8-gru', 720, 330, 'Block diagram of a gated recurrent unit');
  // inputs
  s.text(12, 45, 'h⁽ᵗ⁻¹⁾', 15, 'start');
  s.text(12, 315, 'x⁽ᵗ⁾', 15, 'start');
  s.line([[70, 40], [580, 40]]); // h(t-1) along the top
  s.arrow([[580, 40], [598, 40]]);
  s.line([[55, 310], [110, 310]]); // x joins h(t-1) into the gates' input
  // the concatenated inputs feed every gate
  s.line([[110, 40], [110, 260]]);
  s.dot(110, 40);
  s.line([[110, 310], [110, 260]]);
  s.dot(110, 310);
  s.line([[110, 260], [470, 260]]);
  s.text(120, 255, '[h⁽ᵗ⁻¹⁾, x⁽ᵗ⁾]', 12, 'start', '#666', true);
  // gates
  s.box(160, 180, 90, 44, ['σ', 'reset r⁽ᵗ⁾'], '#eef3fb');
  s.arrow([[205, 260], [205, 226]]);
  s.box(290, 180, 90, 44, ['σ', 'update z⁽ᵗ⁾'], '#eef3fb');
  s.arrow([[335, 260], [335, 226]]);
  s.box(420, 180, 110, 44, ['tanh', 'candidate n⁽ᵗ⁾'], '#eef8ee', '#3a8a3a');
  s.arrow([[470, 260], [470, 226]]);
  // r scales the hidden part of the candidate
  s.arrow([[205, 180], [205, 150], [440, 150], [440, 178]]);
  s.text(300, 143, 'r ⊙ (h⁽ᵗ⁻¹⁾W_hn + b_hn)', 12, 'middle', '#3b6fb6', true);
  // z ⊙ h(t-1)
  s.node(610, 40, 13, '⊙');
  s.arrow([[335, 180], [335, 95], [610, 95], [610, 55]]);
  s.text(480, 88, 'z⁽ᵗ⁾', 12, 'middle', '#3b6fb6', true);
  // (1 - z) ⊙ n
  s.node(560, 150, 13, '1−');
  s.line([[560, 95], [560, 135]]);
  s.dot(560, 95);
  s.node(610, 202, 13, '⊙');
  s.arrow([[530, 202], [595, 202]]);
  s.arrow([[570, 160], [600, 190]]);
  // sum and output
  s.node(670, 120, 13, '+');
  s.arrow([[622, 48], [660, 110]]);
  s.arrow([[622, 194], [660, 130]]);
  s.arrow([[683, 120], [712, 120]]);
  s.text(700, 108, 'h⁽ᵗ⁾', 15, 'end');
  s.text(700, 310, 'h⁽ᵗ⁾ = (1 − z⁽ᵗ⁾) ⊙ n⁽ᵗ⁾ + z⁽ᵗ⁾ ⊙ h⁽ᵗ⁻¹⁾', 13, 'end', '#666', true);
  return s.toString();
}

/** Section 4: the LSTM cell (cell state along the top, hidden state along the bottom). */
export function lstmFigure(): string {
  const s = new Svg('lab8-lstm', 720, 340, 'Block diagram of a long short-term memory cell');
  // cell state line
  s.text(12, 45, 'c⁽ᵗ⁻¹⁾', 15, 'start');
  s.line([[65, 40], [297, 40]]);
  s.node(310, 40, 13, '⊙');
  s.arrow([[323, 40], [447, 40]]);
  s.node(460, 40, 13, '+');
  s.arrow([[473, 40], [712, 40]]);
  s.text(700, 30, 'c⁽ᵗ⁾', 15, 'end');
  // inputs
  s.text(12, 315, 'h⁽ᵗ⁻¹⁾', 15, 'start');
  s.text(12, 290, 'x⁽ᵗ⁾', 15, 'start');
  s.line([[70, 310], [110, 310], [110, 270]]);
  s.line([[50, 285], [110, 285]]);
  s.line([[110, 270], [560, 270]]);
  s.text(120, 264, '[h⁽ᵗ⁻¹⁾, x⁽ᵗ⁾]', 12, 'start', '#666', true);
  // gates
  const gate = (x: number, top: string, name: string, fill = '#eef3fb', stroke = '#3b6fb6') => {
    s.box(x, 180, 80, 44, [top, name], fill, stroke);
    s.arrow([[x + 40, 270], [x + 40, 226]]);
  };
  gate(270, 'σ', 'forget f⁽ᵗ⁾');
  gate(370, 'σ', 'input i⁽ᵗ⁾');
  gate(470, 'tanh', 'cand. g⁽ᵗ⁾', '#eef8ee', '#3a8a3a');
  gate(570, 'σ', 'output o⁽ᵗ⁾');
  s.line([[560, 270], [610, 270]]);
  // f ⊙ c(t-1)
  s.arrow([[310, 180], [310, 55]]);
  // i ⊙ g -> +
  s.node(460, 120, 13, '⊙');
  s.arrow([[410, 180], [450, 130]]);
  s.arrow([[510, 180], [470, 130]]);
  s.arrow([[460, 107], [460, 55]]);
  s.text(470, 90, 'z⁽ᵗ⁾ = i ⊙ g', 12, 'start', '#3b6fb6', true);
  // tanh(c) ⊙ o -> h
  s.line([[640, 40], [640, 70]]);
  s.dot(640, 40);
  s.box(610, 70, 60, 30, 'tanh', '#eef8ee', '#3a8a3a');
  s.arrow([[640, 100], [640, 133]]);
  s.node(640, 146, 13, '⊙');
  s.arrow([[610, 180], [630, 158]]);
  s.arrow([[653, 146], [712, 146]]);
  s.text(700, 136, 'h⁽ᵗ⁾', 15, 'end');
  return s.toString();
}
