// Ansible-like text for playbook results (SPEC 2), shared by the plain and the live
// reporters: `ok: [lab01]`, `changed: [lab01] => (item=web01)`,
// `fatal: [lab01]: FAILED! => msg`, `...ignoring`, diffs and command output.
import type { TaskItemEvent, TaskResultEvent, TaskRetryEvent } from './events.js';

const WIDTH = 80;

/** `TASK [name] ******…` padded to 80 columns, as Ansible's banner. */
export function banner(text: string): string {
  return `${text} ${'*'.repeat(Math.max(3, WIDTH - text.length - 1))}`;
}

export function taskBanner(task: string, handler: boolean | undefined): string {
  return banner(`${handler ? 'RUNNING HANDLER' : 'TASK'} [${task}]`);
}

function indent(text: string, by = '    '): string {
  return text.replace(/\n$/, '').split('\n').map((l) => by + l).join('\n');
}

/** rc, stdout and stderr under a result line (failures always; others with -v). */
function outputBlock(e: { rc?: number | null; stdout?: string; stderr?: string }): string[] {
  const lines: string[] = [];
  if (e.rc !== undefined) lines.push(`  rc: ${e.rc ?? 'none'}`);
  if (e.stdout) lines.push('  stdout:', indent(e.stdout));
  if (e.stderr) lines.push('  stderr:', indent(e.stderr));
  return lines;
}

export interface FormatOptions {
  verbose: boolean;
}

/** The lines for one task result. Loops whose items were printed get no summary line unless they failed. */
export function formatTaskResult(e: TaskResultEvent, o: FormatOptions): string[] {
  const lines: string[] = [];
  const itemsShown = e.items !== undefined && e.items.length > 0;
  if (e.diff && !itemsShown) lines.push(e.diff.replace(/\n$/, ''));
  switch (e.status) {
    case 'unreachable':
      lines.push(`fatal: [${e.host}]: UNREACHABLE! => ${e.msg}`);
      break;
    case 'failed':
      lines.push(`fatal: [${e.host}]: FAILED! => ${e.msg}`);
      if (!itemsShown) lines.push(...outputBlock(e));
      if (e.ignored) lines.push('...ignoring');
      break;
    default: {
      if (itemsShown) break;
      if (e.included !== undefined) {
        lines.push(...e.included.map((f) => `included: ${f} for ${e.host}`));
        break;
      }
      const label = e.status === 'skipped' ? 'skipping' : e.status;
      const attempts = e.attempts !== undefined && e.attempts > 1 ? ` (after ${e.attempts} attempts)` : '';
      lines.push(`${label}: [${e.host}]${attempts}`);
      if (o.verbose) {
        if (e.msg) lines.push(`  msg: ${e.msg}`);
        lines.push(...outputBlock(e));
      } else if (e.show && e.status !== 'skipped' && e.msg) {
        lines.push(`  msg: ${e.msg}`);
      }
    }
  }
  return lines;
}

export function formatItem(e: TaskItemEvent, o: FormatOptions): string[] {
  const lines: string[] = [];
  if (e.diff) lines.push(e.diff.replace(/\n$/, ''));
  if (e.status === 'failed') {
    lines.push(`failed: [${e.host}] (item=${e.item}) => ${e.msg}`, ...outputBlock(e));
    return lines;
  }
  // An include_role's item names nothing (''): Ansible prints no line for it.
  if (e.included !== undefined) return e.included === '' ? lines : [...lines, `included: ${e.included} for ${e.host} => (item=${e.item})`];
  const label = e.status === 'skipped' ? 'skipping' : e.status;
  lines.push(`${label}: [${e.host}] => (item=${e.item})`);
  if (o.verbose) lines.push(...(e.msg ? [`  msg: ${e.msg}`] : []), ...outputBlock(e));
  else if (e.show && e.status !== 'skipped' && e.msg) lines.push(`  msg: ${e.msg}`);
  return lines;
}

export function formatRetry(e: TaskRetryEvent): string {
  return `FAILED - RETRYING: [${e.host}]: ${e.task} (${e.retriesLeft} retries left).`;
}
