/**
 * Turning iopub messages into cell outputs the way Jupyter front ends do, and reading outputs as
 * text. Reading and writing notebooks is the project's one codec, src/notebook/codec.ts.
 */
import type { JupyterMessage } from './protocol.js';
import { joinText, type DisplayDataOutput, type ExecuteResultOutput, type MimeBundle, type MultilineString, type Output } from '../notebook/codec.js';

/**
 * The text a reader sees in a cell's outputs: streams as printed, rich outputs by their
 * `text/plain`, errors as `name: message`; one output per line.
 */
export function outputsText(outputs: readonly Output[]): string {
  return outputs
    .map((o) => {
      if (o.output_type === 'stream') return joinText(o.text);
      if (o.output_type === 'error') return `${o.ename}: ${o.evalue}`;
      const plain = o.data['text/plain'];
      return typeof plain === 'string' || Array.isArray(plain) ? joinText(plain as MultilineString) : '';
    })
    .join('\n');
}

/** Shared by all cells of a run: outputs by display_id, for update_display_data. */
export type DisplayRegistry = Map<string, (DisplayDataOutput | ExecuteResultOutput)[]>;

/** Collects one cell's iopub messages into nbformat outputs (as Jupyter front ends do). */
export class OutputCollector {
  readonly outputs: Output[] = [];
  private clearPending = false;

  constructor(private readonly displays: DisplayRegistry) {}

  private push(out: Output): void {
    if (this.clearPending) {
      this.outputs.length = 0;
      this.clearPending = false;
    }
    const last = this.outputs[this.outputs.length - 1];
    if (out.output_type === 'stream' && last?.output_type === 'stream' && last.name === out.name) {
      last.text = joinText(last.text) + joinText(out.text);
      return;
    }
    this.outputs.push(out);
  }

  handle(msg: JupyterMessage): void {
    const c = msg.content as Record<string, unknown>;
    const data = (c.data ?? {}) as MimeBundle;
    const metadata = (c.metadata ?? {}) as Record<string, unknown>;
    const displayId = (c.transient as { display_id?: unknown } | undefined)?.display_id;
    switch (msg.header.msg_type) {
      case 'stream':
        this.push({ output_type: 'stream', name: c.name === 'stderr' ? 'stderr' : 'stdout', text: String(c.text ?? '') });
        break;
      case 'display_data':
      case 'execute_result': {
        const out: DisplayDataOutput | ExecuteResultOutput = msg.header.msg_type === 'display_data'
          ? { output_type: 'display_data', data, metadata }
          : { output_type: 'execute_result', execution_count: typeof c.execution_count === 'number' ? c.execution_count : null, data, metadata };
        this.push(out);
        if (typeof displayId === 'string') {
          const list = this.displays.get(displayId) ?? [];
          list.push(out);
          this.displays.set(displayId, list);
        }
        break;
      }
      case 'update_display_data':
        if (typeof displayId === 'string') {
          for (const out of this.displays.get(displayId) ?? []) {
            out.data = data;
            out.metadata = metadata;
          }
        }
        break;
      case 'error':
        this.push({
          output_type: 'error',
          ename: String(c.ename ?? 'Error'),
          evalue: String(c.evalue ?? ''),
          traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        });
        break;
      case 'clear_output':
        if (c.wait) this.clearPending = true;
        else this.outputs.length = 0;
        break;
      default:
        break; // execute_input, comm messages...
    }
  }
}
