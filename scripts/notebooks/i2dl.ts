/**
 * Builds notebooks/i2dl_rnn_exercise.ipynb, the TypeScript port of the I2DL RNN exercise (seed 003:
 * an RNN and an LSTM written from scratch and compared with the library's, vanishing gradients, MNIST
 * classifiers trained with a Solver), deterministically.
 *
 *   npx tsx scripts/notebooks/i2dl.ts                  writes the student notebook
 *   npx tsx scripts/notebooks/i2dl.ts --instructor F   writes the notebook with the solutions to F
 *   npx tsx scripts/notebooks/i2dl.ts --check          fails if the committed notebook is stale
 *
 * The task cells are taken from src/solutions/i2dl.ts (as scripts/notebooks/lab8.ts does for Lab 8):
 * the student version drops the regions between `// BEGIN SOLUTION` and `// END SOLUTION`; the
 * instructor version keeps them (without the marker lines) and fills the answer cells from
 * src/solutions/i2dl-answers.ts. Task cells carry `metadata.task` ("i2dl.rnn", ...), answer cells
 * `metadata.question` ("i2dl.vanishing", ...), the seed's output checks `metadata.check`, feedback
 * cells `metadata.feedback`, figures `metadata.figure`.
 */
import { i2dlAnswers, type I2dlQuestion } from '../../src/solutions/i2dl-answers.js';
import { lstmChainFigure, rnnClassifierFigure, rnnRolledFigure, simpleRnnFigure } from './i2dl-figures.js';
import { ANSWER, CellList, MARKERS, type Cell, type Meta, SolutionSource, answerText, figureImg, generatorMain, isMain, notebookText } from './builder.js';



// ---------------------------------------------------------------- task cells from the solutions

const solutions = new SolutionSource('src/solutions/i2dl.ts');

// ---------------------------------------------------------------- cells

