/**
 * rnn-course-kit/nn: PyTorch's `torch.nn` for TensorFlow.js — modules, layers, recurrent layers,
 * initialisation (`init`), losses and saving a module's parameters (`torch.save(model.state_dict())`).
 *
 *   import * as nn from 'rnn-course-kit/nn';
 *   const rnn = new nn.RNN(3, 3);
 *   for (const p of rnn.parameters()) nn.init.constant_(p, 0.3);
 */
export {
  Module, Lambda, parameter,
  Linear, Sequential, Flatten, Unflatten, type LinearOptions,
  ReLU, Sigmoid, Tanh,
  RNNBase, RNN, LSTM, GRU,
  type RecurrentMode, type RecurrentOptions, type RNNOptions, type RNNOutput, type LSTMState, type LSTMOutput,
  init, constant_, zeros_, ones_,
  crossEntropyLoss, allclose, maxAbsDiff, type AllcloseOptions,
} from '../lib/nn/index.js';
export { saveModule, loadModule, type HasNamedParameters, type SavedModule, type SavedParameter } from '../lib/nn/serialize.js';
