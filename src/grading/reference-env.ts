/**
 * What a task definition computes with outside the sandbox (the grader's process, or the notebook
 * running `check()`): tfjs, the course library and the course's reference solutions. This module
 * is the kit's one loader of the solution modules (src/solutions, or a course's own).
 */
import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { quietCpuBackend } from './plain.js';
import type { Course, ReferenceEnv } from './types.js';

/**
 * The course library as task definitions use it (`env.loadLib()`): `torch.nn` (modules, init) and
 * the random generator. The same modules as the code under test when both run from dist/ (the
 * notebook) or both from src/ (tests); the sandbox's child loads the same names by package name.
 */
export async function courseLibrary(): Promise<Record<string, unknown>> {
  const [nn, random] = await Promise.all([import('../lib/nn/index.js'), import('../lib/random/torch-generator.js')]);
  return { ...nn, ...random };
}

/** The module of a course's reference solutions, or undefined when it is not installed or fails to load. */
export async function loadSolutions(course: Course): Promise<Record<string, unknown> | undefined> {
  const url = course.solutionModule.startsWith('file:') ? course.solutionModule : pathToFileURL(course.solutionModule).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The environment of a course's `reference()`: strict in the grader (a reference that cannot be
 * computed is a grader error), lenient in the notebook (checks that need the solutions are reduced
 * or marked "not checked here" when they are missing).
 */
export function referenceEnv(course: Course, strict = true): ReferenceEnv {
  quietCpuBackend(tf);
  return { tf, loadLib: courseLibrary, loadSolution: () => loadSolutions(course), strict };
}
