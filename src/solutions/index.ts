/**
 * rnn-course-kit/solutions: the reference solutions of the course's tasks (instructor material).
 * Notebooks use them instead of the student's code when RNNKIT_SOLUTIONS=1.
 */
export { VanillaRNN, GRU, LSTM, lab8Cells } from './lab8.js';
export { lab8Answers } from './lab8-answers.js';
export { RecurrentModel, compareConfigs, searchHyperparameters } from './rnnlstm.js';
export { rnnlstmAnswers } from './rnnlstm-answers.js';
