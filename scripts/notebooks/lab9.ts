/**
 * Builds notebooks/lab9_rnn_lstm_mnist.ipynb (Lab sheet 9: MNIST with the library's RNN and a
 * two-layer LSTM, the seed's own train/evaluate functions), the TypeScript port of seed 004,
 * deterministically.
 *
 *   npx tsx scripts/notebooks/lab9.ts           writes the notebook
 *   npx tsx scripts/notebooks/lab9.ts --check   fails if the committed notebook is stale
 *
 * The lab has no tasks (the seed has no START/END markers): the model classes and the train and
 * evaluate functions are the lesson and stand in the code cells as they are. The PyTorch figures
 * quoted at the end come from test/fixtures/lab9/lab9_reference.json
 * (scripts/reference/lab9_reference.py: the seed's code in PyTorch 1.13 on the course mirror).
 */
import { readFileSync } from 'node:fs';
import { CellList, type Cell, type Meta, generatorMain, isMain, notebookText, root } from './builder.js';



// ---------------------------------------------------------------- the PyTorch reference

interface ModelRun {
  epochs: { loss: number; accuracy: number; seconds: number }[];
  testAccuracy: number;
  evalSeconds: number;
}
interface LabRun {
  epochs: number;
  batches: number;
  image: { batchIndex: number; label: number; sum: number };
  rnn: ModelRun;
  lstm: ModelRun;
}
export interface Lab9Reference {
  torch: string;
  threads: number;
  trainCount: number;
  testCount: number;
  batchSize: number;
  lr: number;
  seed: number;
  quick: LabRun;
  full: LabRun | null;
}

export const reference = JSON.parse(readFileSync(`${root}test/fixtures/lab9/lab9_reference.json`, 'utf8')) as Lab9Reference;

function referenceNote(model: 'rnn' | 'lstm', name: string): string {
  const full = reference.full;
  if (!full) throw new Error('test/fixtures/lab9/lab9_reference.json has no full run: run scripts/reference/lab9_reference.py without --quick-only');
  const r = full[model];
  const last = r.epochs[r.epochs.length - 1]!;
  const lines = r.epochs.map((e, i) => `Epoch [${i + 1}/${full.epochs}], Loss: ${e.loss.toFixed(4)}, Accuracy: ${e.accuracy.toFixed(2)}%`);
  return `For comparison: the PyTorch version of this lab sheet (PyTorch ${reference.torch.replace(/a0$/, '')}, the same ${name} code,
\`torch.manual_seed(0)\`, the ${reference.trainCount.toLocaleString('en-US')} training images of the course's offline data mirror) printed

\`\`\`
${lines.join('\n')}
Test Accuracy: ${r.testAccuracy.toFixed(2)}%
\`\`\`

so expect a training accuracy near ${last.accuracy.toFixed(0)}% and a test accuracy near ${r.testAccuracy.toFixed(0)}% after 5 epochs. On the
same images this notebook follows PyTorch closely; with the full training set (60,000 images,
what a machine with internet access downloads) the numbers come out a little different.`;
}

// ---------------------------------------------------------------- cells

