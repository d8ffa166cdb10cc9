// Reporters turn (already redacted) events into output. One is chosen per run.
import type { RunEvent, TaskResultEvent } from './events.js';
import type { Recap } from './recap.js';

export interface Reporter {
  onEvent(e: RunEvent): void;
  /** Called once, after the last event: print the recap (and stop live rendering). */
  finish(recap: Recap): Promise<void>;
}

export interface ReporterOptions {
  out: NodeJS.WritableStream;
  verbose: boolean;
}

/** Ansible's ad-hoc result line: `lab01 | CHANGED | rc=0 >>` + output, or `lab01 | SUCCESS => pong`. */
export function formatAdhocResult(e: TaskResultEvent, verbose: boolean): string {
  const label = {
    ok: 'SUCCESS',
    changed: 'CHANGED',
    failed: 'FAILED',
    unreachable: 'UNREACHABLE!',
    skipped: 'SKIPPED',
  }[e.status];
  if (e.status === 'unreachable' || e.stdout === undefined) {
    const head = `${e.host} | ${label} => ${e.msg}`;
    return verbose ? `${head} (${e.duration_ms} ms)` : head;
  }
  const lines = [`${e.host} | ${label} | rc=${e.rc ?? 'none'}${e.status === 'failed' && e.msg ? ` | ${e.msg}` : ''} >>`];
  if (e.stdout) lines.push(e.stdout.replace(/\n$/, ''));
  if (e.stderr) lines.push(e.stderr.replace(/\n$/, ''));
  return lines.join('\n');
}
