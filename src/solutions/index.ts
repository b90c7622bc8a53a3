/**
 * rnn-course-kit/solutions: the reference solutions of the course's tasks (instructor material).
 * Notebooks use them instead of the student's code when RNNKIT_SOLUTIONS=1.
 */
export { VanillaRNN, GRU, LSTM, lab8Cells } from './lab8.js';
export { lab8Answers } from './lab8-answers.js';
export { compareConfigurations, searchHyperparameters } from './rnnlstm.js';
export { rnnlstmAnswers } from './rnnlstm-answers.js';
// The I2DL RNN exercise's solutions under a namespace (their RNN / LSTM are not Lab 8's); the
// i2dl course loads src/solutions/i2dl directly.
export * as i2dl from './i2dl.js';
export { i2dlAnswers } from './i2dl-answers.js';
