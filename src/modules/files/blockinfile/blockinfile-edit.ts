// blockinfile's edit, the way Ansible's blockinfile.py does it, as a pure function over
// the file's bytes: find the marker lines, drop the old block, put the new one where the
// markers were (or where insertafter/insertbefore say), with the optional blank lines
// around it (append_newline/prepend_newline, ansible-core 2.16).
//
// Text is a "binary string" (one char per byte, latin1) like Python's bytes; the caller
// converts the arguments. Regexps are Python's, run on RE2 (linear time).
import { compileUserRegex } from '../../../jinja/regex.js';
import { pyLineRegExp } from '../lineinfile/lineinfile-edit.js';
import { pyDecode, pyEncode } from '../py-codecs.js';
import { expandTemplate, parseTemplate } from '../replace-edit.js';

export interface BlockEditArgs {
  state: 'present' | 'absent';
  /** All binary strings (UTF-8 bytes), except markerBegin/markerEnd (text: Ansible encodes them as Latin-1). */
  block: string;
  marker: string;
  markerBegin: string;
  markerEnd: string;
  insertafter?: string | undefined;
  insertbefore?: string | undefined;
  appendNewline?: boolean;
  prependNewline?: boolean;
}

export interface BlockEdit {
  content: string;
  /** Ansible's message: '' (unchanged), 'File created', 'Block removed' or 'Block inserted'. */
  msg: string;
}

const NL = '\n';

/** Python's bytes.splitlines(keepends=True): lines end at \n, \r\n or \r. */
export function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/**
 * A marker line: `{mark}` in `marker` replaced by `mark` — through re.sub, so `mark` is
 * a replacement template (`\\` and `\n` are escapes) — and ended with a newline.
 */
export function markerLine(marker: string, mark: string): string {
  // six.b(): Latin-1, so a non-Latin-1 mark fails as in Ansible; `{mark}` has no groups but 0.
  const bytes = pyEncode(mark, 'latin-1').toString('latin1');
  const pieces = parseTemplate(bytes, { count: 0, names: new Map() });
  const value = expandTemplate(pieces, { start: 0, end: 0, group: (ref) => (ref === 0 ? '{mark}' : undefined) });
  return marker.split('{mark}').join(value) + NL;
}

/** Python 3.11 global inline flags lead a pattern: `(?m)` there makes the insert regexp search the whole file. */
function isMultiline(pattern: string): boolean {
  return (/^(?:\(\?[aiLmsux]+\))+/.exec(pattern)?.[0] ?? '').includes('m');
}

/**
 * What blockinfile.py writes for `original` (null: the file does not exist). Throws on
 * a bad regexp, and where Ansible's module fails (an insert position past the end).
 */
export function editBlock(original: string | null, a: BlockEditArgs): BlockEdit {
  const lines = original === null ? [] : splitLinesKeepEnds(original);
  const present = a.state === 'present';
  let { insertafter, insertbefore } = a;
  if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  // Unlike lineinfile, only EOF (after) and BOF (before) are special: `insertafter: BOF` is a regexp.
  const insertPattern = insertafter !== undefined && insertafter !== 'EOF' ? insertafter
    : insertbefore !== undefined && insertbefore !== 'BOF' ? insertbefore : undefined;
  const multiline = insertPattern !== undefined && isMultiline(insertPattern);
  const insertRe = insertPattern === undefined ? null : pyLineRegExp(insertPattern);

  const begin = markerLine(a.marker, a.markerBegin);
  const end = markerLine(a.marker, a.markerEnd);
  let blockLines: string[] = [];
  if (present && a.block !== '') {
    const block = a.block.endsWith(NL) ? a.block : a.block + NL;
    blockLines = [begin, ...splitLinesKeepEnds(block), end];
  }

  // The last begin and the last end marker.
  let n0 = -1;
  let n1 = -1;
  lines.forEach((line, i) => {
    if (line === begin) n0 = i;
    if (line === end) n1 = i;
  });

  if (n0 < 0 || n1 < 0) {
    n0 = -1;
    if (insertRe && insertPattern !== undefined) {
      if (multiline) {
        // (?m) in the pattern: one search over the whole file.
        const text = original ?? '';
        const m = compileUserRegex(insertPattern).exec(text);
        // Ansible counts newlines in the decoded text up to the match's byte offset.
        if (m && insertafter) n0 = newlinesBefore(text, m.end);
        else if (m && insertbefore) n0 = newlinesBefore(text, m.start);
      } else {
        lines.forEach((line, i) => {
          if (insertRe.search(line)) n0 = i;
        });
      }
      if (n0 < 0) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else {
      n0 = insertbefore !== undefined ? 0 : lines.length;
    }
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }

  if (n0 > 0) {
    if (n0 - 1 >= lines.length) throw new Error('list index out of range (the insert regexp matched past the last line)');
    if (!lines[n0 - 1]!.endsWith(NL)) lines[n0 - 1] += NL;
  }
  if (a.prependNewline && present && n0 !== 0 && lines[n0 - 1] !== NL) {
    lines.splice(n0, 0, NL);
    n0 += 1;
  }
  lines.splice(n0, 0, ...blockLines);
  if (a.appendNewline && present) {
    const after = n0 + blockLines.length;
    if (after < lines.length && lines[after] !== NL) lines.splice(after, 0, NL);
  }

  const content = lines.join('');
  const msg = original === content ? '' : original === null ? 'File created' : blockLines.length === 0 ? 'Block removed' : 'Block inserted';
  return { content, msg };
}

/** `to_native(original).count('\n', 0, offset)`: the byte offset used as an index into the decoded text, as Ansible does. */
function newlinesBefore(text: string, offset: number): number {
  const chars = Array.from(pyDecode(Buffer.from(text, 'latin1'), 'utf-8')).slice(0, offset);
  return chars.filter((c) => c === NL).length;
}
