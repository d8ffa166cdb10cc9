// Registered results in Ansible's shape (SPEC 4): what `register:` stores and what
// `changed_when`/`failed_when`/`until` see. Pure.
import type { ModuleResult } from '../modules/module.js';
import type { TaskStatus } from '../output/events.js';

/** A registered result: Ansible's keys always present, module data alongside. */
export interface Registered extends Record<string, unknown> {
  changed: boolean;
  failed: boolean;
  skipped: boolean;
  msg: string;
}

export const NO_LOG_MSG = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/** Python's str.splitlines() for command output: no trailing empty line. */
export function outputLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\r\n/g, '\n').replace(/\n$/, '').split(/[\n\r]/);
}

export function fromModule(r: ModuleResult): Registered {
  const out: Registered = { ...(r.data ?? {}), changed: r.changed, failed: r.failed ?? false, skipped: r.skipped ?? false, msg: r.msg };
  if (r.rc !== undefined) out['rc'] = r.rc;
  if (r.stdout !== undefined) {
    out['stdout'] = r.stdout;
    if (!Array.isArray(out['stdout_lines'])) out['stdout_lines'] = outputLines(r.stdout);
  }
  if (r.stderr !== undefined) {
    out['stderr'] = r.stderr;
    if (!Array.isArray(out['stderr_lines'])) out['stderr_lines'] = outputLines(r.stderr);
  }
  if (r.diff !== undefined) out['diff'] = r.diff;
  return out;
}

export function failedResult(msg: string, extra: Record<string, unknown> = {}): Registered {
  return { ...extra, changed: false, failed: true, skipped: false, msg };
}

/** A task (or loop item) whose `when` was false. */
export function skippedResult(falseCondition: string): Registered {
  return { changed: false, failed: false, skipped: true, msg: '', skip_reason: 'Conditional result was False', false_condition: falseCondition };
}

/** A loop's registered value: `results` per item, and what Ansible sums up from them. */
export function loopResult(results: Registered[]): Registered {
  const failed = results.some((r) => r.failed);
  const skipped = results.every((r) => r.skipped);
  const msg = failed ? 'One or more items failed' : results.length === 0 ? 'No items in the list' : skipped ? 'All items skipped' : 'All items completed';
  return { results, changed: results.some((r) => r.changed), failed, skipped, msg };
}

export function statusOf(r: Registered): Exclude<TaskStatus, 'unreachable'> {
  if (r.failed) return 'failed';
  if (r.skipped) return 'skipped';
  return r.changed ? 'changed' : 'ok';
}

/** String leaves of a value (rendered arguments, loop items): what no_log hides elsewhere too. */
export function stringLeaves(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => stringLeaves(x, out));
  else if (v !== null && typeof v === 'object') Object.values(v).forEach((x) => stringLeaves(x, out));
  return out;
}

/**
 * What no_log hides everywhere else too (the Redactor): whole outputs and their lines,
 * and the argument values that came from templates — the variables a secret lives
 * in. Literal arguments (`state: present`) stay: masking them would mangle output.
 */
export function secretsOf(r: Registered, rawArgs: unknown, renderedArgs: unknown): string[] {
  const values = templatedLeaves(rawArgs, renderedArgs);
  for (const key of ['stdout', 'stderr']) {
    const text = r[key];
    if (typeof text === 'string') values.push(text);
  }
  // Also trimmed and line by line: `content: "{{ pw }}\n"` comes back from `cat` without its newline.
  return values.flatMap((v) => [v, v.trim(), ...outputLines(v).map((l) => l.trim())]);
}

function templatedLeaves(raw: unknown, rendered: unknown, out: string[] = []): string[] {
  if (typeof raw === 'string') {
    if (raw.includes('{{')) stringLeaves(rendered, out);
  } else if (Array.isArray(raw) && Array.isArray(rendered)) {
    raw.forEach((x, i) => templatedLeaves(x, rendered[i], out));
  } else if (raw !== null && typeof raw === 'object' && rendered !== null && typeof rendered === 'object') {
    for (const [k, x] of Object.entries(raw)) templatedLeaves(x, (rendered as Record<string, unknown>)[k], out);
  }
  return out;
}
