/**
 * Builds notebooks/lab8_rnn_mnist1d.ipynb (Lab 8: MNIST-1D with a vanilla RNN, a GRU and an LSTM
 * written from scratch), the TypeScript port of the PyTorch lab, deterministically.
 *
 *   npx tsx scripts/notebooks/lab8.ts                  writes the student notebook
 *   npx tsx scripts/notebooks/lab8.ts --instructor F   writes the notebook with the solutions to F
 *   npx tsx scripts/notebooks/lab8.ts --check          fails if the committed notebook is stale
 *
 * The task cells are taken from src/solutions/lab8.ts: the student version drops the regions
 * between `// BEGIN SOLUTION` and `// END SOLUTION`; the instructor version keeps them (without the
 * marker lines) and fills the answer cells from src/solutions/lab8-answers.ts. Task cells carry `metadata.task` ("lab8.vanilla", "lab8.gru", "lab8.lstm"),
 * answer cells `metadata.question` ("lab8.1.1", ...), output checks `metadata.check`.
 */
import { readFileSync } from 'node:fs';
import { lab8Answers } from '../../src/solutions/lab8-answers.js';
import { gruFigure, lstmFigure, manyToOneFigure } from './lab8-figures.js';
import { ANSWER, CellList, MARKERS, type Cell, type Meta, SolutionSource, answerText, figureImg, generatorMain, isMain, notebookText, root } from './builder.js';



// ---------------------------------------------------------------- task cells from the solutions

const solutions = new SolutionSource('src/solutions/lab8.ts');

// ---------------------------------------------------------------- reference values of the seed

const seedOutputs = JSON.parse(readFileSync(`${root}test/fixtures/lab8/seed_outputs.json`, 'utf8')) as {
  x: number[][][];
  vanilla: number[][][];
  gru: number[][][];
  lstm: number[][][];
};

/** A rank-3 array as a `tf.tensor3d([...])` literal, laid out like PyTorch prints it. */
function tensor3dLiteral(name: string, a: number[][][], perLine: number): string {
  const lead = `const ${name} = tf.tensor3d([`;
  const pad = ' '.repeat(lead.length);
  const num = (v: number) => (v < 0 ? '' : ' ') + v.toFixed(4);
  const row = (r: number[]) => {
    const chunks: string[] = [];
    for (let k = 0; k < r.length; k += perLine) chunks.push(r.slice(k, k + perLine).map(num).join(', '));
    return `[${chunks.join(`,\n${pad}  `)}]`;
  };
  const mats = a.map((m, i) => m.map((r, j) => `${i === 0 && j === 0 ? '' : pad}${j === 0 ? '[' : ' '}${row(r)}`).join(',\n') + ']');
  return `${lead}${mats.join(',\n\n')}]);`;
}

function checkCell(type: 'vanilla' | 'gru' | 'lstm', cls: string): string {
  return [
    'manualSeed(123);',
    '',
    'const [M, T, D] = [2, 3, 4];',
    '',
    tensor3dLiteral('x', seedOutputs.x, 4),
    '',
    tensor3dLiteral('yExpected', seedOutputs[type], 7),
    '',
    `// useCell hands your class to run() (with RNNKIT_SOLUTIONS=1 it hands over the reference solution).`,
    `const ${cls}Cell = await useCell('${type}', ${cls});`,
    `const model = new ${cls}Cell(D, 10);`,
    'const y = model.apply(x);',
    '',
    "console.log('Output check:', allclose(y, yExpected, { atol: 1e-4 }));",
  ].join('\n');
}

// ---------------------------------------------------------------- cells

