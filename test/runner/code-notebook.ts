/** A notebook of code cells, as Jupyter saves it with the kit's kernelspec (tests that run notebooks they write). */
export function codeNotebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source, i) => ({ cell_type: 'code', execution_count: null, id: `c${i}`, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { display_name: 'TypeScript (rnn-course-kit)', language: 'typescript', name: 'tslab' } },
    nbformat: 4,
    nbformat_minor: 5,
  }, null, 1);
}
