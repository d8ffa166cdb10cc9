// Colours on a terminal, as Ansible's default callback uses them (ok green, changed
// yellow, failed and unreachable red, skipped cyan, diffs green/red/cyan). NO_COLOR
// (any value) turns them off and FORCE_COLOR (not "0") on, as most tools agree
// (no-color.org); otherwise only a terminal gets them.

export type Style = 'ok' | 'changed' | 'failed' | 'skipped' | 'rescued' | 'added' | 'removed' | 'hunk' | 'warning';

const CODES: Record<Style, string> = {
  ok: '32', changed: '33', failed: '31', skipped: '36', rescued: '35', added: '32', removed: '31', hunk: '36', warning: '35',
};

export type Paint = (style: Style, text: string) => string;

export function colorEnabled(out: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return (out as { isTTY?: boolean }).isTTY === true;
}

export function painter(enabled: boolean): Paint {
  return enabled ? (style, text) => `\x1b[${CODES[style]}m${text}\x1b[0m` : (_style, text) => text;
}

/** A unified diff with its added, removed and hunk lines painted. */
export function paintDiff(diff: string, paint: Paint): string {
  return diff.split('\n').map((l) => {
    if (l.startsWith('+++') || l.startsWith('---')) return l;
    if (l.startsWith('+')) return paint('added', l);
    if (l.startsWith('-')) return paint('removed', l);
    if (l.startsWith('@@')) return paint('hunk', l);
    return l;
  }).join('\n');
}
