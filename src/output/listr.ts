// Live progress on a TTY: one listr2 row per host, updated as its results arrive.
// listr2 only renders here; the work itself is driven by the runner.
import { Listr } from 'listr2';
import type { RunEvent, TaskResultEvent } from './events.js';
import type { Recap } from './recap.js';
import { painter } from './color.js';
import { formatAdhocResult, wantsColor, type Reporter, type ReporterOptions } from './reporter.js';

interface HostRow {
  title: string;
  done: (e: TaskResultEvent) => void;
  finished: Promise<TaskResultEvent>;
}

export class ListrReporter implements Reporter {
  private readonly rows = new Map<string, HostRow>();
  private readonly results: TaskResultEvent[] = [];
  private running: Promise<unknown> | undefined;

  constructor(private readonly o: ReporterOptions) {}

  begin(hosts: readonly string[]): void {
    for (const host of hosts) {
      let done!: (e: TaskResultEvent) => void;
      const finished = new Promise<TaskResultEvent>((resolve) => (done = resolve));
      this.rows.set(host, { title: host, done, finished });
    }
    const listr = new Listr(
      [...this.rows.entries()].map(([host, row]) => ({
        title: host,
        task: async (_ctx: unknown, task: { title: string; output: string }) => {
          const e = await row.finished;
          task.title = `${host}: ${e.status}${e.msg ? ` (${e.msg.split('\n')[0]})` : ''}`;
          if (e.status === 'failed' || e.status === 'unreachable') throw new Error(task.title);
        },
      })),
      // Ctrl-C is kvmplay's (cli/main.ts): listr2's own handler would exit 127 at once,
      // leaving remote commands running and printing no recap.
      { concurrent: true, exitOnError: false, registerSignalListeners: false, rendererOptions: { collapseErrors: false } },
    );
    // Errors are shown by the renderer and summarised in the recap.
    this.running = listr.run().catch(() => undefined);
  }

  onEvent(e: RunEvent): void {
    if (e.event === 'task_start') {
      const row = this.rows.get(e.host);
      if (row) row.title = `${e.host}: ${e.task}`;
      return;
    }
    if (e.event !== 'task') return;
    this.results.push(e);
    this.rows.get(e.host)?.done(e);
  }

  async finish(recap: Recap): Promise<void> {
    await this.running;
    for (const e of this.results) {
      if (e.stdout !== undefined || this.o.verbose) this.o.out.write(formatAdhocResult(e, this.o.verbose, painter(wantsColor(this.o))) + '\n');
    }
    this.o.out.write('\n' + recap.format(painter(wantsColor(this.o))) + '\n');
  }
}
