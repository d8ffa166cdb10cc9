// Plain output of playbook runs (not a TTY: CI, pipes). Lines are printed as results
// arrive. Hosts progress through a play on their own, so results of different tasks
// interleave; a `TASK [name]` banner is printed whenever the task of the next line
// differs from the previous line's — in lockstep this is exactly Ansible's output,
// and interleaved it stays readable (each run of lines sits under its task).
import type { RunEvent } from './events.js';
import { banner, formatItem, formatRetry, formatTaskResult, taskBanner } from './playbook-format.js';
import type { Recap } from './recap.js';
import type { Reporter, ReporterOptions } from './reporter.js';

export class PlainPlaybookReporter implements Reporter {
  private current: string | undefined;

  constructor(private readonly o: ReporterOptions) {}

  onEvent(e: RunEvent): void {
    switch (e.event) {
      case 'play_start':
        this.current = undefined;
        this.write(['', banner(`PLAY [${e.play}]`)]);
        return;
      case 'notice':
        this.current = undefined;
        this.write(['', e.level === 'warning' ? `[WARNING]: ${e.msg}` : e.msg]);
        return;
      case 'task_retry':
        this.under(e.play, e.task, e.handler);
        this.write([formatRetry(e)]);
        return;
      case 'task_item':
        this.under(e.play, e.task, e.handler);
        this.write(formatItem(e, this.o));
        return;
      case 'task': {
        const lines = formatTaskResult(e, this.o);
        if (lines.length === 0) return;
        this.under(e.play ?? '', e.task, e.handler);
        this.write(lines);
        return;
      }
      default:
        return;
    }
  }

  async finish(recap: Recap): Promise<void> {
    this.o.out.write('\n' + recap.format() + '\n');
  }

  private under(play: string, task: string, handler: boolean | undefined): void {
    const key = `${play}\0${handler ? 'h' : 't'}\0${task}`;
    if (key === this.current) return;
    this.current = key;
    this.write(['', taskBanner(task, handler)]);
  }

  private write(lines: string[]): void {
    this.o.out.write(lines.join('\n') + '\n');
  }
}