function build(withSolutions: boolean): { cells: Cell[] } {
  const cells = new CellList();
  const md = (text: string, metadata?: Meta) => cells.md(text, metadata);
  const code = (text: string, metadata?: Meta) => cells.code(text, metadata);
  // Immediate feedback after each task, as otter-grader's grader.check: the grader's own checks.
  const feedback = (type: 'vanilla' | 'gru' | 'lstm', cls: string) => {
    md(`For more detailed feedback, the next cell runs the autograder's checks on your \`${cls}\` (parameters,
initial values, output shape and values, gradients, other input sizes) and says what differs, without
showing the reference solution.`);
    code(`await check('lab8.${type}', ${cls});`, { feedback: `lab8.${type}` });
  };
  const question = (n: keyof typeof lab8Answers, text: string) => {
    md(`****\n**Question ${n}:** ${text}\n****`);
    const answer = withSolutions ? answerText(lab8Answers[n].answer) : ANSWER;
    md(answer, { question: `lab8.${n}` });
  };

  md(`# **Lab 8**

TI3155TU Deep Learning (2024 - 2025)

Adapted by Elena Congeduti from TU Delft CS4240 Deep Learning course; ported to TypeScript
(tslab, TensorFlow.js) for the RNN course kit.`);

  md(`# Instructions
This lab runs in **JupyterLab** on the TypeScript kernel **tslab**, with **TensorFlow.js** for the
tensors and automatic differentiation. Start JupyterLab from the course kit with \`npm start\` (see the
kit's README; the welcome notebook \`00_welcome.ipynb\` checks your setup) and choose the kernel
*TypeScript* if you are asked. The PyTorch version of this lab used TensorBoard to follow training;
here the loss and accuracy curves are drawn live in the notebook while a model trains, and every
run is logged to the folder \`runs/\` next to this notebook so that you can compare runs later.

The lab consists of programming exercises and insight questions. Follow the instructions in the
notebook, answer the questions in the text cells marked for it, and write your code for the
programming tasks only in the designated part of the code cells:

${MARKERS}

Solutions are shared the week after the lab is published. The labs are meant for practice and are
therefore **ungraded**.

*Instructors:* start Jupyter with the environment variable \`RNNKIT_SOLUTIONS=1\` and the notebook
uses the reference solutions instead of the task cells, so that it runs from top to bottom;
\`RNNKIT_EPOCHS=<n>\` shortens every training run.`);

  code(`// Setup
import * as tf from '@tensorflow/tfjs';
import { deepStrictEqual } from 'node:assert';
import {
  setupBackend, manualSeed, uniform_, parameter, Module, allclose,
  getDatasetArgs, getDataset, getTemplates, plotSignals, showFigure,
  TensorDataset, DataLoader, useCell, train, test, run, runExperiment, plotRuns, clearRuns,
  check, showSource,
} from 'rnn-course-kit';

// Pick the fastest TensorFlow.js backend available here and show which one is active
const backend = await setupBackend();`, { setup: 'lab8' });

  md(`# 1 Sequential data and RNNs refresh

So far the networks of this course took inputs of one fixed size, or inputs that could be brought
to one size beforehand without losing what matters (resizing or cropping images, for instance).
Many inputs do not allow that: their length is part of the data, and stretching or cutting them
destroys information. Think of a model that reads a description and assigns it to a category. Both
of these descriptions should be classified as "house":

* 'Place in which people live.'
* 'Building that provides shelter to a family, often referred to as "home".'

The two inputs differ a lot in length (the number of characters), and a model that only accepts one
input size cannot solve this task. Since most real problems involve inputs of varying length, such
models can only address a small part of them. The same holds for outputs: translating a sentence
into another language (sequence-to-sequence learning) needs a model that also *produces* outputs of
varying length. Networks with both abilities exist; the recurrent neural network (RNN) is one of
them.

An RNN carries a hidden state that it updates recursively as it moves through the sequence during
the forward pass. The number of updates depends only on the length of the sequence, while the size
of the hidden state stays the same whatever that length is. Mathematically the recurrence is a
dynamical system

$$ \\mathbf{h}^{(t)} = f \\left( \\mathbf{h}^{(t-1)}, \\mathbf{x}^{(t)} \\right) $$

where $\\mathbf{h}$ is the hidden state, $\\mathbf{x}$ the input and $f$ some function; $t$ is the
position in the sequence. If both the map from the previous hidden state and the map from the input
are linear, we get

$$ \\mathbf{h}^{(t)} =  \\mathbf{h}^{(t-1)}\\cdot W_{hh} +\\mathbf{b}_{hh}+ \\mathbf{x}^{(t)} \\cdot W_{xh}+ \\mathbf{b}_{xh}.$$

$W_{hh}$ and $W_{xh}$ are weights, $\\mathbf{b}_{hh}$ and $\\mathbf{b}_{xh}$ biases. Note that
$\\mathbf{x}^{(t)}$ must have the same size at every step, which is easy to arrange by cutting the
sequence into chunks of equal size. As before, an activation function makes the map non-linear:

$$ \\mathbf{h}^{(t)} = \\phi \\left(  \\mathbf{h}^{(t-1)}\\cdot W_{hh} +\\mathbf{b}_{hh}+ \\mathbf{x}^{(t)} \\cdot W_{xh}+ \\mathbf{b}_{xh} \\right)$$

and in RNNs $\\phi$ is usually $\\tanh$. We have not said yet how the network produces an output.
There are several ways; in the most general form it produces one at every step,

$$ \\mathbf{o}^{(t)} = \\psi \\left(  \\mathbf{h}^{(t)}\\cdot W_{hy} + \\mathbf{c} \\right)$$

which amounts to a fully connected layer on top of the hidden state. Work out for yourself how the
types of the lecture (one-to-many, many-to-one and many-to-many) relate to these equations and how
they change them.

We use the MNIST-1D dataset again. This time the inputs are sequences and the output is a single
class, so the output combines all *sequential* outputs, here by averaging them:

$$ \\begin{aligned}
\\mathbf{o} &= \\frac{1}{\\tau} \\sum_{t=1}^{\\tau} \\mathbf{o}^{(t)} \\\\
 &= \\psi \\left( \\frac{1}{\\tau} \\sum_{t=1}^{\\tau} \\mathbf{h}^{(t)}\\cdot W_{hy} + \\mathbf{c} \\right)
\\end{aligned}$$

where $\\tau$ is the length of the sequence (the second line holds when $\\psi$ is applied after
averaging). The figure below shows this many-to-one network unrolled over time.`);

  md(`${figureImg(manyToOneFigure(), 'Many-to-one RNN unrolled over time')}\n\n*The same cell (the same $W_{xh}$, $W_{hh}$, biases) is applied at every step; the terms $\\mathbf{h}^{(t)}\\cdot W_{hy}$ of all steps are averaged into one output.*`, { figure: 'lab8.many-to-one' });

  question('1.1', `We want to predict the future trajectory of a vehicle with an RNN, from a training set of
sequences of the vehicle's position in the 2D plane. Given a batch of $M$ input sequences
$(x^1,\\dots,x^T)^{(i)}$, $i=1,\\dots,M$, what are the appropriate dimensions of the weights
$W_{xh}, W_{hh}, W_{yh}$ and of the bias terms $b$ and $c$, according to the equations above?`);

  md(`# 2 *Vanilla* RNN

The architecture of the previous section is called the *vanilla* RNN: it is the simplest way of
using recurrence. You will now implement it and use it to classify the MNIST-1D digits.

Start with the recurrent cell alone. The fully connected layer that produces the output is added
later, so for now the forward pass returns the hidden states.

****
**Task 2.1:** Create the weight and bias tensors with the correct sizes, as trainable parameters:
\`parameter(shape)\` creates a \`tf.Variable\` (the counterpart of PyTorch's \`nn.Parameter\`). Then
implement the forward pass of a vanilla RNN with TensorFlow.js operations (\`tf.matMul\`, \`tf.add\`,
\`tf.tanh\`, ...): loop over the time steps and push the hidden state of every step onto \`y\`.

[Hint: think about all the architectural hyperparameters and especially about the sizes of the
inputs, the hidden states, the weights and the outputs.]
****`);

  code(solutions.taskCode('VanillaRNN', withSolutions), { task: 'lab8.vanilla' });

  question('2.2', 'What is the shape of the output `y` before transposing? And after?');
  question('2.3', 'What is the total number of parameters (weights and biases) of our network for a given input size $D$ and hidden state size $H$?');
  question('2.4', 'Is it necessary to have two distinct bias tensors $b_{xh}$ and $b_{hh}$?');

  md('We now check that the RNN works: with the same random seed it must reproduce the output of the reference implementation.');
  code(checkCell('vanilla', 'VanillaRNN'), { check: 'lab8.vanilla' });
  feedback('vanilla', 'VanillaRNN');

  md(`You are ready to train the RNN on MNIST-1D. First we load the data and put it in shape as in the
previous labs.`);

  code(`// Load dataset (downloaded once, then read from the course's data folder)
const args = getDatasetArgs();
const data = await getDataset(args, { download: true }); // This is the default setting

// Set the batch size for training & testing
const bSize = 100;

// Convert the MNIST-1D data to tensors: float inputs, integer labels
const tensorsTrain = [tf.tensor2d(data.x), tf.tensor1d(data.y, 'int32')];
const tensorsTest = [tf.tensor2d(data.xTest), tf.tensor1d(data.yTest, 'int32')];

// Create the training set and the test set from the tensors
const trainSet = new TensorDataset(...tensorsTrain);
const testSet = new TensorDataset(...tensorsTest);

// Create data loaders for easier iteration over the data (in order, batches of bSize)
const trainLoader = new DataLoader(trainSet, { batchSize: bSize });
const testLoader = new DataLoader(testSet, { batchSize: bSize });

// Get some data and check its dimensions
const [input, label] = trainLoader.first();

// Check whether the data has the right dimensions
deepStrictEqual(input.shape, [bSize, 40]);
deepStrictEqual(label.shape, [bSize]);

// Display samples from the dataset
const templates = getTemplates();
const fig = plotSignals(templates.x, templates.t, { labels: templates.y,
                        args: getDatasetArgs(), ratio: 2.2, doTransform: true });
showFigure(fig);`, { data: 'lab8' });

  question('2.5', 'What are the sequence length $T$ and the input size $D$ in this context?');

  md(`As in the previous lab, a few *utility* functions make the main code short. They live in the course
library (\`src/lib/training/\`) and were imported in the setup cell:

1. \`train(trainLoader, model, optimizer, criterion)\`: trains the model for **one** epoch and updates
   it (see \`run\`). Needs the training data, the model, the optimizer and the loss function.
   Returns the average loss and the accuracy (in %).
2. \`test(testLoader, model, criterion)\`: evaluates a model on a dataset (training, validation and/or
   test set) without computing gradients. Needs the loader, the model and the loss function.
3. \`run(rnnType, options)\`: to make it easy to try different models, \`run\` lets you choose the type
   of RNN: \`'vanilla'\`, \`'gru'\` or \`'lstm'\` (the GRU and the LSTM come later). The training
   procedure is the one of the previous labs and uses \`train\` and \`test\`. Its options include the
   number of epochs (\`epochs\`, default 100) and of hidden units (\`hiddenSize\`, default 10). It trains
   on the data loaded above (MNIST-1D with the default arguments, batches of 100 in order); other
   loaders can be passed as \`run('gru', { trainLoader: myTrainLoader, testLoader: myTestLoader })\`.

The complete model (including the fully connected output layer) is built inside \`run\`. In turn it
1. unflattens the input (cuts each signal into chunks that are fed to the network one by one; here
   40 chunks of size 1), 2. runs the RNN over them, 3. flattens the output (all hidden states) and
4. maps the flattened hidden states to the 10 class scores with a fully connected layer:

\`\`\`typescript
const model = new Sequential({
  reshape: new Unflatten(1, [40, 1]),
  rnn: new Cell(1, hiddenSize),        // VanillaRNN, GRU or LSTM
  flat: new Flatten(),
  classifier: new Linear(40 * hiddenSize, 10),
});
// Loss function and optimizer (Adam with PyTorch's weight decay: wd * param added to the gradient)
const criterion = crossEntropyLoss;
const optimizer = new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 });

for (let epoch = 0; epoch < epochs; epoch++) {      // with a progress bar
  const [trainLoss, trainAcc] = await train(trainLoader, model, optimizer, criterion);
  const [testLoss, testAcc] = await test(testLoader, model, criterion);
  // update the live charts (Loss and Accuracy; Train_<type> and Test_<type> curves)
  // and append the epoch to this run's log in runs/
}
\`\`\`

One training step inside \`train\` is the TensorFlow.js form of \`zero_grad\`, \`backward\` and \`step\`:
\`optimizer.minimize(() => criterion(model.apply(inputs), labels))\` computes the loss and its gradients
with respect to all parameters (\`tf.variableGrads\`) and updates the parameters. Loss and accuracy
are summed on the backend and read once per epoch.`);

  code(`// The utilities as they are written in the course library (src/lib/training/): run the cell to read them
showSource(train, test, run, runExperiment);`, { source: 'lab8.utilities' });

  md('This is the benefit of the (last) utility function: training a model takes only the following (ONE) line!');
  code("await run('vanilla');", { run: 'lab8.vanilla' });

  md(`The charts above were updated after every epoch. Every run is also logged (one file per run in
\`runs/\`), and \`plotRuns()\` draws all logged runs together: the loss on the left, the accuracy on the
right, training curves dashed and test curves solid. It replaces the TensorBoard cells of the
PyTorch version.`);
  code('// Show all logged runs side by side\nplotRuns();', { plot: 'lab8.runs' });
  code('// To start the comparison from scratch, uncomment and run the following line (it deletes runs/).\n// clearRuns();');

  md(`# 3 Gated Recurrent Units
In theory a simple vanilla RNN can learn long-term dependencies; in practice it often fails to,
because of vanishing or exploding gradients. Just as the number of layers of a deep network does,
the length of the input sequence sets the number of successive multiplications in the chain rule
when the gradients are computed. Long sequences therefore tend to produce gradients that are either
tiny or huge (unless the factors stay close to 1). This decay or explosion of the signal through
the steps hurts the network's ability to learn.

We introduce two more complex types of RNN, designed to learn long-term dependencies. The first is
the *Gated Recurrent Unit* (GRU), a simpler but still dedicated version of the one discussed in the
next section, the *Long Short-Term Memory* (LSTM).

The idea is that the recurrent layer has to learn which *old information to forget or keep* and
which *new information to add* to the hidden state. The first is controlled by the *reset gate*: it
decides which part of the previous hidden state is suppressed and which part passes through. The
reset signal is

$$
\\mathbf{r}^{(t)} = \\sigma \\left( \\mathbf{h}^{(t-1)}\\cdot W_{hr} + \\mathbf{b}_{hr} + \\mathbf{x}^{(t)} \\cdot W_{xr}+ \\mathbf{b}_{xr}\\right).
$$

It is applied by pointwise multiplication with (a linear map of) the previous hidden state. The
*update* gate decides how much of the hidden state is renewed, and is learned through

$$
\\mathbf{z}^{(t)} = \\sigma \\left(  \\mathbf{h}^{(t-1)} \\cdot W_{hz}+ \\mathbf{b}_{hz} +  \\mathbf{x}^{(t)}\\cdot W_{xz} + \\mathbf{b}_{xz}\\right)
$$

where $\\mathbf{z}$ is the *update* signal. With the reset gate we first compute the *candidate*
hidden state

$$
\\mathbf{n}^{(t)} = \\tanh \\left( \\mathbf{r}^{(t)} \\odot \\left( \\mathbf{h}^{(t-1)} \\cdot  W_{hn}+ \\mathbf{b}_{hn} \\right) +  \\mathbf{x}^{(t)} \\cdot W_{xn}+ \\mathbf{b}_{xn}\\right).
$$

The new hidden state then mixes the previous one and the candidate, as decided by the update gate:

$$
\\mathbf{h}^{(t)} = \\underbrace{\\mathbf{z}^{(t)} \\odot \\mathbf{h}^{(t-1)}}_{\\text{resets or puts through}} + \\underbrace{\\left( \\mathbf{1}- \\mathbf{z}^{(t)} \\right) \\odot \\mathbf{n}^{(t)}}_{\\text{adds new information (or not)}}.
$$

A block diagram makes the scheme of a GRU easier to follow.`);

  md(`${figureImg(gruFigure(), 'GRU cell')}\n\n*The GRU cell: both gates and the candidate see the previous hidden state and the current input; $\\odot$ is the elementwise product.*`, { figure: 'lab8.gru' });

  md(`Now you can implement your own GRU.

****
**Task 3.1:** Create the weight and bias tensors with the correct sizes (with \`parameter(shape)\`).
Make sure that the weights and biases are concatenations: \`this.weight_xh = [W_xr | W_xz | W_xn]\`
(the three matrices side by side, so that one matrix product computes all gates). Do the same for
\`this.weight_hh\`, \`this.bias_xh\` and \`this.bias_hh\`. Then implement the forward pass of a GRU.

Hint: the formulas are repeated in the comment above the class (the names may differ slightly).
\`tf.split(t, 3, 1)\` cuts a tensor into three equal parts along dimension 1.
****`);

  code(solutions.taskCode('GRU', withSolutions), { task: 'lab8.gru' });

  md('Now we test our implementation of the GRU.');
  code(checkCell('gru', 'GRU'), { check: 'lab8.gru' });
  feedback('gru', 'GRU');

  md('Now we test the GRU on the MNIST-1D problem.');
  code("await run('gru');", { run: 'lab8.gru' });

  md('The live charts of this run show the earlier runs too. To compare all logged runs in one figure:');
  code('plotRuns();', { plot: 'lab8.runs' });

  question('3.2', 'What do you observe comparing the training curves and accuracies?');

  md(`# 4 Long Short-Term Memories

The LSTM is a type of RNN similar to the GRU, with a slightly more complex architecture. Both
decide at every update which past information to keep or discard and which new information to
add. The names differ: the LSTM's *forget gate* plays a role similar to the GRU's reset gate. The
main difference is an additional internal state, the *cell* state, which keeps track of the *state
of the cell*: it controls what old information is retained or discarded, keeps what is valuable
and receives new knowledge.

Just as in the GRU, the *forget* signal (later multiplied with the previous cell state) is

$$
\\mathbf{f}^{(t)} = \\sigma \\left(  \\mathbf{h}^{(t-1)} \\cdot W_{hf}+ \\mathbf{b}_{hf} +  \\mathbf{x}^{(t)} \\cdot W_{xf}+ \\mathbf{b}_{xf}\\right)
$$

where again $W$ and $\\mathbf{b}$ are learnable parameters. Deciding what new information to add (or
to replace) takes two steps. First the network learns which part of the information is suppressed
or highlighted, through the *input* signal $\\mathbf{i}$. That signal multiplies the *candidate* cell
state $\\mathbf{g}$, computed as before. The *update* signal is therefore

$$
\\begin{aligned}
\\mathbf{z}^{(t)}
&= \\mathbf{i}^{(t)} \\odot \\mathbf{g}^{(t)}\\\\
&= \\sigma \\left(  \\mathbf{h}^{(t-1)} \\cdot W_{hi}+ \\mathbf{b}_{hi} + \\mathbf{x}^{(t)}\\cdot W_{xi}  + \\mathbf{b}_{xi}\\right) \\odot \\tanh \\left(  \\mathbf{h}^{(t-1)}\\cdot W_{hg} + \\mathbf{b}_{hg} + \\mathbf{x}^{(t)}\\cdot W_{xg}  + \\mathbf{b}_{xg}\\right).
\\end{aligned}
$$

Combining the forget part and the update part gives the new cell state

$$
\\mathbf{c}^{(t)} = \\mathbf{f}^{(t)}  \\odot \\mathbf{c}^{(t-1)}  + \\mathbf{z}^{(t)}.
$$

We are not done yet: how does the hidden state follow from the information in the cell state? It is
a filtered version of the cell state, and the filter is again learned from the previous hidden
state and the current input. Unsurprisingly, it is defined as

$$
\\mathbf{h}^{(t)} = \\sigma \\left(  \\mathbf{h}^{(t-1)} \\cdot W_{ho}+ \\mathbf{b}_{ho} +  \\mathbf{x}^{(t)}\\cdot W_{xo} + \\mathbf{b}_{xo}\\right)  \\odot \\tanh \\left( \\mathbf{c}^{(t)} \\right)
$$

where the first factor is the *output* gate $\\mathbf{o}^{(t)}$. The scheme is depicted below (other
texts call the cell state the *memory* state).`);

  md(`${figureImg(lstmFigure(), 'LSTM cell')}\n\n*The LSTM cell: the cell state runs along the top, scaled by the forget gate and increased by the update $\\mathbf{i}\\odot\\mathbf{g}$; the output gate filters $\\tanh(\\mathbf{c}^{(t)})$ into the new hidden state.*`, { figure: 'lab8.lstm' });

  md(`****
**Task 4.1:** Implement your own LSTM in the code cell below (parameters and forward pass), following
the same steps as in Task 3.1. Concatenate the gates in the order $i, f, g, o$:
\`this.weight_xh = [W_xi | W_xf | W_xg | W_xo]\`, and likewise for the other parameters.
****`);

  code(solutions.taskCode('LSTM', withSolutions), { task: 'lab8.lstm' });

  md('Again, test your LSTM.');
  code(checkCell('lstm', 'LSTM'), { check: 'lab8.lstm' });
  feedback('lstm', 'LSTM');

  md('As before, run the LSTM on the same dataset.');
  code("await run('lstm');", { run: 'lab8.lstm' });

  md('Its live charts show all three cell types; `plotRuns()` draws every logged run again.');
  code('plotRuns();', { plot: 'lab8.runs' });

  md(`Well done: you implemented three successful and versatile types of recurrent neural networks. If
you have time left, play with the networks and the training settings, for example
\`await run('gru', { hiddenSize: 32, epochs: 50 })\`.

**That's all for this lab, see you in the next one!**

**Feedback Form:** please fill in the following form to provide feedback: https://forms.office.com/e/ThuxpYzjgf`);

  return cells.finish('lab8');
}

export function notebookJson(withSolutions: boolean): string {
  return notebookText(build(withSolutions).cells, { id: 'lab8', title: 'Lab 8: MNIST-1D with RNN, GRU and LSTM from scratch', instructor: withSolutions });
}

if (isMain(import.meta.url)) {
  generatorMain({ notebook: 'notebooks/lab8_rnn_mnist1d.ipynb', script: 'scripts/notebooks/lab8.ts', json: (withSolutions) => notebookJson(withSolutions), instructor: true }, process.argv.slice(2));
}
