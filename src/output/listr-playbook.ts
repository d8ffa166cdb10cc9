// Live playbook progress on a TTY: ONE listr2 row per host, titled with its current
// play and task and its counts so far. One row per host (not host × task) keeps 50
// hosts on one screen and shows at a glance who is where, since hosts progress on
// their own. Details — failures, diffs, -v output, notices — are kept and printed
// after the live view, in the plain reporter's format, then the recap.
import { Writable } from 'node:stream';
import { Listr } from 'listr2';
import type { RunEvent } from './events.js';
import { PlainPlaybookReporter } from './plain-playbook.js';
import type { Recap } from './recap.js';
import { painter } from './color.js';
import { wantsColor, type Reporter, type ReporterOptions } from './reporter.js';

interface Row {
  counts: { ok: number; changed: number; failed: number; skipped: number };
  /** What ended the host: a failure or unreachability, with the task. */
  stop: string | undefined;
  title: (text: string) => void;
  done: () => void;
  finished: Promise<void>;
}

export class ListrPlaybookReporter implements Reporter {
  private readonly rows = new Map<string, Row>();
  private readonly details: string[] = [];
  private readonly detail: PlainPlaybookReporter;
  private running: Promise<unknown> | undefined;

  constructor(private readonly o: ReporterOptions) {
    const sink = new Writable({
      write: (chunk: Buffer | string, _enc, cb) => {
        this.details.push(chunk.toString());
        cb();
      },
    });
    this.detail = new PlainPlaybookReporter({ out: sink, verbose: o.verbose, color: wantsColor(o) });
  }

  onEvent(e: RunEvent): void {
    if (e.event === 'run_start') return this.begin(e.hosts);
    if (this.worthDetail(e)) this.detail.onEvent(e);
    if (e.event === 'task_start') {
      const row = this.rows.get(e.host);
      row?.title(`${e.host} ${summary(row)} ${e.handler ? 'HANDLER' : 'TASK'} [${e.task}]`);
      return;
    }
    if (e.event !== 'task') return;
    const row = this.rows.get(e.host);
    if (!row) return;
    if (e.status === 'failed' && e.ignored) row.counts.ok++;
    else if (e.status === 'changed') { row.counts.ok++; row.counts.changed++; }
    else if (e.status === 'ok') row.counts.ok++;
    else if (e.status === 'skipped') row.counts.skipped++;
    else if (e.status === 'failed') row.counts.failed++;
    if ((e.status === 'failed' && !e.ignored) || e.status === 'unreachable') {
      row.stop = `${e.status === 'failed' ? 'FAILED' : 'UNREACHABLE'} at [${e.task}]: ${e.msg.split('\n')[0]}`;
      // The host is out of the run for good: close its row now.
      row.done();
    }
    row.title(`${e.host} ${summary(row)}${row.stop ? ` ${row.stop}` : ''}`);
  }

  async finish(recap: Recap): Promise<void> {
    for (const row of this.rows.values()) row.done();
    await this.running;
    // The detail reporter's own recap is not wanted: only its lines.
    const text = this.details.join('');
    if (text.trim()) this.o.out.write(text);
    this.o.out.write('\n' + recap.format(painter(wantsColor(this.o))) + '\n');
  }

  private worthDetail(e: RunEvent): boolean {
    switch (e.event) {
      case 'play_start':
      case 'notice':
        return true;
      case 'task':
        return this.o.verbose || e.show === true || e.status === 'failed' || e.status === 'unreachable' || Boolean(e.diff);
      case 'task_item':
        return this.o.verbose || e.status === 'failed' || Boolean(e.diff);
      default:
        return false;
    }
  }

  private begin(hosts: readonly string[]): void {
    if (this.running || hosts.length === 0) return;
    for (const host of hosts) {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const row: Row = {
        counts: { ok: 0, changed: 0, failed: 0, skipped: 0 },
        stop: undefined,
        // Until listr runs the row (at once: rows are concurrent), titles have nowhere to go.
        title: () => undefined,
        done,
        finished,
      };
      this.rows.set(host, row);
    }
    const listr = new Listr(
      [...this.rows.entries()].map(([host, row]) => ({
        title: host,
        task: async (_ctx: unknown, task: { title: string }) => {
          row.title = (text) => (task.title = text);
          row.title(`${host} ${summary(row)} waiting`);
          await row.finished;
          task.title = `${host} ${summary(row)}${row.stop ? ` ${row.stop}` : ''}`;
          if (row.stop) throw new Error(task.title);
        },
      })),
      // Ctrl-C is kvmplay's (cli/main.ts): listr2's own handler would exit 127 at once,
      // leaving remote commands running and printing no recap.
      { concurrent: true, exitOnError: false, registerSignalListeners: false, rendererOptions: { collapseErrors: false, showErrorMessage: false } },
    );
    // Failures are shown on their rows and again in the details after the view.
    this.running = listr.run().catch(() => undefined);
  }
}

function summary(row: Row): string {
  const c = row.counts;
  return `ok=${c.ok} changed=${c.changed}${c.failed ? ` failed=${c.failed}` : ''}${c.skipped ? ` skipped=${c.skipped}` : ''}`;
}
