/**
 * The layering of src/ (npm run deps, part of npm test through test/layers/layers.test.ts):
 *   src/lib       the course library: imports nothing above it
 *   src/notebook  the notebook codec
 *   src/solutions reference solutions (import the library)
 *   src/grading, src/kernel, src/runner  the grader, the kernel's patches, the headless runner
 *   src/api       the package's entry points (rnn-course-kit, rnn-course-kit/nn, ...)
 * Type-only imports count as imports, and dynamic import() calls too.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'An import cycle in src/: modules of a cycle can only be understood, loaded and tested together.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'lib-imports-nothing-above',
      severity: 'error',
      comment: 'src/lib is the course library: it imports nothing from the grader, the solutions, the runner, the kernel or the package entry points.',
      from: { path: '^src/lib/' },
      to: { path: '^src/(grading|solutions|runner|kernel|api)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve (a moved or deleted module).',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], extensions: ['.ts', '.js', '.d.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
