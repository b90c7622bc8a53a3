/** Saving and loading a module's parameters (src/lib/nn/serialize.ts), as the I2DL notebook saves its model. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Flatten, Linear, Sequential } from '../../src/lib/nn/layers.js';
import { LSTM, RNN } from '../../src/lib/nn/recurrent.js';
import { loadModule, MODULE_FORMAT, moduleState, readSavedModule, saveModule } from '../../src/lib/nn/serialize.js';
import { manualSeed } from '../../src/lib/random/torch-generator.js';
import { withEnv } from '../helpers/env.js';

before(async () => {
  await tf.setBackend('cpu');
});

describe('saveModule / loadModule', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'i2dl-save-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const model = (seed: number) => {
    manualSeed(seed);
    return new Sequential({ rnn: new RNN(3, 4), flat: new Flatten(), fc: new Linear(4, 2) });
  };

  it('round trip: the saved parameters load into a fresh instance exactly; the file has the documented format', () => {
    const a = model(1);
    const file = saveModule(a, join(dir, 'sub', 'a.model'));
    assert.equal(file, join(dir, 'sub', 'a.model'));
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.format, MODULE_FORMAT);
    assert.equal(saved.version, 1);
    assert.equal(saved.module, 'Sequential');
    assert.deepEqual(saved.parameters.map((p: { name: string }) => p.name), a.namedParameters().map(([n]) => n));
    const w = a.getParameter('rnn.weight_ih_l0');
    const raw = Buffer.from(saved.parameters[0].data, 'base64');
    assert.equal(raw.readFloatLE(4), w.dataSync()[1]);
    assert.deepEqual(saved.parameters[0].shape, [4, 3]);
    const b = model(2);
    assert.notDeepEqual(Array.from(b.getParameter('fc.weight').dataSync()), Array.from(a.getParameter('fc.weight').dataSync()));
    loadModule(b, file);
    for (const [n, v] of a.namedParameters()) assert.deepEqual(Array.from(b.getParameter(n).dataSync()), Array.from(v.dataSync()), n);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['a.model'], 'no temporary file left');
    assert.deepEqual(moduleState(b), { ...moduleState(a), module: 'Sequential' });
    a.dispose();
    b.dispose();
  });

  it('relative paths go under RNNKIT_OUTPUT_DIR', async () => {
    const m = model(3);
    await withEnv({ RNNKIT_OUTPUT_DIR: dir }, () => {
      saveModule(m, 'models/rnn_mnist_nn.model');
      assert.ok(existsSync(join(dir, 'models', 'rnn_mnist_nn.model')));
      assert.equal(readSavedModule('models/rnn_mnist_nn.model').parameters.length, 6);
    });
    m.dispose();
  });

  it('a file that does not fit leaves the module unchanged and says why', () => {
    const a = model(4);
    const file = saveModule(a, join(dir, 'fit.model'));
    const other = (() => { manualSeed(5); return new Sequential({ rnn: new RNN(3, 5), flat: new Flatten(), fc: new Linear(5, 2) }); })();
    const before = Array.from(other.getParameter('fc.bias').dataSync());
    assert.throws(() => loadModule(other, file), /parameter 'rnn.weight_ih_l0' has shape \[4, 3\] in the file, \[5, 3\] in the module/);
    assert.deepEqual(Array.from(other.getParameter('fc.bias').dataSync()), before);
    manualSeed(6);
    const lstm = new LSTM(3, 4);
    assert.throws(() => loadModule(lstm, file), /has no parameter 'weight_ih_l0'/);
    const bigger = new Sequential({ rnn: new RNN(3, 4), flat: new Flatten(), fc: new Linear(4, 2), fc2: new Linear(2, 2) });
    assert.throws(() => loadModule(bigger, file), /has no parameter 'fc2.weight'/);
    const smaller = new Sequential({ rnn: new RNN(3, 4) });
    assert.throws(() => loadModule(smaller, file), /holds parameters the module does not have: fc.weight, fc.bias/);
    writeFileSync(join(dir, 'bad.model'), 'not json');
    assert.throws(() => loadModule(a, join(dir, 'bad.model')), /is not a saved module \(not JSON/);
    writeFileSync(join(dir, 'v2.model'), JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version: 2 }));
    assert.throws(() => loadModule(a, join(dir, 'v2.model')), /format version 2/);
    assert.throws(() => loadModule(a, join(dir, 'missing.model')), /cannot read/);
    assert.throws(() => saveModule({} as never, join(dir, 'x.model')), /expected a Module/);
    for (const m of [a, other, lstm, bigger, smaller]) m.dispose();
  });
});
