/**
 * rnn-course-kit/plots: rich output in the notebook — plotly figures (shown once or redrawn in
 * place), progress bars (tqdm's `trange`), any MIME bundle, and a library function's source.
 * Outside a tslab kernel everything prints as text.
 */
export { showFigure, LiveFigure, figureHtml, figureText, type Figure } from '../lib/plots.js';
export { ProgressBar, progress, trange, type ProgressOptions } from '../lib/progress.js';
export { display, displayHtml, newDisplay, inKernel, type Display, type MimeBundle } from '../lib/display.js';
export { showSource, librarySource, type SourceSnippet } from '../lib/source.js';
