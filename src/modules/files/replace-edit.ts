// `replace`'s edit, the way Ansible's replace.py does it, as pure functions over the
// decoded text: the optional section between `after` and `before` (DOTALL), then
// re.subn(regexp, replace, section) in MULTILINE mode.
//
// Ansible decodes the file and matches *str* patterns, where Python's \w, \d and \s are
// Unicode classes; RE2's are ASCII. pyTextPattern translates them (and \uXXXX), so
// `\w+` takes "café" whole as Python does. \b stays ASCII (RE2 has no other).
import { RE2JS } from 're2js';
import { compileUserRegex, type RegexMatch, type UserRegex, type UserRegexGroups } from '../../jinja/regex.js';

const WORD = '\\p{L}\\p{N}_';
const DIGIT = '\\p{Nd}';
// str.isspace(): what Python's \s matches in a str pattern.
const SPACE = '\\t\\n\\x{b}\\f\\r\\x{1c}-\\x{1f} \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}';
const OUTSIDE: Readonly<Record<string, string>> = { w: `[${WORD}]`, W: `[^${WORD}]`, d: DIGIT, D: '\\P{Nd}', s: `[${SPACE}]`, S: `[^${SPACE}]` };
// Inside a class only the positive ones can be spelled out; \W and \S stay ASCII there.
const INSIDE: Readonly<Record<string, string>> = { w: WORD, d: DIGIT, D: '\\P{Nd}', s: SPACE };

/** A Python str pattern in RE2's syntax with Python's Unicode \w \d \s (unless `(?a)`). */
export function pyTextPattern(pattern: string): string {
  // Global flags lead the pattern (Python 3.11 requires it): `a` (ASCII) and `u` are Python's alone.
  const lead = /^(?:\(\?[aiLmsux]+\))+/.exec(pattern)?.[0] ?? '';
  if (lead.includes('L')) throw new Error('bad inline flags: cannot use \'L\' flag with a str pattern');
  const flags = lead.replace(/\(\?([a-zA-Z]+)\)/g, (_all, f: string) => {
    const kept = f.replace(/[au]/g, '');
    return kept === '' ? '' : `(?${kept})`;
  });
  const rest = pattern.slice(lead.length);
  return flags + (lead.includes('a') ? rest : unicodeClasses(rest));
}

function unicodeClasses(p: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      const e = p[++i]!;
      if (e === 'u' || e === 'U') {
        const hex = p.slice(i + 1, i + 1 + (e === 'u' ? 4 : 8));
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== (e === 'u' ? 4 : 8)) throw new Error(`bad escape \\${e}${hex}`);
        out += `\\x{${hex}}`;
        i += hex.length;
        continue;
      }
      out += (inClass ? INSIDE[e] : OUTSIDE[e]) ?? `\\${e}`;
      continue;
    }
    out += c;
    if (!inClass && c === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal one.
      if (p[i + 1] === '^') out += p[++i];
      if (p[i + 1] === ']') out += `\\${p[++i]!}`;
    } else if (inClass && c === ']') {
      inClass = false;
    }
  }
  return out;
}

/** A compiled Python str pattern (Unicode classes), on RE2. */
export function compileTextRegex(pattern: string, o: { multiline?: boolean } = {}): UserRegex {
  return compileUserRegex(pyTextPattern(pattern), o);
}

/** Python's re template: literal text and group references (by number or name). */
export type TemplatePiece = string | number | { name: string };

