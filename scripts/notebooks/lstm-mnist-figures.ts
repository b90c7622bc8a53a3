/**
 * The diagram of notebooks/02_lstm_mnist.ipynb, drawn as SVG: it replaces the seed's picture of an
 * LSTM cell from Wikipedia (LSTM_Cell.svg.png), which the course kit does not have. Same reading as
 * that picture: the cell state runs along the top, the hidden state leaves at the bottom right and
 * at the top, the input enters from below; yellow boxes are layers, pink circles pointwise
 * operations. The names are the seed's: gates i_t, f_t, o_t and the cell candidate g_t.
 */
import { Svg } from './svg.js';

const LAYER = ['#fff2b3', '#b38f00'] as const;
const POINT = ['#ffd6e0', '#c2185b'] as const;

export function lstmCellFigure(): string {
  const s = new Svg('lstm-mnist-cell', 780, 420, 'An LSTM cell: forget, input and output gates, the cell candidate, the cell state along the top and the hidden state as output');
  // the cell
  s.box(60, 22, 640, 330, '', '#f6f7f9', '#9aa3ad');
  // cell state along the top: c(t-1) -> x f -> + i*g -> c(t)
  s.text(12, 65, 'cₜ₋₁', 16, 'start');
  s.line([[48, 60], [237, 60]]);
  s.node(250, 60, 13, '×', ...POINT);
  s.arrow([[263, 60], [415, 60]]);
  s.node(430, 60, 13, '+', ...POINT);
  s.arrow([[443, 60], [738, 60]]);
  s.text(746, 65, 'cₜ', 16, 'start');
  // inputs: h(t-1) from the left, x(t) from below, both go to every gate
  s.text(12, 325, 'hₜ₋₁', 16, 'start');
  s.line([[50, 320], [150, 320]]);
  s.text(150, 410, 'xₜ', 16);
  s.line([[150, 392], [150, 320]]);
  s.dot(150, 320);
  s.line([[150, 320], [150, 290], [545, 290]]);
  // the four layers
  const gate = (cx: number, act: string, name: string) => {
    s.box(cx - 39, 215, 78, 42, [act, name], ...LAYER);
    s.arrow([[cx, 290], [cx, 259]]);
  };
  gate(250, 'σ', 'forget fₜ');
  gate(335, 'σ', 'input iₜ');
  gate(430, 'tanh', 'cand. gₜ');
  gate(545, 'σ', 'output oₜ');
  // f(t) scales the old cell state
  s.arrow([[250, 215], [250, 75]]);
  // i(t) * g(t) is added to it
  s.node(430, 140, 13, '×', ...POINT);
  s.arrow([[335, 215], [335, 140], [415, 140]]);
  s.arrow([[430, 215], [430, 155]]);
  s.arrow([[430, 127], [430, 75]]);
  s.text(438, 108, 'iₜ ⊙ gₜ', 12, 'start', '#7a1040', true);
  // h(t) = o(t) * tanh(c(t))
  s.dot(610, 60);
  s.arrow([[610, 60], [610, 98]]);
  s.node(610, 120, 20, 'tanh', ...POINT);
  s.arrow([[610, 140], [610, 185]]);
  s.node(610, 200, 13, '×', ...POINT);
  s.arrow([[545, 215], [545, 200], [595, 200]]);
  s.line([[623, 200], [665, 200]]);
  s.dot(665, 200);
  s.arrow([[665, 200], [665, 320], [738, 320]]);
  s.text(746, 325, 'hₜ', 16, 'start');
  s.arrow([[665, 200], [665, 8]]);
  s.text(673, 18, 'hₜ (output)', 13, 'start');
  // legend (to the right of x_t's line)
  s.box(175, 364, 22, 14, '', ...LAYER);
  s.text(203, 376, 'layer: σ or tanh(xₜ·W_i* + hₜ₋₁·W_h* + b_*)', 12, 'start', '#333');
  s.node(500, 371, 8, '', ...POINT);
  s.text(514, 376, 'pointwise operation', 12, 'start', '#333');
  s.dot(650, 371);
  s.text(660, 376, 'copy', 12, 'start', '#333');
  return s.toString();
}
