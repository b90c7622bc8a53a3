/**
 * The diagrams of the I2DL RNN notebook, drawn as SVG. They replace the images the PyTorch notebook
 * linked from Christopher Olah's "Understanding LSTM Networks" (RNN-rolled, LSTM3-SimpleRNN,
 * LSTM3-chain) and the RNN-classifier picture from Medium: a recurrent cell with its loop, the
 * unrolled simple RNN, the unrolled LSTM, and an RNN reading an image row by row.
 * Plain elements and attributes only (no CSS, no scripts), so Jupyter's sanitiser keeps them.
 */
import { esc, FONT } from './svg.js';

const C = {
  cell: '#d9ead3', cellStroke: '#6aa84f',
  layer: '#fff2cc', layerStroke: '#bf9000',
  op: '#f4cccc', opStroke: '#cc4125',
  input: '#cfe2f3', inputStroke: '#3d85c6',
  output: '#e6d9f2', outputStroke: '#8e7cc3',
  line: '#444',
};

class Drawing {
  private readonly parts: string[] = [];
  constructor(readonly id: string, readonly width: number, readonly height: number, readonly title: string) {}

  rect(x: number, y: number, w: number, h: number, fill: string, stroke: string, rx = 8): this {
    this.parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${rx}" fill="${fill}" stroke="${stroke}" stroke-width="1.6"/>`);
    return this;
  }

  circle(cx: number, cy: number, r: number, fill: string, stroke: string, label = '', size = 14): this {
    this.parts.push(`<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}" stroke="${stroke}" stroke-width="1.6"/>`);
    if (label) this.text(cx, cy + size / 3, label, size);
    return this;
  }

  text(x: number, y: number, s: string, size = 13, anchor: 'middle' | 'start' | 'end' = 'middle', color = '#222', italic = false): this {
    this.parts.push(`<text x="${x}" y="${y}" ${FONT} font-size="${size}" text-anchor="${anchor}" fill="${color}"${italic ? ' font-style="italic"' : ''}>${esc(s)}</text>`);
    return this;
  }

  /** A path (SVG path data), with an arrow head when `arrow`. */
  path(d: string, arrow = true, color = C.line, dashed = false): this {
    this.parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.7"${dashed ? ' stroke-dasharray="5,4"' : ''}${arrow ? ` marker-end="url(#${this.id}-arrow)"` : ''}/>`);
    return this;
  }

  /** A straight arrow through the points. */
  arrow(points: [number, number][], color = C.line): this {
    return this.path(`M ${points.map(([x, y]) => `${x} ${y}`).join(' L ')}`, true, color);
  }

  line(points: [number, number][], color = C.line): this {
    return this.path(`M ${points.map(([x, y]) => `${x} ${y}`).join(' L ')}`, false, color);
  }

  dot(cx: number, cy: number): this {
    this.parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${C.line}"/>`);
    return this;
  }

  raw(s: string): this {
    this.parts.push(s);
    return this;
  }

  toString(): string {
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}" role="img" aria-label="${esc(this.title)}">`,
      `<defs><marker id="${this.id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${C.line}"/></marker></defs>`,
      `<rect x="0" y="0" width="${this.width}" height="${this.height}" fill="white"/>`,
      ...this.parts,
      '</svg>',
    ].join('\n');
  }
}

/** colah's RNN-rolled: one cell A with a loop; x_t in, h_t out. */
export function rnnRolledFigure(): string {
  const s = new Drawing('i2dl-rolled', 260, 260, 'A recurrent cell A with a loop: it reads x_t, outputs h_t and passes its state on to the next step');
  s.circle(100, 230, 20, C.input, C.inputStroke, 'xₜ', 15);
  s.arrow([[100, 210], [100, 162]]);
  s.rect(55, 95, 90, 65, C.cell, C.cellStroke, 10);
  s.text(100, 134, 'A', 20);
  s.arrow([[100, 95], [100, 52]]);
  s.circle(100, 30, 20, C.output, C.outputStroke, 'hₜ', 15);
  // the loop: out of the right side, around and back into the left side
  s.path('M 145 145 C 215 150, 215 100, 147 108', true);
  s.text(150, 175, 'to the next step', 11, 'start', '#666', true);
  return s.toString();
}

