/**
 * The model Lab 8's `run` trains (the notebook defines `train`, `test` and `run` in a cell of its
 * own): unflatten the signal into T steps of 1 -> recurrent cell -> flatten -> linear T*H -> 10.
 * Benchmarks and tests build it here to train the reference cells as the notebook does.
 */
import { Flatten, Linear, Sequential, Unflatten } from '../nn/layers.js';
import type { Module } from '../nn/module.js';

/** A recurrent cell class of Lab 8: `new Cell(inputSize, hiddenSize)`, forward [M, T, D] -> [M, T, H]. */
export type CellClass = new (inputSize: number, hiddenSize: number) => Module;

/** Lab 8's classifier around a recurrent cell, as its `run` builds it. */
export function buildClassifier(Cell: CellClass, hiddenSize: number, seqLength = 40): Sequential {
  return new Sequential({
    reshape: new Unflatten(1, [seqLength, 1]),
    rnn: new Cell(1, hiddenSize),
    flat: new Flatten(),
    classifier: new Linear(seqLength * hiddenSize, 10),
  });
}