function build(withSolutions: boolean): { cells: Cell[] } {
  const cells = new CellList();
  const md = (text: string, metadata?: Meta) => cells.md(text, metadata);
  const code = (text: string, metadata?: Meta) => cells.code(text, metadata);
  // Immediate feedback after each graded task: the autograder's own checks (as otter-grader's grader.check).
  const feedback = (task: string, impl: string, what: string) => {
    md(`For more detailed feedback, the next cell runs the autograder's checks on your \`${impl}\` (${what}) and
says what differs, without showing the reference solution.`);
    code(`await check('i2dl.${task}', ${impl});`, { feedback: `i2dl.${task}` });
  };
  const question = (id: I2dlQuestion, text: string) => {
    md(`****\n**Question:** ${text}\n****`);
    const answer = withSolutions ? answerText(i2dlAnswers[id].answer) : ANSWER;
    md(answer, { question: `i2dl.${id}` });
  };

  md(`Recurrent Neural Networks (RNN)
====================

In this exercise we work with recurrent neural networks (RNNs). In an RNN the output depends not only
on the current input but also on the inputs that came before it in a sequence: the network keeps a
state that it carries from step to step, which lets it model behaviour in time and use context.
Typical applications of RNNs are:

- time series analysis
- speech recognition
- machine translation
- image captioning

*This is the TypeScript port of the exercise: it runs on the tslab kernel in JupyterLab, computes with
TensorFlow.js and plots with plotly. The PyTorch modules it uses (\`nn.RNN\`, \`nn.LSTM\`, \`nn.Linear\`,
\`nn.init\`, the data loader) come from the course library \`rnn-course-kit\`, which mirrors them.*

*Instructors:* start Jupyter with the environment variable \`RNNKIT_SOLUTIONS=1\` and the task cells hand
over the reference solutions (\`useTask\`), so that the notebook runs from top to bottom;
\`RNNKIT_EPOCHS=<n>\`, \`RNNKIT_BATCHES=<n>\` and \`RNNKIT_TIMEIT_RUNS=<n>\` shorten training and timing.`);

  md(`Goal of this exercise
========

With this notebook you experiment with how recurrent neural networks are implemented, trained and used
for a computer vision problem. It is structured as follows:
1. Implement your own simple RNN class in TensorFlow.js.
2. Explore the backpropagation of the gradients through the RNN and discuss the vanishing gradient problem.
3. Implement your own LSTM (Long Short-Term Memory) network and show that this architecture alleviates the vanishing gradient problem.
4. Build an RNN classifier for the MNIST dataset and train your model.
5. Tune the hyperparameters of your model and submit your best model to the server to get bonus points.

Write your code for the tasks only between the markers:

${MARKERS}`);

  code(`// Setup: TensorFlow.js, the course library, and the fastest backend available here
import * as tf from '@tensorflow/tfjs';
// The library's PyTorch-style modules under PyTorch's name: nn.RNN, nn.LSTM, nn.init.constant_ ...
import * as nn from 'rnn-course-kit';
import {
  setupBackend, Module, Linear, manualSeed, randn, randpermValues, timeit, timeitRuns, showFigure,
  TensorDataset, DataLoader, transforms, loadMnistRaw, saveModule, check, useTask,
  type Transform, type Figure,
} from 'rnn-course-kit';

// Pick the fastest TensorFlow.js backend available here and show which one is active
// (the original chose the device: "cuda:0" if available, else "cpu")
const backend = await setupBackend();`, { setup: 'i2dl' });

  md(`The versions in use. The original notebook printed \`Using python:  3.7.3\`, \`Using torch version:
1.1.0\` and \`Using device:  cpu\`; the port prints the Node.js and TensorFlow.js versions and the
TensorFlow.js backend.`);
  code(`console.log('Using node: ', process.versions.node);
console.log('Using TensorFlow.js version: ', tf.version.tfjs);
console.log('Using backend: ', tf.getBackend());
// Machine of the original's timings: 2015 13" MacBook Pro, i5 dual core`, { versions: 'i2dl' });

  md(`## Simple Recurrent Neural Network

The recurrent loop of an RNN lets relevant information persist over time. A simple RNN looks like this:

${figureImg(rnnRolledFigure(), 'A recurrent cell A with a loop', 180)}

At time step $t$ a simple RNN takes the input $x_t$ and also the hidden state $h_{t-1}$, the output of
the previous time step. Its output, the new hidden state, is given by Eq. 1:

$$ h_t = \\tanh\\left(W \\cdot h_{t-1} + b_h + V \\cdot x_t + b_x\\right) \\qquad (1)$$

Here $W$ (hidden size $\\times$ hidden size) are the hidden-to-hidden weights with their bias $b_h$, and
$V$ (hidden size $\\times$ input size) are the input-to-hidden weights with their bias $b_x$; $h_0 = 0$.
These are exactly the parameters of PyTorch's \`nn.RNN\` and of the library's \`nn.RNN\`:
\`weight_hh_l0\` $= W$, \`bias_hh_l0\` $= b_h$, \`weight_ih_l0\` $= V$, \`bias_ih_l0\` $= b_x$.

In this task you implement a simple one-layer RNN as a class, with a choice of a relu or a tanh
activation in the cell. The figure shows the RNN unrolled over time: every module is the same cell with
a single tanh layer.

${figureImg(simpleRnnFigure(), 'A simple RNN unrolled over three steps', 600)}`, { figure: 'i2dl.simple-rnn' });

  md(`****
**Task: implement the RNN class.** In the constructor create the two linear layers of Eq. 1:
\`this.W = new Linear(hiddenSize, hiddenSize)\` (its \`weight\` is $W$, its \`bias\` $b_h$) and
\`this.V = new Linear(inputSize, hiddenSize)\` ($V$ and $b_x$). In \`call(x, h)\` loop over the time steps
of \`x\` (shape \`[seqLen, batch, inputSize]\`, as PyTorch's default layout), compute Eq. 1 with the chosen
activation (\`tf.tanh\` or \`tf.relu\`), and push every hidden state onto \`hSeq\`; set \`h\` to the last one
with shape \`[1, batch, hiddenSize]\`. \`call\` returns \`[hSeq, h]\` like the library's \`nn.RNN\`.

Hints: \`x.slice(t, 1)\` is step \`t\` (\`[1, batch, inputSize]\`); \`layer.apply(v)\` applies a \`Linear\` layer
to \`v\` of shape \`[batch, features]\`; \`tf.add\`, \`tf.zeros\`, \`t.reshape\`, \`t.expandDims(0)\`.
****`);

  code(`// ToDo: Implement the RNN class
${solutions.taskCode('RNN', withSolutions)}`, { task: 'i2dl.rnn' });

  md(`Luckily the course library already implements a simple RNN, \`nn.RNN\`, which computes exactly what
PyTorch's \`nn.RNN\` computes. We use it to check that we have built the correct cell, comparing the
outputs of both, and we also compare the running time of both classes. The difference of the outputs
must be (practically) 0: the check wants a sum of squared differences below $10^{-10}$.`);

  code(`// choose your network parameters
const inputSize = 3;
const hiddenDim = 3;
const seqLen = 10;

// useTask hands over your RNN (with RNNKIT_SOLUTIONS=1 the reference solution)
const I2dlRNN = await useTask('i2dl.rnn', RNN);

// define the two models
const libraryRnn = new nn.RNN(inputSize, hiddenDim);
const i2dlRnn = new I2dlRNN(inputSize, hiddenDim);

// initialise both rnn with same values
for (const p of libraryRnn.parameters()) nn.init.constant_(p, 0.3);
for (const p of i2dlRnn.parameters()) nn.init.constant_(p, 0.3);

const X = randn([seqLen, 1, inputSize]);

const [outputLibrary, hLibrary] = libraryRnn.call(X);
const [outputI2dl, hI2dl] = i2dlRnn.call(X);

// The difference of outputs should be 0!!
const diff = tf.sum(tf.square(tf.sub(outputLibrary, outputI2dl))).dataSync()[0];
console.log(\`Difference between the library's and your RNN implementation: \${diff}\`);
if (diff < 10 ** -10) {
  console.log('Cool, you implemented a correct model.');
} else {
  console.log('Upps! There is something wrong in your model. Try again!');
}`, { check: 'i2dl.rnn' });

  feedback('rnn', 'RNN', "parameters, the check above, PyTorch's random initial values, gradients, other sizes, relu");

  md(`Now the running times of $10^4$ runs of each (\`timeit\` from the course library, like Python's
\`timeit.timeit\`: every run's tensors are freed). In TensorFlow.js the fixed cost of each operation
dominates for tensors this small, so the number of operations per step matters most.`);
  code(`const runs = timeitRuns(10 ** 4);

console.log(\`Time library RNN \${runs} runs: \${timeit(() => libraryRnn.call(X), runs).toFixed(3)}s\`);

console.log(\`Time I2DL RNN \${runs} run: \${timeit(() => i2dlRnn.call(X), runs).toFixed(3)}s\`);`, { timing: 'i2dl.rnn' });

  md(`From now on we use the library's module, which is faster and optimised for performance. Still,
building such functions yourself is always a good exercise, and we really advise you to do it!`);

  md(`## Vanishing Gradient

As discussed in the lecture, the simple RNN suffers from vanishing gradients in backpropagation. The
hidden state is transformed at every step of the sequence, and the effect of past inputs on the final
output fades with their distance in time. In the next cells we explore this vanishing effect of
earlier inputs in an RNN.`);

  code(`////////////////////////////////////////////////////////////////////////////
// TODO: Define a RNN and explore the gradients on the output h_T wrt. the  //
// input at time t and plot your result. What behaviour do you observe?     //
// Hints:                                                                   //
//   - use one input feature                                                //
//   - tf.grad(f)(x) gives the gradient of f with respect to its input x    //
//   - tf.grad can only differentiate a scalar, not an output tensor        //
//   - choose a good representation of the gradient plot                    //
////////////////////////////////////////////////////////////////////////////
${solutions.taskCode('exploreGradients', withSolutions)}`, { task: 'i2dl.gradients' });

  code(`// useTask hands over your exploreGradients (with RNNKIT_SOLUTIONS=1 the reference solution)
const gradsRnn = (await useTask('i2dl.gradients', exploreGradients))(50, 20);
if (gradsRnn.length !== 50) throw new Error(\`exploreGradients returned \${gradsRnn.length} values; it should return one per time step (50)\`);
console.log(\`|dh_T/dx_1| = \${gradsRnn[0].toExponential(2)}, |dh_T/dx_T| = \${gradsRnn[49].toExponential(2)}\`);`, { explore: 'i2dl.gradients' });

  md(`<div class="alert alert-info">
    <h3>Note</h3>
    <p>The gradient of the output at time T with respect to an earlier input decreases exponentially with
    the distance in time. The final output therefore hardly changes when an early input changes: the RNN
    has no long-term memory.</p>
</div>`);

  question('vanishing', `To understand the vanishing gradient problem better, calculate the gradients
$\\frac{dh_t}{dV}$, $\\frac{dh_t}{dW}$ and $\\frac{dh_t}{dX_0}$ analytically for $t=3$ and $h_0=0$ using Eq. 1.
This may seem a little tedious, but it is really useful. Can you explain the vanishing gradient
mathematically from your findings?`);

  md(`## Long-Short Term Memory Network (LSTM)
The vanishing gradient problem had been known for some time when Hochreiter and Schmidhuber (1997)
introduced the Long Short-Term Memory network and showed that this architecture overcomes it.

An LSTM is a more advanced recurrent architecture that can learn long-term dependencies. It is built
from a forget gate, an input gate and an output gate, and its cell can remember values over arbitrary
time intervals. Among the many (sometimes exotic) LSTM variants, the standard LSTM cell is shown in the
figure below.

${figureImg(lstmChainFigure(), 'An LSTM unrolled over three steps', 600)}`, { figure: 'i2dl.lstm' });

  question('cellState', 'Compared with a simple RNN, the LSTM cell has a hidden vector and an additional cell state vector. **What size does the cell state have?**');

  md(`The operations inside the LSTM are

$$
\\begin{aligned}
f_t &= \\sigma_g\\left(W_f x_t + U_f h_{t-1} + b_f\\right)\\\\
i_t &= \\sigma_g\\left(W_i x_t + U_i h_{t-1} + b_i\\right)\\\\
o_t &= \\sigma_g\\left(W_o x_t + U_o h_{t-1} + b_o\\right)\\\\
c_t &= f_t \\circ c_{t-1} + i_t \\circ \\sigma_c\\left(W_c x_t + U_c h_{t-1} + b_c\\right)\\\\
h_t &= o_t \\circ \\sigma_h\\left(c_t\\right)
\\end{aligned}
$$

with $c_0 = 0$, $h_0 = 0$ and $\\circ$ the elementwise product, where

- $f_t$: forget gate,
- $i_t$: input gate,
- $o_t$: output gate,
- $h_t$: hidden state vector,
- $c_t$: cell state vector,
- $x_t$: input vector,
- $t$: the time step,

and

- $\\sigma_g$: the sigmoid activation,
- $\\sigma_c$ and $\\sigma_h$: the hyperbolic tangent.

In the next step you implement your own LSTM with these operations.

****
**Task: implement the LSTM class.** For every gate $q \\in \\{f, i, o, c\\}$ create \`this.W_q = new
Linear(inputSize, hiddenSize)\` (the weights $W_q$) and \`this.U_q = new Linear(hiddenSize, hiddenSize)\`
($U_q$). Both have a bias, so every gate has two biases whose sum is $b_q$: that is how PyTorch's and the
library's \`nn.LSTM\` are built (\`bias_ih\` and \`bias_hh\`), and it is needed for the check below, which sets
every parameter to 0.3. \`call(x, state)\` takes \`x\` \`[seqLen, batch, inputSize]\` and an optional initial
state \`[h, c]\` (each \`[1, batch, hiddenSize]\`) and returns \`[hSeq, [h, c]]\` like \`nn.LSTM\`.
****`);

  code(`// ToDo: Implement the LSTM class
${solutions.taskCode('LSTM', withSolutions)}`, { task: 'i2dl.lstm' });

  code(`// choose your input parameters
const inputSize = 3;
const hiddenDim = 3;
const seqLen = 10;

// useTask hands over your LSTM (with RNNKIT_SOLUTIONS=1 the reference solution)
const I2dlLSTM = await useTask('i2dl.lstm', LSTM);

// define the two models
const libraryLstm = new nn.LSTM(inputSize, hiddenDim);
const i2dlLstm = new I2dlLSTM(inputSize, hiddenDim);

// initialise both lstms with same values
for (const p of libraryLstm.parameters()) nn.init.constant_(p, 0.3);
for (const p of i2dlLstm.parameters()) nn.init.constant_(p, 0.3);

const X = randn([seqLen, 1, inputSize]);

const [outputLibrary, [hLibrary]] = libraryLstm.call(X);
const [outputI2dl, [hI2dl]] = i2dlLstm.call(X);

// The difference of outputs should be 0!!
const diff = tf.sum(tf.square(tf.sub(outputLibrary, outputI2dl))).dataSync()[0];
console.log(\`Difference between the library's and your LSTM implementation: \${diff}\`);
if (diff < 10 ** -10) {
  console.log('Cool, you implemented a correct model.');
} else {
  console.log('Upps! There is something wrong in your model. Try again!');
}`, { check: 'i2dl.lstm' });

  feedback('lstm', 'LSTM', "parameters, the check above, the cell state, PyTorch's random initial values, gradients, other sizes");

  code(`const runs = timeitRuns(10 ** 4);

console.log(\`Time library LSTM \${runs} runs: \${timeit(() => libraryLstm.call(X), runs).toFixed(3)}s\`);

console.log(\`Time I2DL LSTM \${runs} run: \${timeit(() => i2dlLstm.call(X), runs).toFixed(3)}s\`);`, { timing: 'i2dl.lstm' });

  md(`## Explore Gradients
As for the RNN, compute the gradients of the LSTM's output with respect to its inputs and compare them
with the RNN's gradients. __What do you see?__`);

  code(`////////////////////////////////////////////////////////////////////////////
// TODO: Define a RNN and LSTM and explore the gradients on the output h_T   //
// wrt. the input at time t and plot your result.                           //
////////////////////////////////////////////////////////////////////////////
${solutions.taskCode('compareGradients', withSolutions)}`, { task: 'i2dl.compare' });

  code(`// useTask hands over your compareGradients (with RNNKIT_SOLUTIONS=1 the reference solution)
const compareGradientsImpl = await useTask('i2dl.compare', compareGradients);
const compared = compareGradientsImpl(50, 20);
if (compared.rnn.length !== 50 || compared.lstm.length !== 50) throw new Error(\`compareGradients returned \${compared.rnn.length} and \${compared.lstm.length} values; it should return one per time step (50) for each model\`);
console.log(\`first input: |dh_T/dx_1| RNN \${compared.rnn[0]?.toExponential(2)}, LSTM \${compared.lstm[0]?.toExponential(2)}\`);`, { explore: 'i2dl.compare' });

  question('explore', 'Compare the gradients of the LSTM with those of the RNN. **What do you see?**');

  md(`## MNIST image classification with RNNs

In the previous exercises we classified images with a fully connected and with a convolutional network.
In this exercise we solve image classification with a recurrent neural network.

We use the MNIST dataset of handwritten digits, which we already know from the autoencoder exercise:
images of the 10 digits (10 classes) at a resolution of 28 x 28. The idea of the RNN classifier is to
read an image as a sequence of rows: we pass the rows through the RNN one by one and use the final
hidden state for the classification.

<div class="alert alert-info">
    <h3>Note</h3>
    <p>
    This semester you have seen three kinds of neural networks: multi-layer perceptrons (MLPs),
    convolutional neural networks (CNNs) and now recurrent neural networks (RNNs). All three can
    classify images, but some suit the task better than others. Think about the advantages and
    disadvantages of the models regarding the number of parameters, transformations of the object in
    the image (scaling, rotation, translation, ...), training time, testing time, over-fitting, etc.
    </p>
</div>`);

  question('models', 'What are the advantages and disadvantages of MLPs, CNNs and RNNs for image classification (number of parameters, transformations of the object, training time, testing time, over-fitting, ...)?');

  code(`// Define data loader

/**
 * Adds a dimension: it turns the stack of 2-D images [N, H, W] into the [N, H, W, C] that ToTensor
 * expects (torchvision's ToTensor expects H x W x C images). The course library's transforms work on
 * the whole stack of images at once, which in TensorFlow.js is much faster than one call per image.
 */
class Unsqueeze implements Transform {
  constructor(readonly dimension = 0) {}

  apply(x: tf.Tensor): tf.Tensor {
    return tf.expandDims(x, this.dimension);
  }

  toString(): string {
    return \`Unsqueeze(dimension=\${this.dimension})\`;
  }
}

// transformation of data: bytes [N, 28, 28] -> [N, 28, 28, 1] -> float32 [N, 1, 28, 28] in [0, 1] -> [-1, 1]
const transform = new transforms.Compose([
  new Unsqueeze(3),
  new transforms.ToTensor(),
  new transforms.Normalize([0.5], [0.5]),
]);

/** Images and labels, with the transform applied to the images: a TensorDataset the DataLoader batches. */
class MnistDataset extends TensorDataset {
  constructor(readonly images: tf.Tensor, readonly labels: tf.Tensor, readonly transform: Transform | null = null) {
    super(transform ? transform.apply(images) : images, labels);
  }

  /** One sample [image, label], like dataset[idx]. */
  getItem(idx: number): [tf.Tensor, tf.Tensor] {
    return [this.tensors[0]!.slice(idx, 1).squeeze([0]), this.tensors[1]!.slice(idx, 1).squeeze([0])];
  }
}

// loading the train data. The original unpickled datasets/mnist_train.p, a pair (X, y) of the images as
// bytes [N, 28, 28] and their labels; here the course's loader reads MNIST's training files (downloaded
// once; the offline course mirror holds the first 24,000 of the 60,000 training images).
const mnistRaw = await loadMnistRaw({ train: true });
const [X, y] = [mnistRaw.X, mnistRaw.y];
console.log(\`\${X.shape[0]} training images of \${X.shape[1]} x \${X.shape[2]} pixels\`);`, { data: 'i2dl' });

  code(`////////////////////////////////////////////////////////////////////////////
// TODO: Set a useful training/ validation split                            //
////////////////////////////////////////////////////////////////////////////
${solutions.taskCode('chooseTrainSplit', withSolutions)}

// useTask hands over your split (with RNNKIT_SOLUTIONS=1 the reference solution)
const trainSplit = (await useTask('i2dl.split', chooseTrainSplit))();

const nTrain = Math.floor(X.shape[0] * trainSplit);
const trainDset = new MnistDataset(X.slice(0, nTrain), y.slice(0, nTrain), transform);
const valDset = new MnistDataset(X.slice(nTrain), y.slice(nTrain), transform);
console.log(\`train: \${trainDset.length} images, validation: \${valDset.length} images\`);`, { task: 'i2dl.split' });

  feedback('split', 'chooseTrainSplit', 'the range of the split');

  code(`// Visualize some examples from the dataset: a few training images of each class
const Xs = trainDset.images;
const ys = trainDset.labels.dataSync();

const classes = Array.from({ length: 10 }, (_, i) => i);
const numClasses = classes.length;
const samplesPerClass = 5;
const data: Figure['data'] = [];
const layout: Record<string, unknown> = {
  title: { text: \`\${samplesPerClass} training images per class\` },
  grid: { rows: samplesPerClass, columns: numClasses, pattern: 'independent' },
  height: 460, margin: { l: 10, r: 10, t: 70, b: 10 }, annotations: [],
};
for (const [yHat, cls] of classes.entries()) {
  const idxs = Array.from(ys.keys()).filter((i) => ys[i] === yHat);
  if (idxs.length < samplesPerClass) throw new Error(\`the training set has \${idxs.length} images of class \${cls}: set a useful trainSplit above\`);
  // samplesPerClass images of this class, drawn without replacement
  const chosen = Array.from(randpermValues(idxs.length).subarray(0, samplesPerClass), (k) => idxs[k]);
  chosen.forEach((idx, i) => {
    const plotIdx = i * numClasses + yHat + 1;
    const image = tf.tidy(() => Xs.slice(idx, 1).squeeze([0]).arraySync()) as number[][];
    data.push({ z: image, type: 'heatmap', colorscale: [[0, 'black'], [1, 'white']], showscale: false, xaxis: \`x\${plotIdx}\`, yaxis: \`y\${plotIdx}\`, hoverinfo: 'skip' });
    layout[\`xaxis\${plotIdx}\`] = { visible: false };
    layout[\`yaxis\${plotIdx}\`] = { visible: false, autorange: 'reversed', scaleanchor: \`x\${plotIdx}\` };
    if (i === 0) (layout.annotations as unknown[]).push({ text: String(cls), xref: \`x\${plotIdx} domain\`, yref: \`y\${plotIdx} domain\`, x: 0.5, y: 1.18, showarrow: false });
  });
}
showFigure({ data, layout: layout as Figure['layout'] });`, { plot: 'i2dl.samples' });

  md(`Build a classifier based on an RNN: feed the rows of an image into the network one after the other
and use the final hidden state for the prediction.

${figureImg(rnnClassifierFigure(), 'An RNN reading an image row by row', 600)}

****
**Task: implement \`RNN_Classifier\`.** In the constructor create the recurrent layer (the library's
\`nn.RNN(inputSize, hiddenSize, { nonlinearity: activation })\` is fast; your own \`RNN\` works too, if
slower) and a \`Linear\` layer from the hidden state to the classes. In \`forward(x)\` turn the batch of
images \`[N, 1, 28, 28]\` into a sequence of rows \`[28, N, 28]\` (\`reshape\`, \`tf.transpose\`), run the
recurrent layer, and map its final hidden state \`[1, N, hiddenSize]\` to the class scores \`[N, classes]\`.
****`, { figure: 'i2dl.classifier' });

  code(`${solutions.taskCode('RNN_Classifier', withSolutions)}

// useTask hands over your classifier (with RNNKIT_SOLUTIONS=1 the reference solution)
const RNNClassifier = await useTask('i2dl.rnnClassifier', RNN_Classifier);
const modelRnn = new RNNClassifier();`, { task: 'i2dl.rnnClassifier' });

  feedback('rnnClassifier', 'RNN_Classifier', 'output shape, gradients of every parameter');

  md(`*The original notebook instantiated \`LSTM_Classifier\` at this point, although the text around it
trains the RNN classifier first and then the LSTM; the port follows the text: the RNN classifier now,
the LSTM classifier below.*

The \`Solver\` trains a model with Adam and validates it after every epoch. In the original it came with
the exercise code; here it is part of the course library. Read it:`);

  code(`import { Solver, showSource } from 'rnn-course-kit';

showSource(Solver);`, { source: 'i2dl.solver' });

  code(`const batchSize = 32;
const trainLoader = new DataLoader(trainDset, { batchSize, shuffle: true });
const valLoader = new DataLoader(valDset, { batchSize, shuffle: false });

const solver = new Solver({ optimArgs: { lr: 1e-3 } });

// train rnn model
await solver.train(modelRnn, trainLoader, valLoader, { logNth: 50, numEpochs: 10 });`, { run: 'i2dl.rnn' });

  md(`Train your RNN classifier and try to tune the hyperparameters. With your simple RNN classifier you
should reach an accuracy higher than __90%__.

Try to improve your model by using an LSTM.

****
**Task: implement \`LSTM_Classifier\`** like \`RNN_Classifier\`, with an LSTM (\`nn.LSTM(inputSize,
hiddenSize)\`, or your own \`LSTM\`) instead of the simple RNN.
****`);

  code(`${solutions.taskCode('LSTM_Classifier', withSolutions)}

// useTask hands over your classifier (with RNNKIT_SOLUTIONS=1 the reference solution)
const LSTMClassifier = await useTask('i2dl.lstmClassifier', LSTM_Classifier);
const model = new LSTMClassifier();`, { task: 'i2dl.lstmClassifier' });

  feedback('lstmClassifier', 'LSTM_Classifier', 'output shape, gradients of every parameter');

  md('Train your LSTM model again and see whether it improves the performance on the validation set.');

  code(`// train lstm model
await solver.train(model, trainLoader, valLoader, { logNth: 50, numEpochs: 10 });`, { run: 'i2dl.lstm' });

  md(`# Test your Model
When you are satisfied with your training, you can save the model. To be eligible for the bonus points
you have to achieve a score higher than __97__ (% accuracy).

## Save the Model

When you are satisfied with your training, save the model. \`save\` writes the model's parameters with the
course library's \`saveModule\` (one JSON file: every parameter's name, shape and values; relative paths
are taken from the notebook's folder). \`loadModule(new RNN_Classifier(), path)\` reads them back.`);

  code(`modelRnn.save('models/rnn_mnist_nn.model');`, { save: 'i2dl' });

  return cells.finish('i2dl');
}

export function notebookJson(withSolutions: boolean): string {
  return notebookText(build(withSolutions).cells, { id: 'i2dl', title: 'I2DL: Recurrent Neural Networks (RNN and LSTM from scratch, MNIST)', instructor: withSolutions });
}

if (isMain(import.meta.url)) {
  generatorMain({ notebook: 'notebooks/i2dl_rnn_exercise.ipynb', script: 'scripts/notebooks/i2dl.ts', json: (withSolutions) => notebookJson(withSolutions), instructor: true }, process.argv.slice(2));
}