/** One module of the unrolled simple RNN (colah's LSTM3-SimpleRNN): h_(t-1) and x_t into one tanh layer. */
export function simpleRnnFigure(): string {
  const s = new Drawing('i2dl-simple', 720, 300, 'A simple RNN unrolled over three steps; each module has a single tanh layer');
  const xs = [130, 360, 590];
  xs.forEach((cx, k) => {
    s.rect(cx - 95, 70, 190, 150, C.cell, C.cellStroke, 14);
    s.circle(cx, 265, 19, C.input, C.inputStroke, `x${k === 0 ? 'ₜ₋₁' : k === 1 ? 'ₜ' : 'ₜ₊₁'}`, 12);
    s.circle(cx, 32, 19, C.output, C.outputStroke, `h${k === 0 ? 'ₜ₋₁' : k === 1 ? 'ₜ' : 'ₜ₊₁'}`, 12);
    if (k !== 1) {
      s.text(cx, 150, 'A', 20);
      s.arrow([[cx, 246], [cx, 222]]);
      s.arrow([[cx, 70], [cx, 53]]);
    }
  });
  // the detailed middle module: h_(t-1) enters from the left, x_t from below, both join into tanh
  const cx = xs[1]!;
  s.arrow([[225, 180], [265, 180]]); // from the left module
  s.line([[265, 180], [cx - 20, 180]]);
  s.line([[cx, 246], [cx, 180]]);
  s.dot(cx, 180);
  s.line([[cx - 20, 180], [cx, 180]]);
  s.arrow([[cx, 180], [cx, 152]]);
  s.rect(cx - 30, 120, 60, 30, C.layer, C.layerStroke, 4);
  s.text(cx, 140, 'tanh', 14);
  s.line([[cx, 120], [cx, 100]]);
  s.dot(cx, 100);
  s.arrow([[cx, 100], [cx, 53]]);
  s.line([[cx, 100], [cx + 70, 100], [cx + 70, 180]]);
  s.arrow([[cx + 70, 180], [cx + 135, 180]]); // to the right module
  s.arrow([[10, 180], [33, 180]]);
  s.arrow([[685, 180], [712, 180]]);
  s.text(cx - 60, 172, 'hₜ₋₁', 12, 'middle', '#555', true);
  s.text(cx + 4, 236, 'xₜ', 12, 'start', '#555', true);
  s.text(cx + 100, 172, 'hₜ', 12, 'middle', '#555', true);
  // legend
  s.rect(20, 14, 14, 12, C.layer, C.layerStroke, 2).text(40, 24, 'neural network layer', 11, 'start', '#444');
  return s.toString();
}

/** colah's LSTM3-chain: three modules, the middle one with its four layers and the cell state line on top. */
export function lstmChainFigure(): string {
  const s = new Drawing('i2dl-lstm', 820, 330, 'An LSTM unrolled over three steps; the middle module shows the forget, input and output gates and the cell state');
  // the modules before and after
  for (const [x0, k] of [[10, 0], [660, 2]] as const) {
    const cx = x0 + 75;
    s.rect(x0, 60, 150, 200, C.cell, C.cellStroke, 14);
    s.text(cx, 165, 'A', 20);
    s.circle(cx, 300, 19, C.input, C.inputStroke, k === 0 ? 'xₜ₋₁' : 'xₜ₊₁', 12);
    s.circle(cx, 25, 19, C.output, C.outputStroke, k === 0 ? 'hₜ₋₁' : 'hₜ₊₁', 12);
    s.arrow([[cx, 281], [cx, 262]]);
    s.arrow([[cx, 60], [cx, 46]]);
  }
  const L = 210;
  const R = 620;
  const top = 88;
  const bottom = 238;
  s.rect(L, 50, R - L, 220, C.cell, C.cellStroke, 14);
  // cell state along the top: × (forget), + (new information)
  const xF = L + 70;
  const xI = L + 140;
  const xG = L + 200;
  const xO = L + 270;
  const xT = L + 330;
  const xH = L + 370;
  s.arrow([[160, top], [L - 2, top]]);
  s.line([[L, top], [xF - 12, top]]);
  s.circle(xF, top, 12, C.op, C.opStroke, '×', 15);
  s.line([[xF + 12, top], [xG - 12, top]]);
  s.circle(xG, top, 12, C.op, C.opStroke, '+', 15);
  s.line([[xG + 12, top], [R, top]]);
  s.arrow([[R, top], [658, top]]);
  s.text(L + 8, top - 8, 'cₜ₋₁', 12, 'start', '#555', true);
  s.text(R - 8, top - 8, 'cₜ', 12, 'end', '#555', true);
  // h_(t-1) and x_t join along the bottom and feed the four layers
  s.arrow([[160, bottom], [L - 2, bottom]]);
  s.line([[L, bottom], [xO, bottom]]);
  s.line([[L + 35, 281], [L + 35, bottom]]);
  s.dot(L + 35, bottom);
  s.text(L + 8, bottom + 18, 'hₜ₋₁', 12, 'start', '#555', true);
  s.circle(L + 35, 300, 19, C.input, C.inputStroke, 'xₜ', 12);
  const layer = (x: number, name: string, gate: string): void => {
    s.dot(x, bottom);
    s.arrow([[x, bottom], [x, 213]]);
    s.rect(x - 22, 185, 44, 26, C.layer, C.layerStroke, 4);
    s.text(x, 203, name, name === 'tanh' ? 12 : 15);
    s.text(x - 26, 180, gate, 12, 'end', '#555', true);
  };
  layer(xF, 'σ', 'fₜ');
  layer(xI, 'σ', 'iₜ');
  layer(xG, 'tanh', 'c̃ₜ');
  layer(xO, 'σ', 'oₜ');
  // forget gate scales c_(t-1)
  s.arrow([[xF, 185], [xF, top + 14]]);
  // input gate × cell input, added to the cell state
  s.circle(xG, 145, 12, C.op, C.opStroke, '×', 15);
  s.arrow([[xI, 185], [xI, 145], [xG - 14, 145]]);
  s.arrow([[xG, 185], [xG, 159]]);
  s.arrow([[xG, 133], [xG, top + 14]]);
  // output: o_t × tanh(c_t) = h_t
  s.dot(xT, top);
  s.arrow([[xT, top], [xT, 108]]);
  s.rect(xT - 22, 110, 44, 22, C.op, C.opStroke, 10);
  s.text(xT, 125, 'tanh', 12);
  s.arrow([[xT, 132], [xT, 149]]);
  s.circle(xT, 163, 12, C.op, C.opStroke, '×', 15);
  s.arrow([[xO, 185], [xO, 163], [xT - 14, 163]]);
  s.line([[xT + 12, 163], [xH, 163]]);
  s.dot(xH, 163);
  s.line([[xH, 163], [xH, bottom], [R, bottom]]);
  s.arrow([[R, bottom], [658, bottom]]);
  s.text(R - 8, bottom + 18, 'hₜ', 12, 'end', '#555', true);
  s.arrow([[xH, 163], [xH, 46]]);
  s.circle(xH, 25, 19, C.output, C.outputStroke, 'hₜ', 12);
  // legend
  s.rect(330, 292, 14, 12, C.layer, C.layerStroke, 2).text(350, 302, 'neural network layer', 11, 'start', '#444');
  s.circle(497, 298, 7, C.op, C.opStroke).text(510, 302, 'pointwise operation', 11, 'start', '#444');
  return s.toString();
}

