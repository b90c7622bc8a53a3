/**
 * The RNN / LSTM exercise sheet: instructor answers to the notebook's questions (markdown), keyed
 * by exercise. The notebook's answer cells carry the metadata `{"question": "rnnlstm.<key>"}`.
 * Exercises 2.1 and 3 are code cells; their reference cells (src/solutions/rnnlstm.ts) end with the
 * observations as comments, as the original asks.
 */
import type { Answer } from './lab8-answers.js';

export const rnnlstmAnswers: Readonly<Record<'2.2' | '4.1' | '4.2', Answer>> = {
  '2.2': {
    question: 'Do your results differ from the results presented in the lecture? If so, why?',
    answer: [
      'They can, for reasons that have nothing to do with the architectures:',
      '',
      '- Optimiser and learning rate: the lecture trained with plain SGD at a learning rate of 0.1 (the',
      "  stray `learning_rate = 0.1` of Exercise 1.2 and the text of Exercise 3 come from it); this sheet",
      '  uses Adam at 0.001. Adam reaches high accuracy in far fewer iterations, and the ranking of the',
      '  configurations (especially of the ReLU RNNs, which SGD at 0.1 often makes diverge) depends on it.',
      '- Sizes and budget: 128 hidden units and 2 layers here; the budget in iterations fixes how many',
      '  epochs are seen (3000 iterations of batches of 100 are 5 epochs of MNIST\'s 60,000 images).',
      '- Randomness: nothing in the sheet fixes the initial weights or the order of the batches, so two',
      '  runs of the same configuration differ by a few tenths of a percent; a single run per',
      '  configuration cannot separate configurations closer than that.',
      '- Evaluation: the accuracy is measured on the test set at one point in time (the last',
      '  iteration), not the best value along the way, and the loss printed is that of one batch.',
      '- Implementation: the TypeScript port reproduces PyTorch\'s initialisation and batch order, but',
      '  float32 arithmetic in another order makes long runs drift apart slowly.',
    ].join('\n'),
  },
  '4.1': {
    question: 'Why might the LSTM result in better classification accuracies? What are the advantages and disadvantages of using an LSTM in this task, compared to an RNN?',
    answer: [
      'Each image is read row by row, 28 steps, and the class often depends on strokes in the upper rows',
      'that the model must remember until the last step. In a vanilla RNN the gradient from the last',
      'step to an early one is a product of 28 Jacobians (W_hh times the tanh derivative): it vanishes',
      '(or, with ReLU, explodes), so early rows are learnt slowly. The LSTM keeps a cell state that is',
      'updated additively, c_t = f_t * c_(t-1) + i_t * g_t, and gates that learn when to keep, write and',
      'read it; gradients flow through the cell state almost unchanged when the forget gate is open,',
      'so long-range dependencies are learnt and training is stable.',
      '',
      'Advantages: higher accuracy, faster and more reliable convergence, less sensitivity to the',
      'learning rate and to the initialisation; no exploding state.',
      'Disadvantages: four times the recurrent weights (2 layers of 128: 214,282 parameters against',
      '54,538 for the RNN), about four times the computation per step, more memory for the backward',
      'pass, and more capacity to overfit a small training set. For such short sequences a well-tuned',
      'RNN is not far behind.',
    ].join('\n'),
  },
  '4.2': {
    question: 'Which other variants of RNNs (GRU, bidirectional RNN, recursive neural network, encoder-decoder RNN) might be suitable for this classification task, and why?',
    answer: [
      '- GRU: suitable. It has gates like the LSTM (update and reset, no separate cell state), so it',
      '  learns the long-range dependencies as well, with three instead of four weight blocks: fewer',
      '  parameters and faster, typically with the LSTM\'s accuracy on MNIST.',
      '- Bidirectional RNN / LSTM: suitable. The whole image is known before classifying, so nothing',
      '  forces reading in one direction; a second pass from the bottom row up gives the classifier',
      '  both contexts (the last row of one direction and the first of the other), at twice the cost.',
      '- Recursive neural network: not a natural fit. It composes representations along a given tree',
      '  (a parse tree of a sentence); an image has no such tree (one could impose a quad-tree of',
      '  patches, but that is a convolutional idea, better served by a CNN).',
      '- Encoder-decoder RNN: not needed. It maps a sequence to another sequence of a different length',
      '  (translation, captioning); here the output is one label, so the encoder alone with a readout',
      '  layer, which is what RNNModel and LSTMModel are, does the job. A decoder would only add cost.',
    ].join('\n'),
  },
};
