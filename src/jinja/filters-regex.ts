// Ansible's regex_replace, regex_search and regex_findall (ansible/plugins/filter/core.py)
// on the linear-time engine of regex.ts. Replacements use Python's re.sub template
// syntax: \1, \g<1>, \g<name> and the escapes \n, \t, \\.
import type { Builtin, CallContext } from './builtin.js';
import { compileUserRegex, type RegexMatch, type UserRegex } from './regex.js';
import { pyStr, truthy, typeName } from './values.js';

function compile(pattern: unknown, ignorecase: unknown, multiline: unknown, ctx: CallContext): UserRegex {
  if (typeof pattern !== 'string') ctx.fail(`the pattern must be a string, not a ${typeName(pattern)}`);
  try {
    return compileUserRegex(pattern as string, { ignoreCase: truthy(ignorecase), multiline: truthy(multiline) });
  } catch (err) {
    return ctx.fail(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

type Piece = string | number | { name: string };

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['n', '\n'], ['t', '\t'], ['r', '\r'], ['a', '\x07'], ['b', '\b'], ['f', '\f'], ['v', '\v'], ['\\', '\\'],
]);

/** Python's re template parsing: literal text and group references. */
function parseTemplate(repl: string, re: UserRegex, ctx: CallContext): Piece[] {
  const pieces: Piece[] = [];
  let lit = '';
  const group = (ref: number | string): void => {
    const n = typeof ref === 'number' ? ref : /^\d+$/.test(ref) ? Number(ref) : re.groups.names.get(ref);
    if (n === undefined) ctx.fail(`regex_replace: unknown group name '${String(ref)}'`);
    if (n! > re.groups.count) ctx.fail(`regex_replace: invalid group reference ${n}`);
    pieces.push(lit, n!);
    lit = '';
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== '\\' || i + 1 >= repl.length) { lit += c; continue; }
    const d = repl[i + 1]!;
    const digits = /^\d{1,2}/.exec(repl.slice(i + 1));
    if (d === 'g') {
      const m = /^<([^>]*)>/.exec(repl.slice(i + 2)) ?? ctx.fail('regex_replace: missing < or > in \\g<…>');
      group(m[1]!);
      i += 1 + m[0].length;
    } else if (digits && d !== '0') {
      group(Number(digits[0]));
      i += digits[0].length;
    } else if (ESCAPES.has(d)) {
      lit += ESCAPES.get(d);
      i++;
    } else if (/[A-Za-z]/.test(d)) {
      ctx.fail(`regex_replace: bad escape \\${d} in the replacement`);
    } else {
      lit += c; // Python keeps an unknown non-letter escape as it is: backslash and all
    }
  }
  pieces.push(lit);
  return pieces.filter((p) => p !== '');
}

function expand(pieces: readonly Piece[], m: RegexMatch): string {
  return pieces.map((p) => (typeof p === 'string' ? p : typeof p === 'number' ? m.group(p) ?? '' : m.group(p.name) ?? '')).join('');
}

/** re.sub(pattern, repl, text, count): count 0 replaces every match. */
function substitute(text: string, re: UserRegex, repl: string, count: number, ctx: CallContext): string {
  const pieces = parseTemplate(repl, re, ctx);
  let out = '';
  let last = 0;
  let n = 0;
  for (const m of re.all(text)) {
    if (count > 0 && n >= count) break;
    out += text.slice(last, m.start) + expand(pieces, m);
    last = m.end;
    n++;
  }
  return out + text.slice(last);
}

const regexReplace: Builtin = {
  // regex_replace(value, pattern='', replacement='', ignorecase=False, multiline=False);
  // `count` came with ansible-core 2.17 and is refused, as 2.14 does.
  minArgs: 0, maxArgs: 4, kwargs: ['pattern', 'replacement', 'ignorecase', 'multiline'],
  apply: (v, [pattern, replacement, ignorecase, multiline], ctx, kw) => {
    const re = compile(pattern ?? kw.pattern ?? '', ignorecase ?? kw.ignorecase, multiline ?? kw.multiline, ctx);
    return substitute(pyStr(v), re, pyStr(replacement ?? kw.replacement ?? ''), 0, ctx);
  },
};

const regexSearch: Builtin = {
  // regex_search(value, regex, *group_refs, ignorecase=False, multiline=False)
  minArgs: 1, maxArgs: Infinity, kwargs: ['ignorecase', 'multiline'],
  apply: (v, [pattern, ...refs], ctx, kw) => {
    const groups = refs.map((r) => {
      const s = pyStr(r);
      const named = /^\\g<(\S+)>/.exec(s);
      if (named) return named[1]!;
      const num = /^\\(\d+)/.exec(s);
      return num ? Number(num[1]) : ctx.fail(`regex_search: unknown argument ${JSON.stringify(s)}`);
    });
    const m = compile(pattern, kw.ignorecase, kw.multiline, ctx).exec(pyStr(v));
    if (!m) return null;
    if (groups.length === 0) return m.group(0) ?? '';
    return groups.map((g) => m.group(g) ?? null);
  },
};

const regexFindall: Builtin = {
  // regex_findall(value, regex, multiline=False, ignorecase=False): re.findall's shapes.
  minArgs: 1, maxArgs: 3, kwargs: ['multiline', 'ignorecase'],
  apply: (v, [pattern, multiline, ignorecase], ctx, kw) => {
    const re = compile(pattern, ignorecase ?? kw.ignorecase, multiline ?? kw.multiline, ctx);
    const all = re.all(pyStr(v));
    const count = re.groups.count;
    if (count === 0) return all.map((m) => m.group(0) ?? '');
    if (count === 1) return all.map((m) => m.group(1) ?? '');
    return all.map((m) => Array.from({ length: count }, (_x, i) => m.group(i + 1) ?? ''));
  },
};

export const REGEX_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['regex_replace', regexReplace],
  ['regex_search', regexSearch],
  ['regex_findall', regexFindall],
  ['regex_escape', {
    minArgs: 0, maxArgs: 1, kwargs: ['re_type'],
    // Python 3.7+'s re.escape: only the characters special in a pattern get a backslash.
    apply: (v) => pyStr(v).replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => `\\${c}`),
  }],
];
