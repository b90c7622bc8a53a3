/**
 * A minimal notebook-to-HTML writer, used by the browser test where Jupyter's nbconvert is
 * missing: markdown and code as text, outputs as a front end shows them (text/html as is, so
 * that its scripts run; text/plain and streams escaped).
 */
import { joinText, type Notebook } from '../../src/notebook/codec.js';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function notebookToHtml(nb: Notebook, title = 'notebook'): string {
  const parts: string[] = [];
  for (const cell of nb.cells) {
    parts.push(`<div class="cell ${cell.cell_type}"><pre class="source">${escape(joinText(cell.source))}</pre>`);
    for (const out of cell.outputs ?? []) {
      switch (out.output_type) {
        case 'stream':
          parts.push(`<pre class="stream ${out.name}">${escape(joinText(out.text))}</pre>`);
          break;
        case 'display_data':
        case 'execute_result': {
          const html = out.data['text/html'];
          const plain = out.data['text/plain'];
          if (html !== undefined) parts.push(`<div class="output html">${joinText(html as string | string[])}</div>`);
          else if (plain !== undefined) parts.push(`<pre class="output text">${escape(joinText(plain as string | string[]))}</pre>`);
          break;
        }
        case 'error':
          parts.push(`<pre class="error">${escape(`${out.ename}: ${out.evalue}\n${out.traceback.join('\n')}`)}</pre>`);
          break;
      }
    }
    parts.push('</div>');
  }
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escape(title)}</title></head>\n<body>\n${parts.join('\n')}\n</body></html>\n`;
}
