/**
 * I2DL RNN exercise: instructor answers to the notebook's questions (markdown), keyed by question
 * id. The notebook's answer cells carry the metadata `{"question": "i2dl.<id>"}`.
 */
import type { Answer } from './lab8-answers.js';

export type I2dlQuestion = 'vanishing' | 'cellState' | 'explore' | 'models';

export const i2dlAnswers: Readonly<Record<I2dlQuestion, Answer>> = {
  vanishing: {
    question:
      'Calculate the gradients dh_t/dV, dh_t/dW and dh_t/dX_0 analytically for t = 3 and h_0 = 0 using Eq. 1. Can you explain the vanishing gradient mathematically?',
    answer: String.raw`With Eq. 1, $h_t = \tanh(a_t)$, $a_t = W h_{t-1} + b_h + V x_t + b_x$, write
$D_t = \operatorname{diag}(1 - h_t \odot h_t)$ for the derivative of $\tanh$ at step $t$. With $h_0 = 0$ the
inputs of the three steps are $x_1, x_2, x_3$ (the question's $X_0$ is the first of them):

$$h_1 = \tanh(b_h + V x_1 + b_x),\quad h_2 = \tanh(W h_1 + b_h + V x_2 + b_x),\quad h_3 = \tanh(W h_2 + b_h + V x_3 + b_x).$$

**First input.** By the chain rule through $h_2$ and $h_1$:
$$\frac{\partial h_3}{\partial x_1} = D_3\, W\, D_2\, W\, D_1\, V \qquad\Big(\tfrac{\partial h_3}{\partial x_2} = D_3 W D_2 V,\quad \tfrac{\partial h_3}{\partial x_3} = D_3 V\Big).$$

**Input weights.** $V$ acts at every step, so each step contributes; for one entry $V_{ij}$ ($e_i$ the
$i$-th unit vector):
$$\frac{\partial h_3}{\partial V_{ij}} = D_3 e_i\, x_{3,j} + D_3 W D_2\, e_i\, x_{2,j} + D_3 W D_2 W D_1\, e_i\, x_{1,j}.$$

**Hidden weights.** $W$ multiplies $h_{t-1}$, so the contributions carry $h_2, h_1, h_0$:
$$\frac{\partial h_3}{\partial W_{ij}} = D_3 e_i\, h_{2,j} + D_3 W D_2\, e_i\, h_{1,j} + D_3 W D_2 W D_1\, e_i\, h_{0,j} = D_3 e_i\, h_{2,j} + D_3 W D_2\, e_i\, h_{1,j}$$
(the last term vanishes because $h_0 = 0$).

With one hidden unit and one input feature (scalars $w, v$) this reads
$\frac{\partial h_3}{\partial x_1} = (1-h_3^2)\,w\,(1-h_2^2)\,w\,(1-h_1^2)\,v$,
$\frac{\partial h_3}{\partial v} = (1-h_3^2)\big[x_3 + w(1-h_2^2)\big(x_2 + w(1-h_1^2)x_1\big)\big]$ and
$\frac{\partial h_3}{\partial w} = (1-h_3^2)\big[h_2 + w(1-h_2^2)h_1\big]$.

**Why the gradient vanishes.** The influence of the input $k$ steps back is the product of $k$ factors
$D_m W$ (times $D V$): $\big\|\partial h_t / \partial x_{t-k}\big\| \le (\gamma\, \|W\|)^k\, \|V\|$, where
$\gamma = \max \tanh' \le 1$ and $\|W\|$ is the largest singular value of $W$. When $\gamma\|W\| < 1$ (small
weights, or saturated units whose $1 - h^2$ is near 0) it shrinks geometrically with the distance in
time; the terms of $\partial h_t/\partial V$ and $\partial h_t/\partial W$ that belong to early steps carry the
same products, so early inputs hardly affect the loss or the updates: the RNN has no long-term
memory. When $\|W\| > 1$ and the units are not saturated the products can grow instead (exploding
gradients). A ReLU activation gives $D_m \in \{0, 1\}$ on the diagonal: the same products of $W$ remain.`,
  },
  cellState: {
    question: 'What size does the cell state have?',
    answer: [
      'The same as the hidden state: one value per hidden unit, hidden_size (H) per sequence. For a batch it',
      'is [batch, H]; the modules return it like h, as [1, batch, H] (PyTorch: [num_layers * directions,',
      'batch, H]). In the comparison above (hidden_dim = 3) c_t has 3 entries. The gates f_t, i_t, o_t and',
      'the cell input all have this size too, because they are multiplied elementwise with c_t.',
    ].join('\n'),
  },
  explore: {
    question: 'Compare the gradients of the LSTM with those of the RNN. What do you see?',
    answer: [
      'Both curves fall exponentially towards the start of the sequence (straight lines on the log axis),',
      'but the LSTM\'s falls more slowly. With the default (PyTorch) initialisation, 20 hidden units and 50',
      'steps, the RNN\'s gradient shrinks by about a factor 2 per step back in time (0.3 decades), the',
      'LSTM\'s by about a factor 1.5 (0.2 decades); at the first input the LSTM\'s gradient was 10 to a',
      'million times the RNN\'s in our runs (seeds 0-4), although the RNN\'s is larger near the end.',
      'The reason is the cell state: c_t = f_t ⊙ c_(t-1) + i_t ⊙ g_t is updated additively, and along this',
      'path ∂c_t/∂c_(t-1) = diag(f_t): no multiplication by a weight matrix and no squashing derivative. An',
      'untrained LSTM has forget gates around σ(0) = 0.5, so this path still shrinks; but the LSTM can learn',
      'forget gates close to 1 (initialising their bias to 1 is a common trick), and then it carries the',
      'gradient over long time spans (the "constant error carousel"). The RNN cannot: its only path always',
      'goes through W and tanh\'.',
    ].join('\n'),
  },
  models: {
    question: 'Advantages and disadvantages of MLPs, CNNs and RNNs for image classification (# of parameters, transformations, training time, testing time, over-fitting, ...).',
    answer: [
      '- **MLP**: flattens the image and connects every pixel to every unit of the first layer: many',
      '  parameters (784 x hidden for the first layer alone), no notion of neighbourhood, and no invariance:',
      '  a digit shifted by a few pixels is a different input. Fast to train and evaluate (a few matrix',
      '  products, fully parallel), but it overfits easily and needs many examples.',
      '- **CNN**: small filters shared over the image: few parameters, local structure is built in, a shift',
      '  of the input shifts the feature maps (translation equivariance; with pooling, some invariance to',
      '  small shifts). Not invariant to rotation or scaling by design (data augmentation helps). Highly',
      '  parallel, so fast on GPUs, and the most accurate of the three on images (> 99 % on MNIST) with the',
      '  least over-fitting for its accuracy.',
      '- **RNN**: reads the image row by row with the same weights for every row: few parameters, handles',
      '  sequences of any length, and a vertical shift only changes when a row arrives; a horizontal shift',
      '  changes every input vector, and rotations or scaling are not handled. The rows must be processed',
      '  one after another (28 dependent steps), so training and testing are slower and less parallel, and',
      '  the simple RNN suffers from vanishing gradients (it forgets the first rows). In this notebook, with',
      '  the original\'s 10 epochs on the course mirror\'s 24,000 training images, the simple RNN reached 95.9 %',
      '  and the LSTM 97.5 % validation accuracy, at a higher cost per step (about 2.5x the RNN\'s epoch',
      '  time). RNNs suit data that really is sequential (text, audio, time series) better than images.',
    ].join('\n'),
  },
};
