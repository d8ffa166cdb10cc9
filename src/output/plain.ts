// Plain line output for pipes and CI: one block per result as it arrives.
import type { RunEvent } from './events.js';
import type { Recap } from './recap.js';
import { painter } from './color.js';
import { formatAdhocResult, wantsColor, type Reporter, type ReporterOptions } from './reporter.js';

export class PlainReporter implements Reporter {
  constructor(private readonly o: ReporterOptions) {}

  onEvent(e: RunEvent): void {
    if (e.event === 'task') this.o.out.write(formatAdhocResult(e, this.o.verbose, painter(wantsColor(this.o))) + '\n');
  }

  async finish(recap: Recap): Promise<void> {
    this.o.out.write('\n' + recap.format(painter(wantsColor(this.o))) + '\n');
  }
}
