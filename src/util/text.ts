// Text helpers for modules: content digests and the unified diffs of --diff (SPEC 6).
// The diff algorithm comes from the `diff` package (jsdiff): a Myers diff with proper
// hunk context is easy to get subtly wrong by hand, and jsdiff is the well-kept one.
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Ansible's `checksum` field is a sha1 of the content; kept for registered results. */
export function sha1(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/** What Ansible and git call binary: a NUL byte, or bytes that are not UTF-8. */
export function isBinary(data: Buffer): boolean {
  if (data.includes(0)) return true;
  return !Buffer.from(data.toString('utf8'), 'utf8').equals(data);
}

/**
 * A unified diff from `before` to `after`, headed `--- before: PATH` / `+++ after: PATH`
 * as Ansible prints it. Empty string when both are equal.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(`before: ${path}`, `after: ${path}`, before, after, undefined, undefined, { context });
  // jsdiff opens with a line of '=' (svn style) and tab-separated empty headers: drop both.
  return patch
    .split('\n')
    .filter((line, i) => !(i === 0 && /^=+$/.test(line)))
    .map((line) => (/^(---|\+\+\+) /.test(line) ? line.replace(/\t$/, '') : line))
    .join('\n');
}

/** Python's str.splitlines() for \n, \r\n and \r: what Ansible's `stdout_lines` uses. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (/(\r\n|\r|\n)$/.test(text)) lines.pop();
  return lines;
}
