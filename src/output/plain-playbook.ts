// Plain output of playbook runs (not a TTY: CI, pipes). Lines are printed as results
// arrive. Hosts progress through a play on their own, so results of different tasks
// interleave; a `TASK [name]` banner is printed when a task starts (as Ansible prints it
// before any result) and again whenever the task of the next line differs from the
// previous line's — in lockstep this is exactly Ansible's output, and interleaved it
// stays readable (each run of lines sits under its task).
import type { RunEvent } from './events.js';
import { banner, formatItem, formatRetry, formatTaskResult, taskBanner, type FormatOptions } from './playbook-format.js';
import { painter } from './color.js';
import type { Recap } from './recap.js';
import { wantsColor, type Reporter, type ReporterOptions } from './reporter.js';

export class PlainPlaybookReporter implements Reporter {
  private current: string | undefined;
  /** Hosts that started or printed under the current banner: one of them starting again means a new task of the same name. */
  private printed = new Set<string>();

  private readonly format: FormatOptions;

  constructor(private readonly o: ReporterOptions) {
    this.format = { verbose: o.verbose, paint: painter(wantsColor(o)) };
  }

  onEvent(e: RunEvent): void {
    switch (e.event) {
      case 'play_start':
        this.current = undefined;
        this.write(['', banner(`PLAY [${e.play}]`)]);
        return;
      case 'notice':
        // -vvv's trace lines belong under the task that sends them.
        if (e.level === 'info' && this.current !== undefined) {
          this.write([e.msg]);
          return;
        }
        this.current = undefined;
        this.write(['', e.level === 'warning' ? `[WARNING]: ${e.msg}` : e.msg]);
        return;
      case 'task_start': {
        // The banner comes when a task starts, so a task that hangs is named in the log.
        // A host starting again under the current banner: a new task of the same name.
        const key = this.keyOf(e.play ?? '', e.task, e.handler);
        if (key === this.current && this.printed.has(e.host)) this.current = undefined;
        this.under(e.play ?? '', e.task, e.handler, e.host);
        return;
      }
      case 'task_retry':
        this.under(e.play, e.task, e.handler, e.host);
        this.write([formatRetry(e)]);
        return;
      case 'task_item':
        this.under(e.play, e.task, e.handler, e.host);
        this.write(formatItem(e, this.format));
        return;
      case 'task': {
        const lines = formatTaskResult(e, this.format);
        if (lines.length === 0) return;
        this.under(e.play ?? '', e.task, e.handler, e.host);
        this.write(lines);
        return;
      }
      default:
        return;
    }
  }

  async finish(recap: Recap): Promise<void> {
    this.o.out.write('\n' + recap.format(this.format.paint) + '\n');
  }

  private keyOf(play: string, task: string, handler: boolean | undefined): string {
    return `${play}\0${handler ? 'h' : 't'}\0${task}`;
  }

  private under(play: string, task: string, handler: boolean | undefined, host: string): void {
    const key = this.keyOf(play, task, handler);
    if (key !== this.current) {
      this.current = key;
      this.printed.clear();
      this.write(['', taskBanner(task, handler)]);
    }
    this.printed.add(host);
  }

  private write(lines: string[]): void {
    this.o.out.write(lines.join('\n') + '\n');
  }
}
