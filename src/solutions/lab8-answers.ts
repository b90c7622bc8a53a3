/**
 * Lab 8: instructor answers to the notebook's questions (markdown), keyed by question number.
 * The notebook's answer cells carry the metadata `{"question": "lab8.<number>"}`.
 */
export interface Answer {
  question: string;
  answer: string;
}

export const lab8Answers: Readonly<Record<'1.1' | '2.2' | '2.3' | '2.4' | '2.5' | '3.2' | 'closing', Answer>> = {
  '1.1': {
    question:
      "Vehicle trajectories: a batch of M sequences of 2-D positions. What are the dimensions of W_xh, W_hh, W_yh and of the biases b and c in the equations above?",
    answer: [
      'Each input step is a position in the plane, so the input size is D = 2; a step of the batch is',
      'x^(t) ∈ R^(M×2). The hidden size H is a free choice (a hyperparameter). The output is again a',
      'position (the predicted next one), so the output size is 2. With row vectors multiplied from the',
      'left, as in the equations (h·W):',
      '',
      '- W_xh: D × H = 2 × H',
      '- W_hh: H × H',
      '- W_hy (W_yh in the question): H × 2',
      '- b (b_xh and b_hh): H each, broadcast over the M rows of the batch',
      '- c: 2',
      '',
      'The activations are h^(t): M × H and o^(t): M × 2. No parameter depends on M or on the sequence',
      'length T: the same weights are used for every sample and at every time step.',
    ].join('\n'),
  },
  '2.2': {
    question: 'What is the shape of the output y before transposing? And after?',
    answer: [
      'Before: the stacked hidden states are time-major, (T, M, H) (one (M, H) state per step).',
      'After `transpose([1, 0, 2])`: batch-major (M, T, H), the layout of the input.',
      'In the output check that is (3, 2, 10) and then (2, 3, 10); on MNIST-1D with batches of 100 and',
      'H = 10 it is (40, 100, 10) and then (100, 40, 10).',
    ].join('\n'),
  },
  '2.3': {
    question: 'What is the total number of parameters (weights and biases) for input size D and hidden size H?',
    answer: [
      'W_xh has D·H, W_hh has H·H, b_xh and b_hh have H each: D·H + H² + 2H = H(D + H + 2).',
      'For the output check (D = 4, H = 10): 160. For MNIST-1D (D = 1, H = 10): 130 (the classifier',
      'on top adds 40·H·10 + 10 = 4010). The GRU has 3 times as many recurrent parameters',
      '(3H(D + H + 2)) and the LSTM 4 times.',
    ].join('\n'),
  },
  '2.4': {
    question: 'Is it necessary to have two distinct bias tensors b_xh and b_hh?',
    answer: [
      'No. In the vanilla RNN both are added to the same pre-activation, so only their sum b_xh + b_hh',
      'matters: one bias vector represents exactly the same functions, and the two receive identical',
      'gradients (the split between them is never identified). They are kept for compatibility with',
      "PyTorch's `nn.RNN` and cuDNN, which use two. (With weight decay the pair is regularised a little",
      'differently from a single bias, which hardly matters.) In the GRU the two are not redundant for the',
      'candidate state: b_hn sits inside r ⊙ (h W_hn + b_hn) and is scaled by the reset gate, while b_xn',
      'is not.',
    ].join('\n'),
  },
  '2.5': {
    question: 'What are the sequence length T and the input size D in this context?',
    answer: [
      'Each MNIST-1D sample is a signal of 40 values; the model unflattens it to (40, 1) and feeds one',
      'value per step: T = 40 time steps with D = 1 input feature each.',
    ].join('\n'),
  },
  '3.2': {
    question: 'What do you observe comparing the training curves and accuracies?',
    answer: [
      'The gated cells learn much better than the vanilla RNN. With the default settings (100 epochs,',
      'H = 10) the vanilla RNN ends around 75-80 % test accuracy with a higher, noisier loss, while the',
      'GRU reaches about 90-93 % and the LSTM about 89-91 %; both gated cells also get there in fewer',
      'epochs. Over 40 steps the vanilla RNN suffers from vanishing (and occasionally exploding)',
      "gradients through repeated products with W_hh and tanh', so early parts of the signal hardly",
      'influence training. The GRU/LSTM update the state additively through gates (z ⊙ h or f ⊙ c), which',
      'lets gradients flow over many steps. The gated models fit the training set more closely, so the',
      'gap between training and test accuracy (overfitting) is larger for them. They cost 3x (GRU) and',
      '4x (LSTM) the recurrent parameters and more time per epoch; on this task the GRU is at least as',
      'good as the LSTM with fewer parameters.',
    ].join('\n'),
  },
  closing: {
    question: 'If you have time left, play around with the network and/or training settings.',
    answer: [
      'Things worth trying: a larger hidden size (`await run(GRU, 100, 32)`) raises accuracy and',
      'the cost per epoch; fewer epochs show how quickly each cell learns; without weight decay the',
      'gated models overfit more; shuffling the time steps (`getDatasetArgs({ shuffleSeq: true })`) hurts',
      'the RNNs far more than a fully connected network, showing that they rely on the order of the',
      'sequence; the mean of the hidden states (the output rule of section 1) instead of flattening all',
      'of them gives a classifier that works for sequences of any length.',
    ].join('\n'),
  },
};
