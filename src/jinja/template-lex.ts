// Template lexer: splits a Jinja template into text, `{{ expr }}`, `{% stmt %}` and
// `{# comment #}` (dropped), applying whitespace control as Jinja2 3.x's lexer does:
// `{%-`/`-%}` (also on `{{ }}` and `{# #}`) strip all whitespace before/after the tag,
// `{%+`/`+%}` opt out of lstrip_blocks/trim_blocks, trim_blocks drops the newline after a
// block or comment tag, lstrip_blocks the spaces and tabs before one on its own line.
// `{% raw %}…{% endraw %}` comes out as text. Offsets stay those of the whole source.
import { ExprSyntaxError } from './errors.js';
import { type Token, tokenizeTag } from './lex.js';

export interface LexOptions {
  trimBlocks?: boolean | undefined;
  lstripBlocks?: boolean | undefined;
  keepTrailingNewline?: boolean | undefined;
  /**
   * Ansible's escape_backslashes, applied when it templates a variable: inside `{{ }}` a
   * backslash in a string literal is a plain backslash ('\d' stays backslash-d).
   */
  escapeBackslashes?: boolean | undefined;
}

export type Segment =
  | { kind: 'text'; text: string; pos: number }
  /** `{{ … }}` or `{% … %}`: the tag's tokens, ending with eof at its closing marker. */
  | { kind: 'output' | 'block'; tokens: Token[]; pos: number };

const OPENER = /\{\{|\{%|\{#/g;
const LEADING_SPACE = /^\s*/;
const RAW_END = /\{%([-+]?)\s*endraw\s*([-+]?)%\}/g;

/** Python's str.rstrip(): Jinja strips all whitespace, newlines included, before `{%-`. */
const rstrip = (s: string): string => s.replace(/\s+$/, '');

export function lexTemplate(source: string, options: LexOptions = {}): Segment[] {
  // Jinja drops one trailing newline unless told to keep it.
  const limit = !options.keepTrailingNewline && source.endsWith('\n')
    ? source.length - (source.endsWith('\r\n') ? 2 : 1) : source.length;
  const segments: Segment[] = [];
  const fail = (pos: number, detail: string): never => {
    throw new ExprSyntaxError(source, pos + 1, detail);
  };
  let i = 0;
  /** Text before a tag at `tagStart`, trimmed as the tag's modifier and kind ask. */
  const pushText = (textStart: number, tagStart: number, modifier: string, lstrips: boolean): void => {
    let text = source.slice(textStart, tagStart);
    if (modifier === '-') {
      text = rstrip(text);
    } else if (modifier !== '+' && lstrips && options.lstripBlocks) {
      const lineStart = text.lastIndexOf('\n') + 1;
      const lineStarting = lineStart > 0 || textStart === 0 || source[textStart - 1] === '\n';
      if (lineStarting && /^[ \t]+$/.test(text.slice(lineStart))) text = text.slice(0, lineStart);
    }
    if (text !== '') segments.push({ kind: 'text', text: text.replace(/\r\n?/g, '\n'), pos: textStart });
  };
  /** Offset after a closing marker at `end` (`%}`, `-%}`, `+%}`…) and what follows it. */
  const afterClose = (end: number, marker: string, trims: boolean): number => {
    const modifier = source[end] === '-' || source[end] === '+' ? source[end]! : '';
    let j = end + modifier.length + marker.length;
    if (modifier === '-') j += LEADING_SPACE.exec(source.slice(j, limit))![0].length;
    else if (modifier === '' && trims && options.trimBlocks) {
      if (source.startsWith('\r\n', j) && j + 2 <= limit) j += 2;
      else if ((source[j] === '\n' || source[j] === '\r') && j < limit) j += 1;
    }
    return Math.min(j, limit);
  };
  while (i < limit) {
    OPENER.lastIndex = i;
    const m = OPENER.exec(source);
    if (m === null || m.index >= limit) {
      pushText(i, limit, '', false);
      break;
    }
    const tagStart = m.index;
    const opener = m[0];
    const modifier = source[tagStart + 2] === '-' || (source[tagStart + 2] === '+' && opener !== '{{') ? source[tagStart + 2]! : '';
    const contentStart = tagStart + 2 + modifier.length;
    pushText(i, tagStart, modifier, opener !== '{{');
    if (opener === '{#') {
      const close = /[-+]?#\}/g;
      close.lastIndex = contentStart;
      const c = close.exec(source);
      if (c === null || c.index >= limit) fail(tagStart, "missing '#}' to close this comment");
      i = afterClose(c!.index, '#}', true);
      continue;
    }
    const tokens = tokenizeTag(source.slice(0, limit), tagStart, contentStart, opener === '{{' ? '}}' : '%}',
      opener === '{{' && options.escapeBackslashes === true);
    const end = tokens.at(-1)!.pos;
    if (opener === '{{') {
      segments.push({ kind: 'output', tokens, pos: tagStart });
      i = afterClose(end, '}}', false);
      continue;
    }
    const isRaw = tokens.length === 2 && tokens[0]!.kind === 'name' && tokens[0]!.value === 'raw';
    if (!isRaw) {
      segments.push({ kind: 'block', tokens, pos: tagStart });
      i = afterClose(end, '%}', true);
      continue;
    }
    // Jinja applies no trim_blocks after `{% raw %}`, only `-%}`.
    const rawStart = afterClose(end, '%}', false);
    RAW_END.lastIndex = rawStart;
    const r = RAW_END.exec(source);
    if (r === null || r.index >= limit) return fail(tagStart, "missing '{% endraw %}' to close this raw block");
    pushText(rawStart, r.index, r[1]!, true);
    i = afterClose(r.index + r[0].length - 2 - r[2]!.length, '%}', true);
  }
  return segments;
}
