// Ansible-like text for playbook results (SPEC 2), shared by the plain and the live
// reporters: `ok: [lab01]`, `changed: [lab01] => (item=web01)`,
// `fatal: [lab01]: FAILED! => msg`, `...ignoring`, diffs and command output.
import { paintDiff, painter, type Paint } from './color.js';
import type { TaskItemEvent, TaskResultEvent, TaskRetryEvent } from './events.js';
import { statusStyle } from './reporter.js';

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
  /** Colours for result lines and diffs (default: none). */
  paint?: Paint;
}

/** The lines for one task result. Loops whose items were printed get no summary line unless they failed. */
export function formatTaskResult(e: TaskResultEvent, o: FormatOptions): string[] {
  const paint = o.paint ?? painter(false);
  const lines: string[] = [];
  const itemsShown = e.items !== undefined && e.items.length > 0;
  if (e.diff && !itemsShown) lines.push(paintDiff(e.diff.replace(/\n$/, ''), paint));
  switch (e.status) {
    case 'unreachable':
      lines.push(paint('failed', `fatal: [${e.host}]: UNREACHABLE! => ${e.msg}`));
      break;
    case 'failed':
      lines.push(paint('failed', `fatal: [${e.host}]: FAILED! => ${e.msg}`));
      if (!itemsShown) lines.push(...outputBlock(e));
      if (e.ignored) lines.push(paint('skipped', '...ignoring'));
      break;
    default: {
      if (itemsShown) break;
      if (e.included !== undefined) {
        lines.push(...e.included.map((f) => `included: ${f} for ${e.host}`));
        break;
      }
      const label = e.status === 'skipped' ? 'skipping' : e.status;
      const attempts = e.attempts !== undefined && e.attempts > 1 ? ` (after ${e.attempts} attempts)` : '';
      lines.push(paint(statusStyle(e.status), `${label}: [${e.host}]${attempts}`));
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
  const paint = o.paint ?? painter(false);
  const lines: string[] = [];
  if (e.diff) lines.push(paintDiff(e.diff.replace(/\n$/, ''), paint));
  if (e.status === 'failed') {
    lines.push(paint('failed', `failed: [${e.host}] (item=${e.item}) => ${e.msg}`), ...outputBlock(e));
    return lines;
  }
  // An include_role's item names nothing (''): Ansible prints no line for it.
  if (e.included !== undefined) return e.included === '' ? lines : [...lines, `included: ${e.included} for ${e.host} => (item=${e.item})`];
  const label = e.status === 'skipped' ? 'skipping' : e.status;
  lines.push(paint(statusStyle(e.status), `${label}: [${e.host}] => (item=${e.item})`));
  if (o.verbose) lines.push(...(e.msg ? [`  msg: ${e.msg}`] : []), ...outputBlock(e));
  else if (e.show && e.status !== 'skipped' && e.msg) lines.push(`  msg: ${e.msg}`);
  return lines;
}

export function formatRetry(e: TaskRetryEvent): string {
  return `FAILED - RETRYING: [${e.host}]: ${e.task} (${e.retriesLeft} retries left).`;
}
