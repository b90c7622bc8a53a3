/**
 * Builds notebooks/ex_rnn_lstm_mnist.ipynb (seed 001, the exercise sheet "RNN and LSTM on MNIST":
 * RNNModel / LSTMModel with nn.RNN / nn.LSTM, 3000 iterations, a configuration comparison, a
 * hyper-parameter search and questions), the TypeScript port of the PyTorch sheet, deterministically.
 *
 *   npx tsx scripts/notebooks/rnnlstm.ts                  writes the student notebook
 *   npx tsx scripts/notebooks/rnnlstm.ts --instructor F   writes the notebook with the solutions to F
 *   npx tsx scripts/notebooks/rnnlstm.ts --check          fails if the committed notebook is stale
 *
 * The task cells come from src/solutions/rnnlstm.ts: the student version drops the regions between
 * `// BEGIN SOLUTION` and `// END SOLUTION`; the instructor version keeps them (without the marker
 * lines) and fills the answer cells from src/solutions/rnnlstm-answers.ts. Task cells carry
 * `metadata.task` ("rnnlstm.model", "rnnlstm.compare" graded; "rnnlstm.search" open-ended), answer
 * cells `metadata.question` ("rnnlstm.2.2", ...), feedback cells `metadata.feedback`.
 */
import { readFileSync } from 'node:fs';
import { rnnlstmAnswers } from '../../src/solutions/rnnlstm-answers.js';
import { ANSWER, CellList, MARKERS, type Cell, type Meta, SolutionSource, answerText, generatorMain, isMain, notebookText, root } from './builder.js';



// ---------------------------------------------------------------- task cells from the solutions

const solutions = new SolutionSource('src/solutions/rnnlstm.ts');

// ---------------------------------------------------------------- reference values

interface RunLine { iteration: number; loss: number; accuracy: number; epoch: number }
interface Run { lines: RunLine[]; iterations: number; seconds: number }
const seedRun = JSON.parse(readFileSync(`${root}test/fixtures/rnnlstm/seed_run.json`, 'utf8')) as {
  trainCount: number; testCount: number; numEpochs: number; rnn: Run; lstm: Run; threads: number;
};
const measured = JSON.parse(readFileSync(`${root}test/fixtures/rnnlstm/port_run.json`, 'utf8')) as {
  backend: string; rnnMsPerIter: number; lstmMsPerIter: number; rnnSeconds: number; lstmSeconds: number;
  compareSeconds: number; compareIterations: number; searchSeconds: number; note: string;
};

/** The seed's printed lines (PyTorch, full MNIST), verbatim. */
const SEED_RNN = `Iteration: 500. Loss: 0.08315066993236542. Accuracy: 96.8499984741211. Epochs: 5
Iteration: 1000. Loss: 0.11296291649341583. Accuracy: 97.55000305175781. Epochs: 5
Iteration: 1500. Loss: 0.13575473427772522. Accuracy: 97.06999969482422. Epochs: 5
Iteration: 2000. Loss: 0.14055731892585754. Accuracy: 96.95999908447266. Epochs: 5
Iteration: 2500. Loss: 0.16083259880542755. Accuracy: 96.13999938964844. Epochs: 5
Iteration: 3000. Loss: 0.053878821432590485. Accuracy: 96.91000366210938. Epochs: 5`;
const SEED_LSTM = `Iteration: 3500. Loss: 0.12816676497459412. Accuracy: 94.7300033569336%. Epochs: 1/5
Iteration: 4000. Loss: 0.19394533336162567. Accuracy: 96.94000244140625%. Epochs: 2/5
Iteration: 4500. Loss: 0.14641742408275604. Accuracy: 97.72000122070312%. Epochs: 3/5
Iteration: 5000. Loss: 0.047777943313121796. Accuracy: 97.69000244140625%. Epochs: 4/5
Iteration: 5500. Loss: 0.009313635528087616. Accuracy: 98.05999755859375%. Epochs: 5/5
Iteration: 6000. Loss: 0.04128799960017204. Accuracy: 98.33000183105469%. Epochs: 5/5`;

