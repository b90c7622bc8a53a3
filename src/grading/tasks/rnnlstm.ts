/**
 * The RNN / LSTM exercise sheet (notebooks/ex_rnn_lstm_mnist.ipynb). As in the original sheet, its
 * tasks are open: Exercise 2.1 (change the implementation to compare the configurations in one cell)
 * and Exercise 3 (a hyper-parameter search) are written by the student in any form, so nothing is
 * scored; the builds fill their cells with the reference solutions (`ungraded`). Exercises 2.2 and
 * 4 are questions.
 */
import { fileURLToPath } from 'node:url';
import type { Course } from '../types.js';

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const path = (rel: string): string => fileURLToPath(new URL(rel + ext, import.meta.url));

export const course: Course = {
  id: 'rnnlstm',
  title: 'Exercise sheet: RNN and LSTM on MNIST (configurations, hyper-parameters)',
  notebook: fileURLToPath(new URL('../../../notebooks/ex_rnn_lstm_mnist.ipynb', import.meta.url)),
  solutionFile: fileURLToPath(new URL('../../../src/solutions/rnnlstm.ts', import.meta.url)),
  solutionModule: path('../../solutions/rnnlstm'),
  module: path('./rnnlstm'),
  tasks: [],
  ungraded: [
    { id: 'rnnlstm.compare', name: 'compareConfigurations', title: 'Exercise 2.1: compare the configurations (open-ended, not graded)' },
    { id: 'rnnlstm.search', name: 'searchHyperparameters', title: 'Exercise 3: hyper-parameter search (open-ended, not graded)' },
  ],
};