function build(): { cells: Cell[] } {
  const cells = new CellList();
  const md = (text: string, metadata?: Meta) => cells.md(text, metadata);
  const code = (text: string, metadata?: Meta) => cells.code(text, metadata);

  md(`# Lab sheet - 9 (04 - 05 APR 2025)

Ported to TypeScript for the RNN course kit: the notebook runs on the **tslab** kernel, computes
with **TensorFlow.js** and draws with **plotly**. \`RNN\`, \`LSTM\`, \`Linear\`, \`Adam\` and \`DataLoader\`
come from the course library and behave like their PyTorch namesakes (same parameters, same
initialisation, same update rule, same shuffling).

*Instructors and CI:* the environment variables \`RNNKIT_EPOCHS=<n>\` and \`RNNKIT_BATCHES=<n>\` shorten
training to at most n epochs of at most n batches; without them the notebook trains as the lab
sheet does (5 epochs over all batches).`);

  md(`# Setup and Import Dependencies
First, we import the libraries and modules we need: TensorFlow.js for the tensors and the automatic
differentiation, and the course library for the layers, the optimiser, the data and the plots.`);

  code(`import * as tf from '@tensorflow/tfjs';
import {
  setupBackend, manualSeed, Module, RNN, LSTM, Linear, Adam, crossEntropyLoss, type Criterion,
  loadMnistTensors, TensorDataset, DataLoader, showFigure, ProgressBar, epochsSetting, batchesSetting,
} from 'rnn-course-kit';

// The lab sheet sets no seed; with one, every run draws the same batches and initial weights,
// the same as PyTorch after torch.manual_seed(0)
manualSeed(0);

// Pick the fastest TensorFlow.js backend available here and show which one is active
const backend = await setupBackend();`, { setup: 'lab9' });

  md(`# Load the MNIST Dataset
We load MNIST with the course library (it downloads the files once and keeps them in the course's
data folder). Two transformations turn the images into what the networks read, as
\`transforms.Compose([ToTensor(), Normalize((0.5,), (0.5,))])\` does in PyTorch: \`ToTensor\` divides the
pixel values by 255, which puts them in $[0, 1]$, and \`Normalize((0.5,), (0.5,))\` then computes
$(x - 0.5) / 0.5$, which maps them to $[-1, 1]$. Each image is a tensor of shape $[28, 28]$.`);

  code(`// Transform to normalize the data: ToTensor (pixels / 255, in [0, 1]), then
// Normalize((0.5,), (0.5,)): (x - 0.5) / 0.5, in [-1, 1]
const transform = { normalize: { mean: 0.5, std: 0.5 } };

// Load MNIST training and test datasets: images [N, 28, 28] (float32), labels [N] (int32)
const trainData = await loadMnistTensors({ train: true, ...transform });
const testData = await loadMnistTensors({ train: false, ...transform });
const trainset = new TensorDataset(trainData.images, trainData.labels);
const testset = new TensorDataset(testData.images, testData.labels);

// DataLoader for batching. drawBaseSeed: the test loader draws from the random generator at every
// pass, as PyTorch's DataLoader does, so that the random numbers stay in step with PyTorch's
const trainloader = new DataLoader(trainset, { batchSize: 64, shuffle: true });
const testloader = new DataLoader(testset, { batchSize: 64, shuffle: false, drawBaseSeed: true });

console.log(\`\${trainset.length} training images (\${trainloader.length} batches), \${testset.length} test images (\${testloader.length} batches)\`);`, { data: 'lab9' });

  code(`// obtain one batch of training images (PyTorch: next(iter(trainloader)))
const [images, labels] = trainloader.first();
const imagesArray = (await images.array()) as number[][][];

// get one image from the batch: a 28 x 28 array. (PyTorch's batch has a channel dimension,
// [64, 1, 28, 28], which np.squeeze removes; here the batch is [64, 28, 28].)
const img = imagesArray[9];
const label = ((await labels.array()) as number[])[9];

// imshow(img, cmap='gray'): a heatmap from black (lowest value) to white (highest), row 0 at the top
showFigure({
  data: [{ type: 'heatmap', z: img, colorscale: [[0, 'black'], [1, 'white']], showscale: false }],
  layout: {
    title: { text: \`Training image 9 of the first batch (label \${label})\` },
    width: 420, height: 420,
    xaxis: { constrain: 'domain' },
    yaxis: { autorange: 'reversed', scaleanchor: 'x', constrain: 'domain' },
  },
});`, { image: 'lab9' });

  md(`# Define the RNN Model
We define a simple RNN architecture for digit classification. The RNN reads the 28 rows of a 28x28
image one after the other as a sequence: each row is one time step with 28 inputs. A fully
connected layer maps the RNN's output at the last time step (its hidden state after the last row)
to the 10 class scores.

The library's layers follow PyTorch: \`new RNN(28, 128, { batchFirst: true })\` is
\`nn.RNN(28, 128, batch_first=True)\`, and \`rnn.call(x)\` returns \`[output, hN]\` as \`rnn(x)\` returns
\`(output, h_n)\`, with \`output\` of shape [batch, time steps, hidden size]. \`new Linear(128, 10)\` is
\`nn.Linear(128, 10)\`. \`model.apply(x)\` runs a module's \`forward\`, like \`model(x)\` in PyTorch.`);

  code(`class RNN_Model extends Module {
  readonly rnn: RNN;
  readonly fc: Linear;

  constructor(inputSize = 28, hiddenSize = 128, numClasses = 10) {
    super();
    this.rnn = new RNN(inputSize, hiddenSize, { batchFirst: true });
    this.fc = new Linear(hiddenSize, numClasses);
  }

  forward(x: tf.Tensor): tf.Tensor {
    const [out] = this.rnn.call(x); // out: [batch, 28, hiddenSize], the output of every time step
    const [batch, steps, hidden] = out.shape;
    // Use the output of the last time-step (out[:, -1, :] in PyTorch)
    const last = out.slice([0, steps - 1, 0], [batch, 1, hidden]).reshape([batch, hidden]);
    return this.fc.apply(last);
  }
}`, { model: 'lab9.rnn' });

  md(`# LSTM
A common variant of the vanilla RNN is the Long Short-Term Memory (LSTM) RNN. Vanilla RNNs can be hard
to train on long sequences because of vanishing and exploding gradients, caused by the repeated
multiplication by the same matrix. LSTMs solve this problem by replacing the simple update rule of the vanilla RNN with a gating
mechanism, as follows.

As in the vanilla RNN, at each time step we receive an input $x_t\\in\\mathbb{R}^D$ and the previous
hidden state $h_{t-1}\\in\\mathbb{R}^H$; the LSTM also maintains an $H$-dimensional *cell state*, so we
also receive the previous cell state $c_{t-1}\\in\\mathbb{R}^H$. The learnable parameters of the LSTM
are an *input-to-hidden* matrix $W_x\\in\\mathbb{R}^{4H\\times D}$, a *hidden-to-hidden* matrix
$W_h\\in\\mathbb{R}^{4H\\times H}$ and a *bias vector* $b\\in\\mathbb{R}^{4H}$.

At each time step we first compute an *activation vector* $a\\in\\mathbb{R}^{4H}$ as
$a=W_xx_t + W_hh_{t-1}+b$. We then divide it into four vectors $a_i,a_f,a_o,a_g\\in\\mathbb{R}^H$,
where $a_i$ consists of the first $H$ elements of $a$, $a_f$ of the next $H$ elements, and so on. From
them we compute the *input gate* $i\\in\\mathbb{R}^H$, the *forget gate* $f\\in\\mathbb{R}^H$, the
*output gate* $o\\in\\mathbb{R}^H$ and the *block input* $g\\in\\mathbb{R}^H$ as

$$
i = \\sigma(a_i) \\hspace{2pc}
f = \\sigma(a_f) \\hspace{2pc}
o = \\sigma(a_o) \\hspace{2pc}
g = \\tanh(a_g)
$$

where $\\sigma$ is the sigmoid function and $\\tanh$ is the hyperbolic tangent, both applied elementwise.

Finally we compute the next cell state $c_t$ and the next hidden state $h_t$ as

$$
c_{t} = f\\odot c_{t-1} + i\\odot g \\hspace{4pc}
h_t = o\\odot\\tanh(c_t)
$$

where $\\odot$ is the elementwise product of vectors.

The text this explanation comes from goes on to implement the update rule by hand and to apply it to
image captioning. In this lab sheet the update rule is the library's \`LSTM\` (the counterpart of
\`nn.LSTM\`), and we apply it to the MNIST digits. One detail to know when you look at its parameters:
PyTorch and the library stack the four blocks in the order $i, f, g, o$ (\`weight_ih_l0\` is
$[W_{ii}; W_{if}; W_{ig}; W_{io}]$, of shape $[4H, D]$), not $i, f, o, g$ as above; the equations are the
same.

In code, the data comes in batches, so that $X_t \\in \\mathbb{R}^{N\\times D}$, and we work with
*transposed* versions of the parameters, $W_x \\in \\mathbb{R}^{D \\times 4H}$ and
$W_h \\in \\mathbb{R}^{H\\times 4H}$, so that the activations of the whole batch, $A \\in \\mathbb{R}^{N\\times 4H}$,
can be computed efficiently as $A = X_t W_x + H_{t-1} W_h$. (The library's \`LSTM\` stores the weights in
PyTorch's layout and transposes them once per forward pass.)`);

  md(`# Define the LSTM Model
Now we define the LSTM model, which improves upon the RNN by addressing the vanishing gradient
problem. It stacks two LSTM layers (\`numLayers: 2\`, the second reads the first one's outputs) and
classifies from the last hidden state of the top layer. \`lstm.call(x)\` returns
\`[output, [hN, cN]]\` as \`lstm(x)\` returns \`(output, (h_n, c_n))\`; \`hN\` has shape
[layers, batch, hidden size], so \`hn[-1]\` is the top layer's final hidden state.`);

  code(`class LSTM_Model extends Module {
  readonly lstm: LSTM;
  readonly fc: Linear;

  constructor(inputSize = 28, hiddenSize = 128, numLayers = 2, numClasses = 10) {
    super();

    // LSTM layer
    this.lstm = new LSTM(inputSize, hiddenSize, { numLayers, batchFirst: true });

    // Fully connected layer
    this.fc = new Linear(hiddenSize, numClasses);
  }

  forward(x: tf.Tensor): tf.Tensor {
    // x: [batchSize, seqLength, inputSize] -> [batch, 28, 28]

    // LSTM expects input shape [batch, seqLength, inputSize] (batchFirst)
    const [lstmOut, [hn, cn]] = this.lstm.call(x);

    // Use the last hidden state to predict the class: hn[-1], the top layer's
    const [layers, batch, hidden] = hn.shape;
    const hLast = hn.slice([layers - 1, 0, 0], [1, batch, hidden]).reshape([batch, hidden]);
    return this.fc.apply(hLast);
  }
}`, { model: 'lab9.lstm' });

  md(`# Training and Evaluation Functions
We write the training and evaluation functions, which can be reused for both models.

One training step in TensorFlow.js: \`optimizer.minimize(f)\` runs \`f\` (the forward pass and the loss),
computes the gradients of the loss with respect to the model's parameters and updates the parameters
with Adam. That is PyTorch's \`optimizer.zero_grad()\`, \`loss.backward()\` and \`optimizer.step()\` in one
call (the gradients are computed afresh every time, so there is nothing to zero). TensorFlow.js has no
garbage collector for tensors: the functions free the tensors of each batch with \`tf.dispose\`
(\`tf.tidy(f)\` frees every tensor \`f\` creates except the one it returns). A progress bar shows how far
each epoch has got; the functions are \`async\` and wait for the next event-loop turn after every batch
(\`await tf.nextFrame()\`), which lets the kernel send the bar to the notebook while training runs.`);

  code(`// How many predictions are right: the predicted class is the one with the highest score
// (torch.max(outputs, 1) in PyTorch)
function countCorrect(outputs: tf.Tensor, labels: tf.Tensor): number {
  return tf.tidy(() => tf.equal(tf.argMax(outputs, 1), labels).sum().dataSync()[0]);
}

async function train(model: Module, trainloader: DataLoader, criterion: Criterion, optimizer: Adam, numEpochs = 5): Promise<void> {
  model.train();
  // RNNKIT_EPOCHS / RNNKIT_BATCHES shorten training (tests, CI); by default all of it runs
  numEpochs = epochsSetting(numEpochs);
  const numBatches = batchesSetting(trainloader.length);
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    let runningLoss = 0;
    let correct = 0;
    let total = 0;
    let i = 0;
    const bar = new ProgressBar(numBatches, { desc: \`Epoch \${epoch + 1}/\${numEpochs}\` });
    for (const [images, labels] of trainloader) {
      if (i === numBatches) break;
      // Reshape for the RNN or LSTM input: [batchSize, seqLen, inputSize]
      const inputs = images.reshape([-1, 28, 28]);
      let outputs!: tf.Tensor;
      const loss = optimizer.minimize(() => {
        outputs = tf.keep(model.apply(inputs));
        return criterion(outputs, labels);
      });

      runningLoss += loss.dataSync()[0]; // loss.item()

      total += labels.shape[0];
      correct += countCorrect(outputs, labels);
      tf.dispose([inputs, outputs, loss]); // the loader frees the batch itself
      i++;
      bar.update(1, { loss: runningLoss / i });
      await tf.nextFrame(); // lets the kernel send the progress bar to the notebook while training runs
    }
    bar.close();

    console.log(\`Epoch [\${epoch + 1}/\${numEpochs}], Loss: \${(runningLoss / i).toFixed(4)}, Accuracy: \${(100 * correct / total).toFixed(2)}%\`);
  }
}`, { function: 'lab9.train' });

  md(`Evaluation Function (no gradients are computed here: TensorFlow.js records the operations for
gradients only inside \`optimizer.minimize\` or \`tf.grads\`, so nothing like \`torch.no_grad()\` is needed):`);

  code(`async function evaluate(model: Module, testloader: DataLoader): Promise<void> {
  model.eval();
  let correct = 0;
  let total = 0;
  const bar = new ProgressBar(testloader.length, { desc: 'Test' });
  for (const [images, labels] of testloader) {
    const inputs = images.reshape([-1, 28, 28]);
    const outputs = model.apply(inputs);
    total += labels.shape[0];
    correct += countCorrect(outputs, labels);
    tf.dispose([inputs, outputs]);
    bar.update(1);
    await tf.nextFrame();
  }
  bar.close();

  console.log(\`Test Accuracy: \${(100 * correct / total).toFixed(2)}%\`);
}`, { function: 'lab9.evaluate' });

  md(`# Model Training and Evaluation
Now, let's train and evaluate both the RNN and LSTM models on the MNIST dataset.`);

  md('## Training RNN Model:');

  code(`// Initialize the model, loss function, and optimizer for RNN
const rnnModel = new RNN_Model();
const criterion = crossEntropyLoss;
let optimizer = new Adam(rnnModel.parameters(), 0.001);

// Train the RNN model
await train(rnnModel, trainloader, criterion, optimizer, 5);

// Evaluate the RNN model
await evaluate(rnnModel, testloader);`, { run: 'lab9.rnn' });

  md(referenceNote('rnn', 'RNN'), { reference: 'lab9.rnn' });

  md('## Training LSTM Model:');

  code(`// Initialize the model and optimizer for LSTM (the loss function stays)
const lstmModel = new LSTM_Model();
optimizer.dispose(); // frees the RNN optimizer's moments
optimizer = new Adam(lstmModel.parameters(), 0.001);

// Train the LSTM model
await train(lstmModel, trainloader, criterion, optimizer, 5);

// Evaluate the LSTM model
await evaluate(lstmModel, testloader);`, { run: 'lab9.lstm' });

  md(referenceNote('lstm', 'LSTM'), { reference: 'lab9.lstm' });

  return cells.finish('lab9');
}

export function notebookJson(): string {
  return notebookText(build().cells, { id: 'lab9', title: 'Lab sheet 9: MNIST with an RNN and an LSTM' });
}

if (isMain(import.meta.url)) {
  generatorMain({ notebook: 'notebooks/lab9_rnn_lstm_mnist.ipynb', script: 'scripts/notebooks/lab9.ts', json: () => notebookJson(), instructor: false }, process.argv.slice(2));
}
