// Live playbook progress on a terminal: the play, the task(s) hosts are on and one row
// per host that matters (live-frame.ts decides which), redrawn in place at most
// 10 times a second (live-screen.ts). The view is erased at the end; details — failures,
// diffs, -v output, notices — are kept meanwhile and printed after it, in the plain
// reporter's format, then the recap.
import { Writable } from 'node:stream';
import type { RunEvent } from './events.js';
import { liveFrame } from './live-frame.js';
import { LiveScreen } from './live-screen.js';
import { applyLiveEvent, newLiveState } from './live-state.js';
import { PlainPlaybookReporter } from './plain-playbook.js';
import type { Recap } from './recap.js';
import { painter, type Paint } from './color.js';
import { wantsColor, type Reporter, type ReporterOptions } from './reporter.js';

const REDRAW_MS = 100;
/** Running tasks show whole seconds: a redraw a second keeps them current when nothing else happens. */
const CLOCK_MS = 1000;

interface TerminalSize {
  rows?: number;
  columns?: number;
  on?: (event: 'resize', listener: () => void) => unknown;
  removeListener?: (event: 'resize', listener: () => void) => unknown;
}

export class LivePlaybookReporter implements Reporter {
  private readonly state = newLiveState();
  private readonly screen: LiveScreen;
  private readonly paint: Paint;
  private readonly details: string[] = [];
  private readonly detail: PlainPlaybookReporter;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private lastDraw = 0;
  private readonly onResize = (): void => {
    this.dirty = true;
  };

  constructor(private readonly o: ReporterOptions) {
    const sink = new Writable({
      write: (chunk: Buffer | string, _enc, cb) => {
        this.details.push(chunk.toString());
        cb();
      },
    });
    this.paint = painter(wantsColor(o));
    this.detail = new PlainPlaybookReporter({ out: sink, verbose: o.verbose, color: wantsColor(o) });
    this.screen = new LiveScreen(o.out);
  }

  onEvent(e: RunEvent): void {
    if (this.worthDetail(e)) this.detail.onEvent(e);
    if (applyLiveEvent(this.state, e, Date.now())) this.dirty = true;
    if (this.dirty && !this.timer) this.start();
  }

  async finish(recap: Recap): Promise<void> {
    this.stop();
    this.screen.clear();
    // The detail reporter's own recap is not wanted: only its lines.
    const text = this.details.join('');
    if (text.trim()) this.o.out.write(text);
    this.o.out.write('\n' + recap.format(this.paint) + '\n');
  }

  private start(): void {
    this.timer = setInterval(() => this.tick(), REDRAW_MS);
    // The view must never keep the process alive on its own.
    this.timer.unref();
    (this.o.out as TerminalSize).on?.('resize', this.onResize);
  }

  private stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    (this.o.out as TerminalSize).removeListener?.('resize', this.onResize);
  }

  private tick(): void {
    const now = Date.now();
    if (!this.dirty && now - this.lastDraw < CLOCK_MS) return;
    this.dirty = false;
    this.lastDraw = now;
    // Read at every frame: the terminal may have been resized since.
    const size = this.o.out as TerminalSize;
    this.screen.draw(liveFrame(this.state, { rows: size.rows ?? 24, columns: size.columns ?? 80, now, paint: this.paint }));
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
}