const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Parse `repl` as Python's re.sub does (3.11 rules), against a pattern's groups; throws on what Python refuses. */
export function parseTemplate(repl: string, groups: UserRegexGroups): TemplatePiece[] {
  const pieces: TemplatePiece[] = [];
  let lit = '';
  const group = (ref: number | string): void => {
    const n = typeof ref === 'number' ? ref : /^\d+$/.test(ref) ? Number(ref) : groups.names.get(ref);
    if (n === undefined) {
      if (!/^[A-Za-z_]\w*$/.test(String(ref))) throw new Error(`bad character in group name '${String(ref)}'`);
      throw new Error(`unknown group name '${String(ref)}'`);
    }
    if (n > groups.count) throw new Error(`invalid group reference ${n}`);
    pieces.push(lit, n);
    lit = '';
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== '\\' || i + 1 >= repl.length) {
      lit += c;
      continue;
    }
    const d = repl[++i]!;
    if (d === 'g') {
      if (repl[i + 1] !== '<') throw new Error('missing <');
      const close = repl.indexOf('>', i + 2);
      if (close < 0) throw new Error('missing >, unterminated name');
      const name = repl.slice(i + 2, close);
      if (name === '') throw new Error('missing group name');
      group(name);
      i = close;
    } else if (d === '0') {
      const oct = /^[0-7]{0,2}/.exec(repl.slice(i + 1))![0];
      lit += String.fromCharCode(parseInt(`0${oct}`, 8));
      i += oct.length;
    } else if (/\d/.test(d)) {
      const three = repl.slice(i, i + 3);
      if (/^[0-7]{3}$/.test(three)) {
        const code = parseInt(three, 8);
        if (code > 0o377) throw new Error(`octal escape value \\${three} outside of range 0-0o377`);
        lit += String.fromCharCode(code);
        i += 2;
      } else {
        const digits = /^\d{1,2}/.exec(repl.slice(i))![0];
        group(Number(digits));
        i += digits.length - 1;
      }
    } else if (ESCAPES[d] !== undefined) {
      lit += ESCAPES[d];
    } else if (/[A-Za-z]/.test(d)) {
      throw new Error(`bad escape \\${d}`);
    } else {
      lit += `\\${d}`; // Python keeps other escapes as they are
    }
  }
  pieces.push(lit);
  return pieces.filter((p) => p !== '');
}

export function expandTemplate(pieces: readonly TemplatePiece[], m: RegexMatch): string {
  return pieces.map((p) => (typeof p === 'string' ? p : m.group(typeof p === 'number' ? p : p.name) ?? '')).join('');
}

/** re.subn(re, repl, text): the new text and how many matches were replaced (Python 3.7+ empty-match rules). */
export function subn(text: string, re: UserRegex, repl: string): { text: string; count: number } {
  const pieces = parseTemplate(repl, re.groups);
  let out = '';
  let last = 0;
  let count = 0;
  for (const m of re.all(text)) {
    out += text.slice(last, m.start) + expandTemplate(pieces, m);
    last = m.end;
    count++;
  }
  return { text: out + text.slice(last), count };
}

export interface ReplaceArgs {
  regexp: string;
  replace: string;
  after?: string | undefined;
  before?: string | undefined;
}

export type ReplaceEdit =
  | { kind: 'edited'; text: string; count: number; changed: boolean; msg: string }
  /** after/before matched nothing: Ansible stops there (unchanged, no attribute check). */
  | { kind: 'no-section'; msg: string };

/** What replace.py does to the decoded file text `contents`. Throws on a pattern Python would refuse. */
export function editReplace(contents: string, a: ReplaceArgs): ReplaceEdit {
  // Ansible tests them for truth: an empty after/before is no bound.
  const after = a.after ? a.after : undefined;
  const before = a.before ? a.before : undefined;
  let section = contents;
  let bounds: [number, number] | null = null;
  if (after !== undefined || before !== undefined) {
    const pattern = after !== undefined && before !== undefined ? `${after}(?P<subsection>.*?)${before}`
      : after !== undefined ? `${after}(?P<subsection>.*)` : `(?P<subsection>.*)${before ?? ''}`;
    bounds = findSection(contents, pattern);
    if (!bounds) return { kind: 'no-section', msg: `Pattern for before/after params did not match the given file: ${pattern}` };
    section = contents.slice(bounds[0], bounds[1]);
  }
  const r = subn(section, compileTextRegex(a.regexp, { multiline: true }), a.replace);
  if (r.count === 0 || r.text === section) return { kind: 'edited', text: contents, count: r.count, changed: false, msg: '' };
  const text = bounds ? contents.slice(0, bounds[0]) + r.text + contents.slice(bounds[1]) : r.text;
  return { kind: 'edited', text, count: r.count, changed: true, msg: `${r.count} replacements made` };
}

/** Where the `subsection` group of the first match of `pattern` (DOTALL) is; null without a match. */
function findSection(contents: string, pattern: string): [number, number] | null {
  // Python puts `after` first: its global flags lead the whole pattern.
  const translated = `(?s)${pyTextPattern(pattern)}`;
  compileUserRegex(translated); // its errors explain refused syntax (backreferences, lookaround)
  // The group's offsets (not only its text) are needed: RE2 directly, Python's \Z as RE2's \z.
  const m = RE2JS.compile(translated.replace(/(?<!\\)((?:\\\\)*)\\Z/g, '$1\\z')).matcher(contents);
  if (!m.find()) return null;
  const start = m.start('subsection');
  if (start < 0) throw new Error("the before/after pattern matched without its 'subsection' group");
  return [start, m.end('subsection')];
}
