/**
 * Builds notebooks/02_lstm_mnist.ipynb, the TypeScript port of the PyTorch notebook "Improving RNNs
 * with GRU and LSTM" (seed 002: a hand-built LSTM classifying MNIST row by row, trained for one pass
 * with Adam, evaluated on the test set, its computational graph drawn with torchviz), deterministically.
 *
 *   npx tsx scripts/notebooks/lstm-mnist.ts           writes the notebook
 *   npx tsx scripts/notebooks/lstm-mnist.ts --check   fails if the committed notebook is stale
 *
 * A demonstration notebook: no task cells. Code cells carry `metadata.step` (setup, model, data,
 * train, test, graph, graph-short), the figure `metadata.figure`, the quoted PyTorch outputs
 * `metadata.reference`.
 */
import { lstmCellFigure } from './lstm-mnist-figures.js';
import { CellList, type Cell, type Meta, figureImg, generatorMain, isMain, notebookText, root } from './builder.js';

export const NOTEBOOK = `${root}notebooks/02_lstm_mnist.ipynb`;


/** The PyTorch outputs of the original notebook, verbatim (the tests compare them with the seed). */
export const SEED_OUTPUTS = {
  train: [
    'The loss at Batch 0 is 2.302553653717041',
    'Accuracy for Batch at 0 is 11.00%',
    'The loss at Batch 100 is 1.7761597633361816',
    'Accuracy for Batch at 100 is 47.00%',
    'The loss at Batch 200 is 1.7102913856506348',
    'Accuracy for Batch at 200 is 57.00%',
    'The loss at Batch 300 is 1.6082502603530884',
    'Accuracy for Batch at 300 is 72.00%',
    'The loss at Batch 400 is 1.5405768156051636',
    'Accuracy for Batch at 400 is 86.00%',
    'The loss at Batch 500 is 1.5157616138458252',
    'Accuracy for Batch at 500 is 82.00%',
  ],
  test: ['We got a loss of 1.543831467628479 on our test set', 'The accuracy on our test set is 84.71'],
  graph: ["'MNIST classification LSTM.png'"],
} as const;

function reference(lines: readonly string[]): string {
  return ['```', ...lines, '```'].join('\n');
}

