// `--json`: one JSON event per task result, then the recap object as the last line (SPEC 2).
import type { RunEvent } from './events.js';
import type { Recap } from './recap.js';
import type { Reporter, ReporterOptions } from './reporter.js';

export class NdjsonReporter implements Reporter {
  constructor(private readonly o: ReporterOptions) {}

  onEvent(e: RunEvent): void {
    if (e.event === 'task') this.o.out.write(JSON.stringify(e) + '\n');
  }

  async finish(recap: Recap): Promise<void> {
    this.o.out.write(JSON.stringify(recap.toJson()) + '\n');
  }
}
