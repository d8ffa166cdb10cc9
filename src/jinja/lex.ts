// Tokenizer for Jinja2-style expressions. Positions are 0-based offsets into the
// original source; the `{{ … }}` wrapper is blanked out by the caller rather than
// sliced off, so offsets stay valid for error columns.
import { ExprSyntaxError } from './errors.js';

export type Token =
  | { kind: 'num'; value: number; pos: number; end: number }
  | { kind: 'str'; value: string; pos: number; end: number }
  | { kind: 'name'; value: string; pos: number; end: number }
  | { kind: 'op'; value: string; pos: number; end: number }
  | { kind: 'eof'; value: ''; pos: number; end: number };

// Matched longest first, so `//` wins over `/` and `<=` over `<`. A lone `=` is a token
// only so the parser can explain it (keyword arguments, `=` for `==`).
const OPERATORS: ReadonlySet<string> = new Set(['**', '//', '==', '!=', '<=', '>=',
  '<', '>', '+', '-', '*', '/', '%', '~', '|', '.', ',', ':', '(', ')', '[', ']', '{', '}', '=']);
const OPENERS: ReadonlyMap<string, string> = new Map([['(', ')'], ['[', ']'], ['{', '}']]);
const CLOSERS: ReadonlySet<string> = new Set([')', ']', '}']);

// Common slips from JavaScript or shell; a targeted message beats "unexpected character".
const MISTAKES: ReadonlyMap<string, string> = new Map([
  ['===', "use '==' instead of '==='"],
  ['!==', "use '!=' instead of '!=='"],
  ['&&', "use 'and' instead of '&&'"],
  ['||', "use 'or' instead of '||'"],
  ['{{', "'{{ }}' may only wrap the whole expression"],
  ['}}', "'{{ }}' may only wrap the whole expression"],
  ['!', "use 'not' instead of '!'"],
]);

export const WORD_OPERATORS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['n', '\n'], ['t', '\t'], ['r', '\r'], ['0', '\0'], ['\\', '\\'], ["'", "'"], ['"', '"'],
]);

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isNameStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isNamePart = (c: string): boolean => isNameStart(c) || isDigit(c);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || /\s/.test(c);

/** The longest operator or known mistake at `i`, longest match first. */
function matchSymbol(source: string, i: number, inBrackets: boolean): { op: string } | { mistake: string } | null {
  for (let len = 3; len >= 1; len--) {
    const text = source.slice(i, i + len);
    if (text.length < len) continue;
    // `{'a': {'b': 1}}` closes two dicts; only outside brackets is `}}` a misplaced wrapper.
    const mistake = inBrackets && (text === '{{' || text === '}}') ? undefined : MISTAKES.get(text);
    if (mistake !== undefined) return { mistake };
    if (OPERATORS.has(text)) return { op: text };
  }
  return null;
}

/** `original` is the source as written, for errors, when `source` has its `{{ }}` blanked. */
export function tokenize(source: string, original = source): Token[] {
  return tokenizeFrom(source, original, 0, null);
}

/**
 * The expression inside a template tag, from `start` up to the tag's end (`}}` or `%}`,
 * with an optional `-` or `+` before it) outside any brackets, as Jinja's lexer does.
 * The eof token sits at that end marker; a missing end is an error.
 */
export function tokenizeTag(source: string, tagStart: number, start: number, stop: '}}' | '%}', literalBackslashes = false): Token[] {
  return tokenizeFrom(source, source, start, stop, tagStart, literalBackslashes);
}

/** `literalBackslashes`: a backslash in a string is itself (Ansible's escape_backslashes). */
function tokenizeFrom(source: string, original: string, from: number, stop: string | null, tagStart = from, literalBackslashes = false): Token[] {
  const tokens: Token[] = [];
  const fail = (pos: number, detail: string): never => {
    throw new ExprSyntaxError(original, pos + 1, detail);
  };
  const brackets: string[] = [];
  let i = from;
  for (;;) {
    if (i >= source.length) {
      if (stop !== null) fail(tagStart, `missing '${stop}' to close this tag`);
      break;
    }
    const c = source[i]!;
    if (isSpace(c)) { i++; continue; }
    if (stop !== null && brackets.length === 0
      && (source.startsWith(stop, i) || ((c === '-' || c === '+') && source.startsWith(stop, i + 1)))) {
      tokens.push({ kind: 'eof', value: '', pos: i, end: i });
      return tokens;
    }
    const start = i;
    const prev = tokens.at(-1);
    // After a dot only an integer may follow: `list.0.1` is two subscripts, not `0.1`.
    const afterDot = prev?.kind === 'op' && prev.value === '.';
    // After a value, `.5` is attribute 5 (`list.5`), not the number 0.5.
    const afterValue = prev !== undefined && (prev.kind === 'op' ? prev.value === ')' || prev.value === ']'
      : !(prev.kind === 'name' && WORD_OPERATORS.has(prev.value)));
    if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? '') && !afterValue)) {
      const re = afterDot ? /[0-9]+/y : /(?:[0-9][0-9_]*)?(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?/y;
      re.lastIndex = i;
      const text = re.exec(source)![0];
      i += text.length;
      if (isNamePart(source[i] ?? '')) fail(start, `malformed number '${source.slice(start, i + 1)}'`);
      // Python allows `_` only between digits: 1_000, not 1_, 1__0 or 1_.5.
      if (/_(?![0-9])/.test(text)) fail(start, `malformed number '${text}'`);
      tokens.push({ kind: 'num', value: Number(text.replaceAll('_', '')), pos: start, end: i });
      continue;
    }
    if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) fail(start, 'unterminated string');
        const d = source[i]!;
        if (d === c) { i++; break; }
        if (d !== '\\' || literalBackslashes) { value += d; i++; continue; }
        const e = source[i + 1] ?? '';
        const simple = ESCAPES.get(e);
        if (simple !== undefined) { value += simple; i += 2; continue; }
        const hex = e === 'x' ? 2 : e === 'u' ? 4 : 0;
        const digits = source.slice(i + 2, i + 2 + hex);
        if (hex && /^[0-9a-fA-F]+$/.test(digits) && digits.length === hex) {
          value += String.fromCharCode(parseInt(digits, 16));
          i += 2 + hex;
          continue;
        }
        // Python keeps unknown escapes verbatim: '\d' is backslash + d (handy in regexes).
        value += '\\';
        i++;
      }
      tokens.push({ kind: 'str', value, pos: start, end: i });
      continue;
    }
    if (isNameStart(c)) {
      while (i < source.length && isNamePart(source[i]!)) i++;
      tokens.push({ kind: 'name', value: source.slice(start, i), pos: start, end: i });
      continue;
    }
    const symbol = matchSymbol(source, i, brackets.length > 0);
    if (symbol === null) fail(start, `unexpected character '${c}'`);
    if ('mistake' in symbol!) fail(start, symbol.mistake);
    const op = (symbol as { op: string }).op;
    const closer = OPENERS.get(op);
    if (closer !== undefined) brackets.push(closer);
    else if (CLOSERS.has(op) && brackets.at(-1) === op) brackets.pop();
    i += op.length;
    tokens.push({ kind: 'op', value: op, pos: start, end: i });
  }
  tokens.push({ kind: 'eof', value: '', pos: source.length, end: source.length });
  return tokens;
}
