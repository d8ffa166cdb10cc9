// Reporters turn (already redacted) events into output. One is chosen per run.
import type { RunEvent, TaskResultEvent } from './events.js';
import { colorEnabled, painter, type Paint } from './color.js';
import type { Recap } from './recap.js';

export interface Reporter {
  onEvent(e: RunEvent): void;
  /** Called once, after the last event: print the recap (and stop live rendering). */
  finish(recap: Recap): Promise<void>;
}

export interface ReporterOptions {
  out: NodeJS.WritableStream;
  verbose: boolean;
  /** Colours; absent: decided from NO_COLOR, FORCE_COLOR and whether `out` is a terminal. */
  color?: boolean;
}

/** Whether a reporter paints its output (see color.ts). */
export function wantsColor(o: ReporterOptions): boolean {
  return o.color ?? colorEnabled(o.out);
}

/** Ansible's ad-hoc result line: `lab01 | CHANGED | rc=0 >>` + output, or `lab01 | SUCCESS => pong`. */
export function formatAdhocResult(e: TaskResultEvent, verbose: boolean, paint: Paint = painter(false)): string {
  const label = {
    ok: 'SUCCESS',
    changed: 'CHANGED',
    failed: 'FAILED',
    unreachable: 'UNREACHABLE!',
    skipped: 'SKIPPED',
  }[e.status];
  const style = statusStyle(e.status);
  if (e.status === 'unreachable' || e.stdout === undefined) {
    const head = paint(style, `${e.host} | ${label} => ${e.msg}`);
    return verbose ? `${head} (${e.duration_ms} ms)` : head;
  }
  const lines = [paint(style, `${e.host} | ${label} | rc=${e.rc ?? 'none'}${e.status === 'failed' && e.msg ? ` | ${e.msg}` : ''} >>`)];
  if (e.stdout) lines.push(e.stdout.replace(/\n$/, ''));
  if (e.stderr) lines.push(e.stderr.replace(/\n$/, ''));
  return lines.join('\n');
}

/** The colour of a result status, as Ansible's default callback paints it. */
export function statusStyle(status: TaskResultEvent['status']): 'ok' | 'changed' | 'failed' | 'skipped' {
  switch (status) {
    case 'ok': return 'ok';
    case 'changed': return 'changed';
    case 'skipped': return 'skipped';
    default: return 'failed';
  }
}
