/**
 * rnn-course-kit/random: PyTorch's CPU random number generator (`torch.Generator`,
 * `torch.manual_seed`, `torch.rand` / `randn` / `randperm`, `Tensor.uniform_` / `normal_`),
 * value for value, so that a notebook seeded like the PyTorch original draws the same numbers.
 */
export {
  Generator, type GeneratorState, defaultGenerator, manualSeed,
  rand, randn, randperm, randpermValues, uniform_, normal_, uniformValues, normalValues,
} from '../lib/random/torch-generator.js';