/** An RNN classifier on MNIST: the 28 rows of the image are the 28 inputs; h_28 -> Linear -> 10 scores. */
export function rnnClassifierFigure(): string {
  const s = new Drawing('i2dl-classifier', 780, 300, 'An RNN reads a 28 x 28 image one row per step; its last hidden state goes through a linear layer to 10 class scores');
  // the image: a 28 x 28 grid with a stylised "7"; rows 1, 2 and 28 outlined
  const ox = 50;
  const oy = 45;
  const px = 7;
  const seven = (r: number, c: number): boolean => (r >= 5 && r <= 7 && c >= 6 && c <= 21) || (r > 7 && r <= 24 && c >= 19 - Math.floor((r - 7) / 2) && c <= 21 - Math.floor((r - 7) / 2));
  const cells: string[] = [];
  for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) if (seven(r, c)) cells.push(`<rect x="${ox + c * px}" y="${oy + r * px}" width="${px}" height="${px}" fill="#222"/>`);
  s.raw(`<rect x="${ox}" y="${oy}" width="${28 * px}" height="${28 * px}" fill="#f3f3f3" stroke="#888"/>`);
  s.raw(cells.join(''));
  for (const [r, label] of [[0, 'x₁'], [1, 'x₂'], [27, 'x₂₈']] as const) {
    s.raw(`<rect x="${ox}" y="${oy + r * px}" width="${28 * px}" height="${px}" fill="none" stroke="${C.inputStroke}" stroke-width="1.5"/>`);
    s.text(ox - 6, oy + r * px + px + (r === 1 ? 6 : 0), label, 11, 'end', C.inputStroke);
  }
  s.text(ox + 14 * px, oy - 12, 'image 28 × 28', 12, 'middle', '#444');
  s.text(ox + 14 * px, oy + 28 * px + 22, 'row t of the image = input xₜ (28 pixels)', 11, 'middle', '#666', true);
  // the unrolled RNN: one step per row
  const steps: [number, string][] = [[330, 'x₁'], [430, 'x₂'], [570, 'x₂₈']];
  s.text(278, 142, 'h₀ = 0', 11, 'middle', '#555', true);
  s.arrow([[262, 155], [296, 155]]);
  steps.forEach(([cx, label], k) => {
    s.circle(cx, 250, 17, C.input, C.inputStroke, label, 12);
    s.rect(cx - 32, 130, 64, 50, C.cell, C.cellStroke, 10);
    s.text(cx, 160, 'RNN', 13);
    s.arrow([[cx, 233], [cx, 182]]);
    if (k === 0) s.arrow([[cx + 32, 155], [430 - 34, 155]]);
    if (k === 1) {
      s.line([[cx + 32, 155], [482, 155]]);
      s.text(500, 160, '…', 22);
      s.arrow([[518, 155], [570 - 34, 155]]);
    }
  });
  s.text(450, 110, 'the same weights at every step', 11, 'middle', '#666', true);
  // last hidden state -> Linear -> scores
  s.arrow([[602, 155], [640, 155]]);
  s.text(621, 146, 'h₂₈', 12, 'middle', '#555', true);
  s.rect(642, 135, 60, 40, C.layer, C.layerStroke, 6);
  s.text(672, 160, 'Linear', 13);
  s.arrow([[702, 155], [724, 155]]);
  s.rect(726, 80, 40, 150, C.output, C.outputStroke, 6);
  for (let d = 0; d < 10; d++) s.text(746, 98 + d * 14, String(d), 11, 'middle', d === 7 ? '#000' : '#777');
  s.text(746, 250, '10 scores', 11, 'middle', '#444');
  return s.toString();
}