function build(): { cells: Cell[] } {
  const cells = new CellList();
  const md = (text: string, metadata?: Meta) => cells.md(text, metadata);
  const code = (text: string, metadata?: Meta) => cells.code(text, metadata);

  md(`### Improving RNNs with GRU and LSTM

Plain recurrent networks have well-known weaknesses, above all gradients that vanish or explode as
they are propagated back through many time steps. An RNN applies one and the same cell between
consecutive time steps, so the cure can be a better cell, much as a standard network can be given a
custom layer. The two classic cells of this kind are the \`Gated Recurrent Unit\` (GRU) and the
\`Long-Short-Term-Memory\` (LSTM), and both have shaped machine-learning research ever since. We want
to see how such a cell is implemented by hand, the same way the \`BasicRNN\` was.

*This notebook builds the LSTM; like the original, it does not go on to the GRU. A GRU written from
scratch is part of Lab 8 (\`lab8_rnn_mnist1d.ipynb\`, Section 3).*`);

  md(`#### About this TypeScript version

This is the TypeScript port of a PyTorch notebook. It runs on the **tslab** kernel and computes with
**TensorFlow.js** (tfjs); the course library \`rnn-course-kit\` provides the PyTorch-like pieces
(\`Module\`, \`parameter\`, \`Linear\`, \`Sigmoid\`, \`crossEntropyLoss\`, \`Adam\`, the MNIST loader and
\`makeDot\`, a stand-in for torchviz). The outputs quoted under *Reference (PyTorch)* are the original
notebook's; the cells here print their own numbers, which differ from them because the initial
weights differ (see the remarks on the model), floating-point sums are taken in another order, and
on a machine without internet access the course mirror has only 24,000 of the 60,000 training images.

By default the notebook trains as the original does: one pass over all batches. Two settings
(environment variables, set before starting Jupyter) change that: \`RNNKIT_BATCHES=<n>\` stops the
pass after *n* batches and \`RNNKIT_QUICK=1\` after 10 (tests and CI use them). \`RNNKIT_OUTPUT_DIR\`
is the folder the graph drawing of the last section is written to (default: this notebook's folder).`);

  md(`##### Long-Short-Term-Memory (LSTM)

For an overview, see https://en.wikipedia.org/wiki/Long_short-term_memory and the original paper
https://www.researchgate.net/publication/13853244_Long_Short-Term_Memory.

- The idea: an additional LSTM cell, whose gates make the network learn that some things are not
  worth remembering.
- This goes a long way towards solving the vanishing-gradient problem; exploding gradients are still
  not solved.

The LSTM cell below (the original shows the one from Wikipedia) enforces this. $h_t$ is our usual
hidden state, $c_t$ the memory (cell) state at time $t$ and $x_t$ our input at time $t$. One key
difference from the RNN before: $h_t$ is also the output of the model at time $t$; there is no
separate output.`);

  md(`${figureImg(lstmCellFigure(), 'An LSTM cell')}\n\n*The LSTM cell (drawn for this notebook after the Wikipedia figure \`LSTM_Cell.svg\` that the original shows): the cell state runs along the top, scaled by the forget gate and increased by $i_t \\odot g_t$; the output gate filters $\\tanh(c_t)$ into the new hidden state $h_t$, which leaves the cell as its output and as the state for the next step.*`, { figure: 'lstm-mnist.cell' });

  md(`Written out with the names of the parameters in the code below (row vectors, so the inputs multiply
the weights from the left; $\\sigma$ is the logistic sigmoid, $\\odot$ the elementwise product):

$$
\\begin{aligned}
i_t &= \\sigma\\left(x_t W_{ii} + h_{t-1} W_{hi} + b_i\\right) && \\text{input gate}\\\\
f_t &= \\sigma\\left(x_t W_{if} + h_{t-1} W_{hf} + b_f\\right) && \\text{forget gate}\\\\
g_t &= \\tanh\\left(x_t W_{ig} + h_{t-1} W_{hg} + b_g\\right) && \\text{cell candidate}\\\\
o_t &= \\sigma\\left(x_t W_{io} + h_{t-1} W_{ho} + b_o\\right) && \\text{output gate}\\\\
c_t &= f_t \\odot c_{t-1} + i_t \\odot g_t && \\text{update of the cell}\\\\
h_t &= o_t \\odot \\tanh\\left(c_t\\right) && \\text{new hidden state}
\\end{aligned}
$$

starting from $h_0 = c_0 = 0$.`);

  md(`Let's look at an example: we implement a basic LSTM network followed by a standard linear layer, to
see how recurrent networks can be used for images too. Each 28×28 MNIST image is read as a sequence
of 28 row vectors of 28 pixels, one row per time step. A convolutional network often does better on
images, but it is still nice to see that a recurrent network can solve an image classification task.

To make training faster we do not implement it the way we did the \`RNN\` (one sequence at a time) but
process whole batches at once, which makes the code a bit less readable but much faster.`);

  code(`// The PyTorch imports and their counterparts here
import * as tf from '@tensorflow/tfjs';            // torch: tensors and automatic differentiation
import {
  setupBackend,
  Module, parameter, Linear, Sigmoid,              // torch.nn: nn.Module, nn.Parameter, nn.Linear, nn.Sigmoid
  crossEntropyLoss,                                // nn.CrossEntropyLoss()
  Adam,                                            // torch.optim.Adam
  manualSeed, uniform_,                            // torch.manual_seed, Tensor.uniform_ (PyTorch's generator)
  loadMnistTensors,                                // torchvision.datasets.MNIST with transforms.ToTensor()
  makeDot,                                         // torchviz.make_dot
  batchesSetting,                                  // RNNKIT_BATCHES / RNNKIT_QUICK (see above)
} from 'rnn-course-kit';
// (The original also imports matplotlib but plots nothing.)

// Pick the fastest TensorFlow.js backend available here and show which one is active
const backend = await setupBackend();`, { step: 'setup' });

  md(`The model in TypeScript. \`basicLSTM\` is a \`Module\` (the counterpart of \`nn.Module\`); \`parameter(shape)\`
creates a trainable \`tf.Variable\`, tfjs's \`nn.Parameter\`, and \`namedParameters()\` lists the parameters
in the order they were assigned, as \`named_parameters()\` does (\`lstm.W_ii\`, ..., \`lstm_out.weight\`,
\`lstm_out.bias\`). The forward pass uses tfjs operations: \`tf.matMul\` for \`@\`, \`tf.add\` for \`+\`,
\`tf.mul\` for \`*\`, \`tf.sigmoid\`, \`tf.tanh\`, and \`tf.gather(x, t, 1)\` for \`x[:, t, :]\`. A module is
called with \`model.apply(x)\` (PyTorch's \`model(x)\`).

Three remarks on the original code:

- **Initial values.** \`nn.Parameter(torch.Tensor(input_dim, hidden_dim))\` allocates memory but does
  not initialise it: the original's LSTM starts from whatever that memory held (often zeros or tiny
  numbers, but it may be huge values or even NaN), so its run cannot be repeated exactly. Here every
  LSTM parameter is drawn uniformly from $[-1/\\sqrt{H}, 1/\\sqrt{H}]$ with $H = 128$ (about ±0.088),
  which is what PyTorch's own \`nn.LSTM\` does. Small values keep the sigmoids and tanh in their
  sensitive range at the start; random ones make the hidden units start out different (with zeros,
  every gate would start at $\\sigma(0) = 0.5$ and all hidden units would compute the same thing).
  \`uniform_\` draws from a generator that reproduces PyTorch's CPU generator, and \`manualSeed(0)\`
  before the model is built makes every run start from the same weights: the ones PyTorch draws after
  \`torch.manual_seed(0)\` with the same \`uniform_\` calls. \`Linear\` initialises itself as \`nn.Linear\`.
- **\`hidde_dim\`.** The original's constructors name their argument \`hidde_dim\` (a typo), and
  \`basicLSTM\` then reads the global \`hidden_dim\` instead of the argument. That works only because
  both are 128; the port uses the argument. (\`MNISTLSMT\` is the original's spelling, kept.)
- **Memory.** tfjs frees tensors only when told to. \`apply\` runs a forward pass inside \`tf.tidy\`, and
  every time step below runs in a \`tf.tidy\` of its own, which frees the gate values of the step as
  soon as $h_t$ and $c_t$ are computed (while gradients are being taken, tfjs keeps what the backward
  pass needs). Without it, evaluating 10,000 test images would hold several gigabytes of intermediate values.`);

  code(`//constants we need

const input_dim = 28; // we take every image as a sequence of 28 row vectors.
const hidden_dim = 128;
const classes_amount = 10; // 10 digits

class basicLSTM extends Module {
  hidden_dim: number;
  input_dim: number;

  // Parameters we want to train, i = input, h = hidden, f = forget gate, o = output, g = cell candidate to update cell
  // because we have so many variables in our class, we are just going to stick to the classic activations and not have them as custom ones
  W_ii: tf.Variable;
  W_hi: tf.Variable;
  b_i: tf.Variable;

  W_if: tf.Variable;
  W_hf: tf.Variable;
  b_f: tf.Variable;

  W_ig: tf.Variable;
  W_hg: tf.Variable;
  b_g: tf.Variable;

  W_io: tf.Variable;
  W_ho: tf.Variable;
  b_o: tf.Variable;

  constructor(input_dim: number, hidden_dim: number) {
    super();
    this.hidden_dim = hidden_dim;
    this.input_dim = input_dim;

    this.W_ii = parameter([input_dim, hidden_dim]);
    this.W_hi = parameter([hidden_dim, hidden_dim]);
    this.b_i = parameter([hidden_dim]);

    this.W_if = parameter([input_dim, hidden_dim]);
    this.W_hf = parameter([hidden_dim, hidden_dim]);
    this.b_f = parameter([hidden_dim]);

    this.W_ig = parameter([input_dim, hidden_dim]);
    this.W_hg = parameter([hidden_dim, hidden_dim]);
    this.b_g = parameter([hidden_dim]);

    this.W_io = parameter([input_dim, hidden_dim]);
    this.W_ho = parameter([hidden_dim, hidden_dim]);
    this.b_o = parameter([hidden_dim]);

    // Initial values (the original leaves them uninitialised): like nn.LSTM, every parameter
    // uniform in [-1/sqrt(hidden_dim), 1/sqrt(hidden_dim)], drawn in the order they were created
    const bound = 1 / Math.sqrt(hidden_dim);
    for (const [, p] of this.namedOwnParameters()) uniform_(p, -bound, bound);
  }

  forward(x: tf.Tensor): tf.Tensor {
    //shape of x is supposed to be (batch, seq_length, input_dim)
    const [batch, seq_length] = x.shape as [number, number, number];

    let h_t: tf.Tensor = tf.zeros([batch, this.hidden_dim]);
    let c_t: tf.Tensor = tf.zeros([batch, this.hidden_dim]);

    //now, similar to the RNN implementation, we are going to go through the cell sequentially

    for (let t = 0; t < seq_length; t++) {
      // one time step; tf.tidy frees its intermediate tensors and keeps the new h_t and c_t
      [h_t, c_t] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
        const x_t = tf.gather(x, t, 1); // extract t-th timestep: x[:, t, :]

        //input gate, since x_t, h_t etc. are row vectors (per batch) we multiply them from the left
        const i_t = tf.sigmoid(tf.add(tf.add(tf.matMul(x_t, this.W_ii), tf.matMul(h_t, this.W_hi)), this.b_i));
        //forget gate
        const f_t = tf.sigmoid(tf.add(tf.add(tf.matMul(x_t, this.W_if), tf.matMul(h_t, this.W_hf)), this.b_f));
        //cell candidate for update
        const g_t = tf.tanh(tf.add(tf.add(tf.matMul(x_t, this.W_ig), tf.matMul(h_t, this.W_hg)), this.b_g));
        //output
        const o_t = tf.sigmoid(tf.add(tf.add(tf.matMul(x_t, this.W_io), tf.matMul(h_t, this.W_ho)), this.b_o));

        const c_next = tf.add(tf.mul(f_t, c_t), tf.mul(i_t, g_t)); //update cell

        // Update hidden state
        const h_next = tf.mul(o_t, tf.tanh(c_next));
        return [h_next, c_next];
      });
    }
    return h_t;
  }
}

//above we had the basic LSTM, now, lets get the classification working
class MNISTLSMT extends Module {
  lstm: basicLSTM;
  lstm_out: Linear;
  act_out: Sigmoid;

  constructor(input_dim: number, hidden_dim: number, classes_amount: number) {
    super();
    this.lstm = new basicLSTM(input_dim, hidden_dim);
    this.lstm_out = new Linear(hidden_dim, classes_amount);
    this.act_out = new Sigmoid();
  }

  forward(x: tf.Tensor): tf.Tensor {
    x = x.reshape([-1, 28, 28]);
    const out = this.lstm.apply(x);
    return this.act_out.apply(this.lstm_out.apply(out));
  }
}`, { step: 'model' });

  md(`Next the data, the model, the loss and the optimiser, and one pass over the training set: batches
of 100 images, Adam with learning rate 0.01, the loss and the accuracy of the current batch printed
every 100 batches.

- \`loadMnistTensors\` plays the part of \`torchvision.datasets.MNIST(..., transform=ToTensor(),
  download=True)\`: it downloads the files once into the course's data folder (or takes them from the
  mirror set by \`RNNKIT_DATA_MIRROR\`) and returns the images as a float32 tensor [N, 28, 28] and the
  labels as int32 [N]. The original then ignores the transform and normalises the raw bytes
  \`train_dataset.data\` (0 to 255) by their own mean and standard deviation; the loader's images are
  those bytes divided by 255, and since the normalisation divides by the data's own spread, the
  result is the same.
- \`torch.std\` divides by $N - 1$ (the unbiased estimate); tfjs has no such function (\`tf.moments\`
  divides by $N$), so the cell defines it.
- The number of batches comes from the data: 60000 / 100 = 600 for the official training set. (A
  machine without internet access may have only part of it: the course mirror holds the first
  24,000 training images, 240 batches.)
- \`optimizer.minimize(f)\` is \`zero_grad()\`, \`backward()\` and \`step()\` in one: it runs \`f\` (the
  forward pass and the loss) with tfjs's gradient tape on, computes the gradients of the loss with
  respect to every parameter and takes one Adam step. tfjs computes fresh gradients each time, so
  there is nothing to zero. The forward pass has to happen inside \`f\` to be differentiated; the
  outputs are kept (\`tf.keep\`) for the accuracy.
- Reading a number from a tensor (\`dataSync()\`, PyTorch's \`.item()\`) waits until the backend has
  computed it, so the loop reads the loss and the number of correct predictions only when it prints
  them. No tensor outlives its batch: intermediate ones are freed by \`tf.tidy\`, the rest by
  \`tf.dispose\` at the end of the batch (a training loop that leaks a tensor per batch runs out of
  memory eventually).`);

  code(`const batch_size = 100;
const learning_rate = 0.01;

// torchvision.datasets.MNIST(root='./data', train=True/False, transform=transforms.ToTensor(), download=True)
const train_dataset = await loadMnistTensors({ train: true });
const test_dataset = await loadMnistTensors({ train: false });

//for the batching, we could also use a DataLoader, but for now lets keep it step by step and implement our own "dataloader"
const train_labels_all = train_dataset.labels;
const train_data_all = train_dataset.images; // already float32 (the original: train_data.type(torch.float32))

// torch.std(x): the standard deviation of all values, divided by N - 1
const std = (x: tf.Tensor) => tf.tidy(() => tf.sqrt(tf.div(tf.sum(tf.square(tf.sub(x, tf.mean(x)))), x.size - 1)));

//normalize
const train_data_normalized = tf.tidy(() => tf.div(tf.sub(train_data_all, tf.mean(train_data_all)), std(train_data_all)));

//batching: [num_batches, batch_size, 28, 28], as many whole batches as the data holds (60000 / batch_size in the original)
const num_batches = Math.floor(train_data_normalized.shape[0] / batch_size);
const train_labels = tf.tidy(() => train_labels_all.slice(0, num_batches * batch_size).reshape([num_batches, batch_size]));
const train_data = tf.tidy(() => train_data_normalized.slice(0, num_batches * batch_size).reshape([num_batches, batch_size, 28, 28]));
console.log(\`\${train_data_normalized.shape[0]} training images: \${num_batches} batches of \${batch_size}\`);`, { step: 'data' });

  code(`manualSeed(0); // the same initial weights in every run (see the remarks on the model)
const model = new MNISTLSMT(input_dim, hidden_dim, classes_amount);
const lossfunction = crossEntropyLoss; //classification loss
const optimizer = new Adam(model.parameters(), learning_rate);

// every batch by default; RNNKIT_BATCHES=<n> or RNNKIT_QUICK=1 stop the pass early
const batches_to_run = batchesSetting(train_data.shape[0]);

for (let i = 0; i < batches_to_run; i++) {
  const images = tf.gather(train_data, i); // train_data[i]
  const labels = tf.gather(train_labels, i);

  // Forward pass, backward and optimize
  let outputs!: tf.Tensor;
  const loss = optimizer.minimize(() => {
    outputs = tf.keep(model.apply(images));
    return lossfunction(outputs, labels);
  });

  const predicted = tf.argMax(outputs, 1); // _, predicted = torch.max(outputs, 1)
  const correct = tf.tidy(() => tf.sum(tf.equal(predicted, labels))); // (predicted == labels).sum(); tidy frees the comparison

  if (i % 100 === 0) {
    const total_correct = correct.dataSync()[0]!;
    console.log(\`The loss for Batch \${i} is \${loss.dataSync()[0]}\`);
    console.log(\`Accuracy for Batch \${i} is \${(total_correct / batch_size * 100).toFixed(2)}%\`);
  }
  tf.dispose([images, labels, outputs, loss, predicted, correct]);
}`, { step: 'train' });

  md(`**Reference (PyTorch).** The original printed, over the 600 batches of the full training set:

${reference(SEED_OUTPUTS.train)}

(The recorded output was made by a slightly different version of the print statements, with "at
Batch" and \`loss.item()\`; printing \`loss\` itself, as the code shown does, gives \`tensor(2.3026,
grad_fn=<NllLossBackward0>)\`. The port prints the value.) The first loss, 2.3026, is $\\ln 10$: at the
start the ten outputs are about equal, a uniform guess. The loss then levels off around 1.5, for a
reason in the model: the Sigmoid squeezes the ten outputs into $(0, 1)$ before \`CrossEntropyLoss\`
applies its softmax, so even a perfectly confident prediction (1 for the right class, 0 for the others)
has a loss of $\\ln(1 + 9/e) \\approx 1.461$. That is also why the loss moves little while the accuracy
still improves a lot.`, { reference: 'train' });

  md(`Now the test set, as in the original: all 10,000 test images in one forward pass, normalised with the
test set's own mean and standard deviation (the training set's statistics would be the usual choice;
here they are nearly the same). \`tf.expandDims(x, -1)\` is \`unsqueeze(-1)\`; the model's \`reshape\`
removes that dimension again.`);

  code(`//Lets test our Model
const test_data = tf.tidy(() => {
  const x = tf.expandDims(test_dataset.images, -1); // .type(torch.float32).unsqueeze(-1): [10000, 28, 28, 1]
  return tf.div(tf.sub(x, tf.mean(x)), std(x));
});
const test_labels = test_dataset.labels;

const out = model.apply(test_data);

const loss = lossfunction(out, test_labels);
const predicted = tf.argMax(out, 1);
const total_correct = tf.tidy(() => tf.sum(tf.equal(predicted, test_labels)).dataSync()[0]!);

console.log(\`We got a loss of \${loss.dataSync()[0]} on our test set\`);
console.log(\`The accuracy on our test set is \${(total_correct / test_data.shape[0] * 100).toFixed(2)}%\`);`, { step: 'test' });

  md(`**Reference (PyTorch).** The original, after its 600 batches:

${reference(SEED_OUTPUTS.test)}

(an accuracy of 84.71 %; the recorded output has no "%" sign, the code shown prints one).`, { reference: 'test' });

  md(`Finally the computational graph, which the original draws with torchviz:
\`make_dot(out.mean(), params=dict(model.named_parameters()))\` follows the \`grad_fn\` chain that PyTorch
keeps on every tensor computed from parameters, and \`.render("MNIST classification LSTM", format="png")\`
writes the drawing to a file.

A tfjs tensor carries no such chain: tfjs records the operations on its *gradient tape* only while a
gradient is being taken, and drops the tape afterwards. \`makeDot(f, { params })\` therefore runs the
computation \`f\` once more with the tape on, keeps the operations that lead from a parameter to the
result (the data and the zero initial states are not drawn, as in torchviz), and draws them top to
bottom: grey boxes are operations (tfjs kernel names with the output's shape), light-blue boxes the
parameters with their names and shapes, the green box the output. Two choices keep it manageable:

- It records one batch of test images, the first 100, not all 10,000: the graph is the same for any
  number of images (only the first dimension of the shapes changes), and recording keeps every value
  the backward pass would need, which for 10,000 images would take gigabytes.
- With 28 time steps the graph has 704 operations, too many to read on screen: the next cell writes
  the complete drawing to a file (an SVG, and its graphviz source \`.gv\`; there is no graphviz here to
  make a png) and prints what it contains; the cell after it *shows* the graph of the same model over
  the first 3 rows of the images, 3 time steps instead of 28. Every further step repeats the same
  block. A parameter is drawn again (dashed) at each step that uses it, instead of sending one long
  edge from the top to each of its 28 uses.`);

  code(`// make_dot(out.mean(), params=dict(model.named_parameters())).render("MNIST classification LSTM", format="png")
const test_batch = test_data.slice(0, batch_size); // the first batch of test images
const dot = makeDot(() => model.apply(test_batch).mean(), { params: model.namedParameters(), title: 'MNIST classification LSTM' });
console.log(dot.summary());
dot.render('MNIST classification LSTM', { format: 'svg' });`, { step: 'graph' });

  md(`**Reference (PyTorch).** The original's cell returned the name of the file it wrote:

${reference(SEED_OUTPUTS.graph)}

Here the cell prints a summary of the graph: 28 steps × (8 matrix products, 9 additions, 3 sigmoids,
2 tanh, 3 products) plus the linear layer (a matrix product and an addition), the final sigmoid and
the mean. torchviz would name the same nodes \`MmBackward0\`, \`AddBackward0\`, \`SigmoidBackward0\`,
\`TanhBackward0\`, \`MulBackward0\` and \`MeanBackward0\` (and the linear layer's product and addition one
\`AddmmBackward0\`, with a \`TBackward0\` for the transposed weight), and draw one \`AccumulateGrad\` box per parameter.`, { reference: 'graph' });

  code(`// The same model over the first 3 rows of each image: 3 time steps instead of 28, small enough to read
const first_rows = tf.tidy(() => test_batch.slice([0, 0, 0, 0], [-1, 3, -1, -1]).reshape([batch_size, 3, input_dim]));
const dot_short = makeDot(() => model.act_out.apply(model.lstm_out.apply(model.lstm.apply(first_rows))).mean(),
                          { params: model.namedParameters(), title: 'MNIST classification LSTM, first 3 of 28 time steps' });
dot_short.show();`, { step: 'graph-short' });

  md(`Reading the graph from the top: in each step, the input row and the previous hidden state are multiplied
with the eight weight matrices (\`BatchMatMul\`); pairs of products are added and the bias is added
(\`Add\`); three sigmoids and a tanh give $i_t$, $f_t$, $o_t$ and $g_t$; the two products and the sum
(\`Multiply\`, \`Add\`) give the new cell state, whose tanh times $o_t$ is the new hidden state, the input
of the next step. After the last step come the linear layer, the sigmoid and the mean. In the first
step the products with $h_0 = 0$ are there too: the code computes them, and they depend on the
parameters $W_{h\\cdot}$. The backward pass runs through this graph from the bottom up: a gradient on
its way to step 1 passes back through all 27 later steps. That long chain of products is where
gradients vanish or explode; along the cell state the chain consists only of multiplications by the
forget gates and additions, which makes it easier for the LSTM to keep a gradient alive.`);

  return cells.finish('lstm-mnist');
}

export function notebookJson(): string {
  return notebookText(build().cells, { id: 'lstm-mnist', title: 'Improving RNNs with GRU and LSTM: an LSTM from scratch on MNIST', instructor: false });
}

if (isMain(import.meta.url)) {
  generatorMain({ notebook: 'notebooks/02_lstm_mnist.ipynb', script: 'scripts/notebooks/lstm-mnist.ts', json: () => notebookJson(), instructor: false }, process.argv.slice(2));
}