function mirrorLines(run: Run, lstm: boolean): string {
  return run.lines.map((l) => lstm
    ? `Iteration: ${l.iteration}. Loss: ${l.loss}. Accuracy: ${l.accuracy}%. Epochs: ${l.epoch}/${seedRun.numEpochs}`
    : `Iteration: ${l.iteration}. Loss: ${l.loss}. Accuracy: ${l.accuracy}. Epochs: ${seedRun.numEpochs}`).join('\n');
}

const minutes = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

// ---------------------------------------------------------------- cells

function build(withSolutions: boolean): { cells: Cell[] } {
  const cells = new CellList();
  const md = (text: string, metadata?: Meta) => cells.md(text, metadata);
  const code = (text: string, metadata?: Meta) => cells.code(text, metadata);
  const answer = (key: keyof typeof rnnlstmAnswers) => {
    const text = withSolutions ? answerText(rnnlstmAnswers[key].answer) : ANSWER;
    md(text, { question: `rnnlstm.${key}` });
  };
  const feedback = (id: string, name: string, what: string) => {
    md(`For detailed feedback, the next cell runs the autograder's checks on your \`${name}\` (${what}) and says
what differs, without showing the reference solution.`);
    code(`await check('${id}', ${name});`, { feedback: id });
  };

  md(`# Exercise sheet: Recurrent Neural Networks

Welcome to the exercise sheet about recurrent neural networks. In this sheet we take a closer look
at RNNs, LSTMs and other variants.

The main task is to build the same models as in the lecture and to use them to classify the MNIST
digits, reading each image as a sequence of its 28 rows.

*Ported to TypeScript (tslab, TensorFlow.js, plotly) for the RNN course kit.*`);

  md(`# Instructions
This sheet runs in **JupyterLab** on the TypeScript kernel **tslab**, computing with
**TensorFlow.js**. Start JupyterLab from the course kit with \`npm start\` (the welcome notebook
\`00_welcome.ipynb\` checks the setup) and choose the kernel *TypeScript* if asked. The course
library \`rnn-course-kit\` provides what PyTorch provided: \`RNN\` and \`LSTM\` layers that behave
like \`nn.RNN\` and \`nn.LSTM\` (same parameters, initialisation and equations), \`Linear\`, \`Adam\`,
\`crossEntropyLoss\`, MNIST loading and \`DataLoader\`.

Exercises 1.1 to 1.3 give the code: read it and run it. In Exercises 2.1 and 3 you write code, only
in the designated part of the task cells:

${MARKERS}

Exercise 2.1 is **graded** (the model class and the comparison function; the feedback cells below
them run the same checks as the autograder). Exercise 3 and the questions of Exercises 2.2 and 4 are
open-ended and **not graded**: answer the questions in the text cells marked for it.

Training takes a while on a CPU. With the seed's settings (n_iters = 3000 with batches of 100, which
is 2880 iterations on the course's data, see below) the RNN loop of Exercise 1.3 takes about
${minutes(measured.rnnSeconds)} and the LSTM loop about ${minutes(measured.lstmSeconds)} here (${measured.backend} backend, ${measured.note}); the comparison
of Exercise 2 about ${minutes(measured.compareSeconds)} and the search of Exercise 3 about ${minutes(measured.searchSeconds)} with the budgets their cells set.

*Instructors:* start Jupyter with the environment variable \`RNNKIT_SOLUTIONS=1\` and the notebook uses
the reference solutions instead of the task cells, so that it runs from top to bottom. For short
runs (tests): \`RNNKIT_EPOCHS\` and \`RNNKIT_BATCHES\` shorten the training loops of Exercise 1.3 (and
\`RNNKIT_BATCHES\` the test evaluations), \`RNNKIT_TEST_EVERY\` sets how often they test,
\`RNNKIT_ITERS\` caps the iteration budgets of Exercises 2 and 3.`);

  md(`## Imports

First we import everything this sheet needs: TensorFlow.js for the tensors and the course library for
the layers, the optimiser, the data and the plots.`);

  code(`// Setup
import * as tf from '@tensorflow/tfjs';
import {
  setupBackend, manualSeed, Module, RNN, LSTM, Linear, crossEntropyLoss, Adam, allclose,
  loadMnistTensors, TensorDataset, DataLoader, takeBatches, ProgressBar,
  epochsSetting, batchesSetting, testEverySetting, iterationsSetting,
  modelConfig, configLabel, showComparison, showSearch, useTask, check,
  type ModelConfig, type FullModelConfig, type CompareOptions, type ComparisonResult,
  type SearchGrid, type SearchData, type SearchResult,
} from 'rnn-course-kit';

// The seed sets no random seed. We do (as torch.manual_seed(0) would), so that a run can be
// repeated, and it starts from the same weights and batch order as PyTorch after manual_seed(0).
manualSeed(0);

// Pick the fastest TensorFlow.js backend available here and show which one is active
const backend = await setupBackend();`, { setup: 'rnnlstm' });

  md(`## Loading the Dataset and making it iterable

\`loadMnistTensors\` reads MNIST as torchvision's \`dsets.MNIST(..., transform=transforms.ToTensor())\`
hands it over: every pixel divided by 255 (values in [0, 1]), images \`[N, 28, 28]\` float32 (the
seed's \`images.view(-1, 28, 28)\`), labels int32. It downloads the files once and caches them.

The seed derives the number of epochs from an iteration budget:
$\\text{num\\_epochs} = \\left\\lfloor \\frac{\\text{n\\_iters}}{N_\\text{train} / \\text{batch\\_size}} \\right\\rfloor$.
On the full MNIST ($N_\\text{train}$ = 60,000) that is $\\lfloor 3000 / 600 \\rfloor = 5$ epochs, exactly 3000
iterations. The course's offline data mirror holds only the first 24,000 training images (and the
full 10,000 test images): there it is $\\lfloor 3000 / 240 \\rfloor = 12$ epochs of 240 batches, i.e. 2880
iterations. The cell computes it from the data, as the seed does.`);

  code(`// MNIST with transforms.ToTensor(): images [N, 28, 28] in [0, 1], labels [N]
const train = await loadMnistTensors({ train: true });
const test = await loadMnistTensors({ train: false });
const trainDataset = new TensorDataset(train.images, train.labels);
const testDataset = new TensorDataset(test.images, test.labels);

const batchSize = 100;
const nIters = 3000;
let numEpochs = nIters / (trainDataset.length / batchSize);
numEpochs = Math.trunc(numEpochs);
console.log(\`\${trainDataset.length} training images, \${testDataset.length} test images: numEpochs = \${numEpochs}\`);
numEpochs = epochsSetting(numEpochs); // RNNKIT_EPOCHS shortens training (tests)

// Reshuffled at every epoch, as DataLoader(shuffle=True)
const trainLoader = new DataLoader(trainDataset, { batchSize: batchSize, shuffle: true });

// In order. drawBaseSeed: every pass over it advances the random generator as a PyTorch
// DataLoader does, which keeps this run in step with PyTorch's
const testLoader = new DataLoader(testDataset, { batchSize: batchSize, shuffle: false, drawBaseSeed: true });`, { data: 'rnnlstm' });

  md(`### Exercise 1.1: Creating the model classes

Implement the RNN and the LSTM models of the lecture, starting with one hidden layer and a tanh
activation function for the RNN. Hint: the course library provides \`RNN\` and \`LSTM\` layers, as PyTorch
provides \`nn.RNN\` and \`nn.LSTM\`: \`new RNN(inputSize, hiddenSize, { numLayers, batchFirst: true })\`, and
\`rnn.call(x, h0)\` returns \`[output, hN]\` (\`lstm.call(x, [h0, c0])\` returns \`[output, [hN, cN]]\`), with
\`output\` of shape \`[batch, time steps, hiddenSize]\`.

The seed gives the two classes (with two layers, as instantiated in Exercise 1.2); here they are in
TypeScript. A model is a \`Module\` whose layers are properties; \`forward\` is what \`model.apply(x)\` runs.`);

  code(`// The RNN
class RNNModel extends Module {
  hiddenSize: number;
  numLayers: number;
  rnn: RNN;
  fc: Linear;

  constructor(inputSize: number, hiddenSize: number, numLayers: number, outputSize: number) {
    super();
    // Hidden dimensions
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;

    // Building your RNN (input size, hidden size, number of layers)
    this.rnn = new RNN(inputSize, hiddenSize, { numLayers, batchFirst: true });

    // Readout layer
    this.fc = new Linear(hiddenSize, outputSize);
  }

  forward(x: tf.Tensor): tf.Tensor {
    // Initialize hidden state with zeros
    // h0: [numLayers, batchSize, hiddenSize]
    const h0 = tf.zeros([this.numLayers, x.shape[0], this.hiddenSize]);

    // Define the forward steps
    let [out] = this.rnn.call(x, h0); // Pass input through the RNN
    out = out.slice([0, x.shape[1] - 1, 0], [-1, 1, -1]).squeeze([1]); // Take the output of the last time step

    // Pass through the readout layer
    out = this.fc.apply(out);

    return out;
  }
}

// The LSTM
class LSTMModel extends Module {
  hiddenSize: number;
  numLayers: number;
  lstm: LSTM;
  fc: Linear;

  constructor(inputSize: number, hiddenSize: number, numLayers: number, outputSize: number) {
    super();
    // Hidden dimensions
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;

    // Building your LSTM (input size, hidden size, number of layers)
    this.lstm = new LSTM(inputSize, hiddenSize, { numLayers, batchFirst: true });

    // Readout layer
    this.fc = new Linear(hiddenSize, outputSize);
  }

  forward(x: tf.Tensor): tf.Tensor {
    // Initialize hidden state and cell state with zeros
    // h0: [numLayers, batchSize, hiddenSize]
    const h0 = tf.zeros([this.numLayers, x.shape[0], this.hiddenSize]);
    // c0: [numLayers, batchSize, hiddenSize] — cell state initialization
    const c0 = tf.zeros([this.numLayers, x.shape[0], this.hiddenSize]);

    // Define the forward steps
    let [out] = this.lstm.call(x, [h0, c0]); // Pass input through the LSTM
    out = out.slice([0, x.shape[1] - 1, 0], [-1, 1, -1]).squeeze([1]); // Take the output of the last time step

    // Pass through the readout layer
    out = this.fc.apply(out);

    return out;
  }
}`, { given: 'rnnlstm.1.1' });

  md(`### Exercise 1.2: Instantiations

Two layers of 128 hidden units for both models, the cross-entropy loss and one Adam optimiser per
model with learning rate 0.001, as in the seed. The seed also sets \`learning_rate = 0.1\`, which none of
its optimisers uses (Exercise 3 comes back to it).`);

  code(`// Instantiate the model classes
const modelRnn = new RNNModel(28, 128, 2, 10);
const modelLstm = new LSTMModel(28, 128, 2, 10);

// Move to GPU if available: TensorFlow.js computes on the backend chosen in the setup cell
// ('tensorflow' runs libtensorflow, on a GPU when tfjs-node-gpu finds one), so nothing moves
console.log(\`device: \${tf.getBackend()}; parameters: RNN \${modelRnn.numParameters()}, LSTM \${modelLstm.numParameters()}\`);

// Instantiate the Loss function (Cross Entropy Loss for classification)
const lossFn = crossEntropyLoss;

// Instantiate the Optimizer (Adam optimizer for efficiency)
const optimizerRnn = new Adam(modelRnn.parameters(), 0.001);
const optimizerLstm = new Adam(modelLstm.parameters(), 0.001);

const learningRate = 0.1;`, { given: 'rnnlstm.1.2' });

  md(`## Exercise 1.3: Training the models

Below are the training steps of the RNN; the LSTM is trained the same way (the seed asks to write
that loop by analogy, and gives it). One iteration takes one batch of 100 images, each read as a
sequence of 28 rows of 28 pixels, and makes one optimiser step. In TensorFlow.js
\`optimizer.minimize(() => loss)\` does what \`zero_grad()\`, \`loss.backward()\` and \`step()\` do in
PyTorch: it computes the loss, its gradients with respect to all parameters, and updates them. Every
500 iterations the accuracy on the 10,000 test images is computed and printed with the loss of the
current batch.

The seed printed (PyTorch, full MNIST, 5 epochs):

\`\`\`
${SEED_RNN}
\`\`\`

Its format string has four placeholders for three values (\`...Epochs: {}'.format(iter, loss.item(), accuracy)\`),
which Python refuses with an \`IndexError\`; the output above shows \`num_epochs\` in the fourth place, so
the port prints that. The accuracy is a float32 value (\`100 * correct / total\` on tensors), hence the
digits: the port prints it the same way (\`Math.fround\`).

On this machine's data (24,000 training images: 12 epochs, 2880 iterations, so the last evaluation is
at 2500) PyTorch 1.13, with \`torch.manual_seed(0)\` as in our setup cell, prints
(\`scripts/reference/rnnlstm_reference.py\`, ${minutes(seedRun.rnn.seconds)} on ${seedRun.threads} CPU thread):

\`\`\`
${mirrorLines(seedRun.rnn, false)}
\`\`\`

The port starts from the same weights and sees the batches in the same order, so its lines should be
close to these (the float32 sums run in another order, so long runs drift apart a little). The RNN loop
takes about ${minutes(measured.rnnSeconds)} here (${measured.rnnMsPerIter.toFixed(0)} ms per iteration).`);

  code(`// RNN Training
// Number of steps to unroll
const seqDim = 28; // time steps
const inputDim = 28; // features at each time step
// Test every 500 iterations (RNNKIT_TEST_EVERY changes it in tests)
const testEvery = testEverySetting(500);
let iter = 0;
const rnnStart = performance.now();
const rnnBar = new ProgressBar(numEpochs * batchesSetting(trainLoader.length), { desc: 'RNN', minIntervalMs: 500 });
for (let epoch = 0; epoch < numEpochs; epoch++) {
  // takeBatches: the loader's batches (RNNKIT_BATCHES shortens the epoch in tests)
  for (const [images, labels] of takeBatches(trainLoader)) {
    // Clear gradients, forward pass, loss, gradients w.r.t. parameters, update: one call
    const loss = optimizerRnn.minimize(() => {
      // Load images as sequences of rows: [batch, seqDim, inputDim]
      // Forward pass to get output/logits
      const outputs = modelRnn.apply(images.reshape([-1, seqDim, inputDim]));
      // Calculate Loss
      return lossFn(outputs, labels);
    });

    iter += 1;
    rnnBar.update(1);

    if (iter % testEvery === 0) {
      // Calculate Accuracy
      let correct = 0;
      let total = 0;
      // Iterate through test dataset
      for (const [images, labels] of takeBatches(testLoader)) {
        // Forward pass only to get logits/output, predictions from the maximum value, and the
        // number of correct predictions (tf.tidy frees the tensors made on the way)
        const batchCorrect = tf.tidy(() => {
          const outputs = modelRnn.apply(images.reshape([-1, seqDim, inputDim]));
          const predicted = tf.argMax(outputs, 1);
          return tf.sum(tf.cast(tf.equal(predicted, labels), 'int32'));
        });
        // Total number of labels
        total += labels.shape[0];
        // Total correct predictions
        correct += (await batchCorrect.data())[0];
        batchCorrect.dispose();
      }

      const accuracy = Math.fround((100 * correct) / total);

      // Print Loss
      console.log(\`Iteration: \${iter}. Loss: \${(await loss.data())[0]}. Accuracy: \${accuracy}. Epochs: \${numEpochs}\`);
    }
    loss.dispose();
  }
}
rnnBar.close();
console.log(\`RNN: \${iter} iterations in \${((performance.now() - rnnStart) / 1000).toFixed(0)} s on \${tf.getBackend()}\`);`, { run: 'rnnlstm.rnn' });

  md(`The LSTM loop is the same with the LSTM's model and optimiser. As in the seed, it does **not** reset
\`iter\`: it counts on from where the RNN loop stopped, so its evaluations are labelled with the
iterations after the RNN's (3500 ... 6000 in the seed). On the mirror the RNN loop ends at 2880, so the
LSTM's evaluations fall at 3000, 3500, ..., 5500, and its first one comes after only 120 iterations of
LSTM training. The seed printed:

\`\`\`
${SEED_LSTM}
\`\`\`

and PyTorch on this machine's data (${minutes(seedRun.lstm.seconds)} on ${seedRun.threads} CPU thread):

\`\`\`
${mirrorLines(seedRun.lstm, true)}
\`\`\`

The LSTM loop takes about ${minutes(measured.lstmSeconds)} here (${measured.lstmMsPerIter.toFixed(0)} ms per iteration).`);

  code(`// LSTM Training
// Number of steps to unroll: seqDim = 28, the number of time steps (the 28 rows of an image), as above
const lstmStart = performance.now();
const lstmBar = new ProgressBar(numEpochs * batchesSetting(trainLoader.length), { desc: 'LSTM', minIntervalMs: 500 });
for (let epoch = 0; epoch < numEpochs; epoch++) {
  for (const [images, labels] of takeBatches(trainLoader)) {
    // Clear gradients, forward pass (images reshaped for the LSTM), loss, gradients, update
    const loss = optimizerLstm.minimize(() => {
      const outputs = modelLstm.apply(images.reshape([-1, seqDim, inputDim]));
      return lossFn(outputs, labels);
    });

    iter += 1; // Increment iteration counter
    lstmBar.update(1);

    if (iter % testEvery === 0) {
      // Calculate Accuracy
      let correct = 0;
      let total = 0;

      // Iterate through test dataset
      for (const [images, labels] of takeBatches(testLoader)) {
        // Forward pass only to get logits/output; predictions from the maximum value
        const batchCorrect = tf.tidy(() => {
          const outputs = modelLstm.apply(images.reshape([-1, seqDim, inputDim])); // Reshape for LSTM
          const predicted = tf.argMax(outputs, 1);
          return tf.sum(tf.cast(tf.equal(predicted, labels), 'int32'));
        });
        // Total number of labels
        total += labels.shape[0];
        // Total correct predictions
        correct += (await batchCorrect.data())[0];
        batchCorrect.dispose();
      }

      // Accuracy as a percentage
      const accuracy = Math.fround((100 * correct) / total);

      // Print Loss and Accuracy
      console.log(\`Iteration: \${iter}. Loss: \${(await loss.data())[0]}. Accuracy: \${accuracy}%. Epochs: \${epoch + 1}/\${numEpochs}\`);
    }
    loss.dispose();
  }
}
lstmBar.close();
console.log(\`LSTM: \${iter} iterations so far, this loop took \${((performance.now() - lstmStart) / 1000).toFixed(0)} s on \${tf.getBackend()}\`);`, { run: 'rnnlstm.lstm' });

  md(`## Exercise 2: Classification
We want to compare different model configurations with each other.

For the RNN:
* 1, 2, 3 or 4 hidden layers
* tanh and ReLU activation function
* Additional fully connected layer

For the LSTM:
* 1, 2 or 3 hidden layers
* Additional fully connected layer

That is 4 × 2 × 2 = 16 RNN and 3 × 2 = 6 LSTM configurations.`);

  md(`### Exercise 2.1:
Change the above implementation so that the final classification accuracies can be compared
efficiently, in one cell: give the model its configuration as a parameter, and define a training
method. A configuration is a \`ModelConfig\` (from the course library):

\`\`\`typescript
{ type: 'rnn' | 'lstm', numLayers: number, nonlinearity?: 'tanh' | 'relu', extraFc?: boolean,
  hiddenSize?: number /* 128 */, inputSize?: number /* 28 */, outputSize?: number /* 10 */ }
\`\`\`

****
**Task 2.1a (graded):** complete \`RecurrentModel\`, the RNN and the LSTM of Exercise 1.1 in one class.
\`this.config\` holds the configuration with the defaults filled in. In the constructor create, in this
order (the order in which they draw their initial weights, as in PyTorch),
* \`this.rnn\`: an \`RNN\` with \`config.nonlinearity\` (\`new RNN(inputSize, hiddenSize, { numLayers, nonlinearity, batchFirst: true })\`)
  or an \`LSTM\` (\`new LSTM(...)\`, no nonlinearity), with \`config.numLayers\` layers;
* \`this.fcExtra\`: only with \`config.extraFc\`, the additional fully connected layer \`Linear(hiddenSize, hiddenSize)\`,
  followed by a ReLU in \`forward\`;
* \`this.fc\`: the readout layer \`Linear(hiddenSize, outputSize)\`.

In \`forward\`, run the recurrent layers from zero initial states, take the output of the last time
step, pass it through \`fcExtra\` and ReLU (if there is one) and \`fc\`, and assign the result to \`out\`.
With these names and this order, \`RecurrentModel({ type: 'rnn', numLayers: 2 })\` is the seed's
\`RNNModel(28, 128, 2, 10)\` parameter for parameter, and a PyTorch model built the same way after the
same seed gives the same outputs: that is what the autograder checks (the recurrent layers, the
parameter names, shapes and count, the output shape and values for five configurations, and two other
configurations with other sizes).
****`);

  code(solutions.taskCode('RecurrentModel', withSolutions), { task: 'rnnlstm.model' });

  md(`Is \`RecurrentModel\` the seed's model? Built after the same seed, it must have the parameters of
\`RNNModel\` / \`LSTMModel\` and give the same outputs.`);

  code(`// useTask hands over your class (with RNNKIT_SOLUTIONS=1 the reference solution)
const Model = await useTask('rnnlstm.model', RecurrentModel);
const someImages = tf.slice(train.images, 0, 5);
for (const [type, SeedModel] of [['rnn', RNNModel], ['lstm', LSTMModel]] as const) {
  manualSeed(1);
  const mine = new Model({ type, numLayers: 2 });
  manualSeed(1);
  const theirs = new SeedModel(28, 128, 2, 10);
  const shapes = (m: Module) => m.namedParameters().map(([, v]) => v.shape.join('x')).join(' ');
  const same = allclose(mine.apply(someImages), theirs.apply(someImages), { atol: 1e-6 });
  console.log(\`\${configLabel({ type, numLayers: 2 })}: same parameter shapes: \${shapes(mine) === shapes(theirs)}; Output check: \${same}\`);
  mine.dispose();
  theirs.dispose();
}`, { check: 'rnnlstm.model' });

  feedback('rnnlstm.model', 'RecurrentModel', 'the recurrent layers, the parameters, the output shape and values against PyTorch, other configurations');

  md(`****
**Task 2.1b (graded):** write \`compareConfigs(configs, options)\`: for every configuration, build a
\`RecurrentModel\`, train it for \`options.iterations\` iterations on \`options.trainDataset\` (a shuffled
\`DataLoader\` with \`options.batchSize\`, reshuffled at every epoch, \`Adam\` with \`options.lr\`,
\`crossEntropyLoss\`), then measure its accuracy in percent on \`options.testLoader\`, and push one result
\`{ label: configLabel(config), config, accuracy, ... }\` per configuration, in order. The defaults are the
seed's (3000 iterations, batches of 100, learning rate 0.001); call \`manualSeed(options.seed ?? 0)\`
before building each model so that all configurations start alike, and reuse the code of Exercise 1.3.
Use only the arguments (not \`trainLoader\` or \`testDataset\` of the cells above): the autograder calls it
with data of its own and a tiny budget and checks that there is one result per configuration, that the
models learn (on data whose labels are all one class), and that the library's \`Adam\` takes
\`iterations\` steps per configuration. Optional (Exercise 3 can use it): \`options.evaluateAt\`, iteration
counts after which to measure the accuracy too, into \`history\`; \`takeBatches(testLoader)\` instead of
\`testLoader\` lets the tests' \`RNNKIT_BATCHES\` shorten the evaluation.
****`);

  code(solutions.taskCode('compareConfigs', withSolutions), { task: 'rnnlstm.compare' });

  feedback('rnnlstm.compare', 'compareConfigs', 'one result per configuration, training and testing, the iteration budget');

  md(`Now all 22 configurations in one cell. The seed trains each model for 3000 iterations; for 22
configurations that would take about ${minutes(measured.compareSeconds * 3000 / measured.compareIterations)} here, so the cell gives each ${measured.compareIterations}
iterations (about ${minutes(measured.compareSeconds)} in all on this machine). Set \`iterations\` to \`nIters\` for the seed's budget.`);

  code(`const configs: ModelConfig[] = [
  // RNN: 1-4 layers, tanh and ReLU, with and without the extra fully connected layer
  ...[1, 2, 3, 4].flatMap((numLayers) => (['tanh', 'relu'] as const).flatMap((nonlinearity) =>
    [false, true].map((extraFc): ModelConfig => ({ type: 'rnn', numLayers, nonlinearity, extraFc })))),
  // LSTM: 1-3 layers, with and without the extra fully connected layer
  ...[1, 2, 3].flatMap((numLayers) => [false, true].map((extraFc): ModelConfig => ({ type: 'lstm', numLayers, extraFc }))),
];

const compare = await useTask('rnnlstm.compare', compareConfigs);
const iterations = iterationsSetting(${measured.compareIterations}); // RNNKIT_ITERS shortens it (tests)
// (tslab needs the property names spelt out for the notebook's variables: { trainDataset: trainDataset })
const comparison = await compare(configs, { trainDataset: trainDataset, testLoader: testLoader, iterations: iterations, batchSize: batchSize, lr: 0.001 });
showComparison(comparison, configs, { title: \`Exercise 2: test accuracy after \${iterations} iterations per configuration\` });`, { run: 'rnnlstm.compare' });

  md(`What do you observe? (The seed asks for the answer as a comment in the code cell; write it here.)`);
  answer('2.1');

  md(`### Exercise 2.2:
Do your results differ from the results presented in the lecture? If so, why?`);
  answer('2.2');

  md(`## Exercise 3:

So far, we always trained for 3000 iterations with a batch size of 100 and a learning rate of 0.1
(as the seed's text says; its optimisers in fact use 0.001, and the 0.1 is the unused \`learningRate\`
of Exercise 1.2). The classification accuracies might improve with other values. Change these values
systematically and find a better combination (if possible).

****
**Task 3 (open-ended, not graded):** write \`searchHyperparameters(config, grid, data)\`: train the
configuration with every combination of \`grid.iterations\`, \`grid.batchSize\` and \`grid.lr\` (reuse
\`compareConfigs\`) and return one \`{ iterations, batchSize, lr, accuracy }\` per combination. The cell
after it searches a small grid for the seed's RNN (2 layers, tanh); it takes about ${minutes(measured.searchSeconds)} here.
Change the grid, the configuration or the method as you see fit.
****`);

  code(solutions.taskCode('searchHyperparameters', withSolutions), { task: 'rnnlstm.search' });

  code(`const search = await useTask('rnnlstm.search', searchHyperparameters);
const grid: SearchGrid = {
  iterations: [250, 500, 1000].map(iterationsSetting), // RNNKIT_ITERS shortens them (tests)
  batchSize: [50, 100, 200],
  lr: [0.1, 0.01, 0.001],
};
const found = await search({ type: 'rnn', numLayers: 2 }, grid, { trainDataset: trainDataset, testLoader: testLoader });
showSearch(found);`, { run: 'rnnlstm.search' });

  md(`Which combination is best, and is it better than the seed's? What does the search tell you about
each of the three values?`);
  answer('3');

  md(`## Exercise 4:
1. Why might the LSTM result in better classification accuracies? What are the advantages and
   disadvantages of using an LSTM in this task, compared to an RNN?
2. We addressed other variants of RNNs in the lecture. Which of them might be suitable for this
   classification task, and why? (GRU, bidirectional RNN, recursive neural network, encoder-decoder RNN)`);
  md('**Question 4.1**');
  answer('4.1');
  md('**Question 4.2**');
  answer('4.2');

  return cells.finish('rnnlstm');
}

export function notebookJson(withSolutions: boolean): string {
  return notebookText(build(withSolutions).cells, { id: 'rnnlstm', title: 'Exercise sheet: RNN and LSTM on MNIST', instructor: withSolutions });
}

if (isMain(import.meta.url)) {
  generatorMain({ notebook: 'notebooks/ex_rnn_lstm_mnist.ipynb', script: 'scripts/notebooks/rnnlstm.ts', json: (withSolutions) => notebookJson(withSolutions), instructor: true }, process.argv.slice(2));
}
