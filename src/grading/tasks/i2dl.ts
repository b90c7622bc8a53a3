/**
 * The I2DL RNN exercise (original 003, notebooks/i2dl_rnn_exercise.ipynb): the student's RNN and LSTM
 * against the course library's PyTorch-faithful `RNN` / `LSTM` (tested against PyTorch 1.13 in
 * test/nn/recurrent.test.ts), the gradient explorations, the train/validation split and the two
 * MNIST classifiers. Graded tasks and checks (points):
 *
 * i2dl.rnn (`RNN`, 7)          params (1): `W` (Linear hidden -> hidden) and `V` (Linear input -> hidden)
 *                                with tf.Variable weight/bias of the right shapes (D 4, H 5);
 *                              constant (2): the original's check: every parameter 0.3 (`constant_` over
 *                                `parameters()`), X = randn(10, 1, 3): hSeq and h equal the library's;
 *                              random (1): PyTorch's seeded init copied in (W <- weight_hh, V <- weight_ih,
 *                                b_h <- bias_hh, b_x <- bias_ih), batch 2, a given h0;
 *                              gradients (1): d sum(hSeq * C) for every parameter and for x;
 *                              hidden (1): other sizes (T 6, N 4, D 4, H 5, another seed);
 *                              relu (1): activation 'relu'.
 * i2dl.lstm (`LSTM`, 7)        params (1): W_q (input -> hidden) and U_q (hidden -> hidden), q = f, i, o, c;
 *                              constant (2) as for the RNN; state (1): the final cell state c (constant
 *                                case and a given [h0, c0]); random (1), gradients (1), hidden (1) as for
 *                                the RNN, with PyTorch's gate blocks i, f, g (= c), o.
 * i2dl.split (`chooseTrainSplit`, 2)     range (1): 0 < split < 1; useful (1): 0.5 <= split <= 0.95.
 * i2dl.rnnClassifier / i2dl.lstmClassifier (`RNN_Classifier` / `LSTM_Classifier`, 2 each)
 *                              shape (1): [N, 10] for images [N, 1, 28, 28] (and [N, 4] with classes 4,
 *                                hidden 16); gradients (1): the cross-entropy gives every parameter a
 *                                finite gradient, not all zero.
 * 20 points in all. The gradient explorations (i2dl.gradients `exploreGradients`, i2dl.compare
 * `compareGradients`) are open-ended (`course.ungraded`): filled by the builds, not scored.
 *
 * The exercises run the student's code (in the grader's child or in the notebook) and return plain
 * data; the references are the library modules run with the same seeds and inputs in the grader's
 * process (no solutions needed, so `check()` in the notebook checks everything).
 */
import { fileURLToPath } from 'node:url';
import type { Course, TaskDef } from '../types.js';
import { classifierTask } from './i2dl/classifiers.js';
import { recurrentTask } from './i2dl/recurrent.js';
import { splitTask } from './i2dl/split.js';

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const path = (rel: string): string => fileURLToPath(new URL(rel + ext, import.meta.url));

export const course: Course = {
  id: 'i2dl',
  title: 'I2DL: RNN and LSTM from scratch, vanishing gradients, MNIST classifiers',
  notebook: fileURLToPath(new URL('../../../notebooks/i2dl_rnn_exercise.ipynb', import.meta.url)),
  solutionFile: fileURLToPath(new URL('../../../src/solutions/i2dl.ts', import.meta.url)),
  solutionModule: path('../../solutions/i2dl'),
  module: path('./i2dl'),
  tasks: [
    recurrentTask('rnn', 'RNN', 'Simple RNN: RNN') as TaskDef,
    recurrentTask('lstm', 'LSTM', 'LSTM') as TaskDef,
    splitTask as TaskDef,
    classifierTask('i2dl.rnnClassifier', 'RNN_Classifier', 'MNIST: RNN_Classifier') as TaskDef,
    classifierTask('i2dl.lstmClassifier', 'LSTM_Classifier', 'MNIST: LSTM_Classifier') as TaskDef,
  ],
  // The gradient explorations: code to write and plots to read, nothing objective to score
  ungraded: [
    { id: 'i2dl.gradients', name: 'exploreGradients', title: 'Vanishing gradient: exploreGradients' },
    { id: 'i2dl.compare', name: 'compareGradients', title: 'Explore gradients: compareGradients' },
  ],
};
