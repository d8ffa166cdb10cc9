// String filters with Python's str semantics: Jinja's lower/upper/capitalize/title/trim/
// replace/center/indent/format and Ansible's split/quote (shlex.quote). Every input is
// first made a string with Python's str(), as Jinja's soft_str does.
import type { Builtin, CallContext } from './builtin.js';
import { intArg, splitLines } from './filters-support.js';
import { isPlainObject, pyRepr, pyStr, truthy, typeName } from './values.js';

const str1 = (f: (s: string) => string): Builtin => ({ minArgs: 0, maxArgs: 0, apply: (v) => f(pyStr(v)) });

/** Python's str.strip(chars): whitespace when chars is None. */
function strip(s: string, chars: unknown): string {
  if (chars === undefined || chars === null) return s.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/gu, '');
  const set = new Set(pyStr(chars));
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (a < b && set.has(cps[a]!)) a++;
  while (b > a && set.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

const capitalize = (s: string): string => {
  const [first = '', ...rest] = [...s];
  return first.toUpperCase() + rest.join('').toLowerCase();
};

/** Jinja's do_title: each piece after `-`, whitespace or an opening bracket is capitalized. */
const title = (s: string): string => s.split(/([-\s({[<]+)/u).filter((p) => p !== '').map(capitalize).join('');

/** Python's str.replace(old, new, count): an empty `old` inserts between characters. */
function replace(s: string, old: string, repl: string, count: number): string {
  if (count < 0) count = Infinity;
  if (old === '') {
    const cps = [...s];
    let out = '';
    let n = 0;
    for (let i = 0; i <= cps.length; i++) {
      if (n < count) { out += repl; n++; }
      if (i < cps.length) out += cps[i];
    }
    return out;
  }
  const parts = s.split(old);
  if (parts.length - 1 <= count) return parts.join(repl);
  return parts.slice(0, count + 1).join(repl) + old + parts.slice(count + 1).join(old);
}

/** Python's str.split(sep=None, maxsplit=-1). */
export function pySplit(s: string, sep: unknown, maxsplit: number, ctx: CallContext): string[] {
  if (maxsplit < 0) maxsplit = Infinity;
  if (sep === null || sep === undefined) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/u, '');
    while (rest !== '') {
      if (out.length >= maxsplit) { out.push(rest.replace(/\s+$/u, '')); break; }
      const m = /\s+/u.exec(rest);
      if (!m) { out.push(rest); break; }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const sepText = pyStr(sep);
  if (sepText === '') ctx.fail('split: empty separator');
  const parts = s.split(sepText);
  if (parts.length - 1 <= maxsplit) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sepText)];
}

/** Python's str.center(width, fill): an odd margin puts the extra space left when width is odd. */
function center(s: string, width: number, fill = ' '): string {
  const len = [...s].length;
  const marg = width - len;
  if (marg <= 0) return s;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return fill.repeat(left) + s + fill.repeat(marg - left);
}

/** Jinja 3's do_indent(width=4, first=False, blank=False). */
function indent(s: string, width: unknown, first: unknown, blank: unknown, ctx: CallContext): string {
  const pad = typeof width === 'string' ? width : ' '.repeat(Math.max(0, intArg(width, 'indent width', ctx)));
  const lines = splitLines(`${s}\n`);
  let rv: string;
  if (truthy(blank)) {
    rv = lines.join(`\n${pad}`);
  } else {
    rv = lines.shift() ?? '';
    if (lines.length > 0) rv += `\n${lines.map((l) => (l ? pad + l : l)).join('\n')}`;
  }
  return truthy(first) ? pad + rv : rv;
}

// Python's shlex.quote: only these characters may stay unquoted.
const SHLEX_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Python's shlex.quote (Ansible's `quote` filter). */
export function shlexQuote(s: string): string {
  if (s === '') return "''";
  if (SHLEX_SAFE.test(s)) return s;
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

const SPEC = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g;

/** Python's `format % args` (Jinja's `format` filter), for the common conversions. */
export function percentFormat(fmt: string, args: readonly unknown[], ctx: CallContext): string {
  let next = 0;
  const mapping = args.length === 1 && isPlainObject(args[0]) ? args[0] : null;
  const take = (): unknown => (next < args.length ? args[next++] : ctx.fail('format: not enough arguments for format string'));
  const out = fmt.replace(SPEC, (_m, key: string | undefined, flags: string, w: string | undefined, p: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const width = w === '*' ? Number(take()) : w === undefined ? 0 : Number(w);
    const prec = p === '*' ? Number(take()) : p === undefined ? undefined : Number(p);
    let v: unknown;
    if (key !== undefined) {
      if (!mapping || !Object.hasOwn(mapping, key)) ctx.fail(`format: no key '${key}'`);
      v = mapping![key];
    } else {
      v = take();
    }
    let body = convert(v, conv, flags, prec, ctx);
    const sign = /^[+-]/.test(body) && 'dioxXeEfFgG'.includes(conv);
    if (body.length < width) {
      if (flags.includes('-')) body = body.padEnd(width);
      else if (flags.includes('0') && 'diouxXeEfFgG'.includes(conv)) {
        const head = sign || body.startsWith(' ') ? body[0]! : '';
        body = head + body.slice(head.length).padStart(width - head.length, '0');
      } else body = body.padStart(width);
    }
    return body;
  });
  if (!mapping && next < args.length) ctx.fail('format: not all arguments converted during string formatting');
  return out;
}

function convert(v: unknown, conv: string, flags: string, prec: number | undefined, ctx: CallContext): string {
  const signed = (n: number, text: string): string =>
    (n < 0 || Object.is(n, -0) ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + text;
  switch (conv) {
    case 's': { const s = pyStr(v); return prec === undefined ? s : [...s].slice(0, prec).join(''); }
    case 'r': case 'a': return pyRepr(v);
    case 'c': return typeof v === 'number' ? String.fromCodePoint(v) : pyStr(v);
  }
  const n = typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v
    : ctx.fail(`format: %${conv} needs a number, not ${typeName(v)}`);
  const a = Math.abs(n);
  switch (conv) {
    case 'd': case 'i': case 'u': return signed(n, Math.trunc(a).toString());
    case 'o': return signed(n, (flags.includes('#') ? '0o' : '') + Math.trunc(a).toString(8));
    case 'x': return signed(n, (flags.includes('#') ? '0x' : '') + Math.trunc(a).toString(16));
    case 'X': return signed(n, (flags.includes('#') ? '0X' : '') + Math.trunc(a).toString(16).toUpperCase());
    case 'f': case 'F': return signed(n, Number.isFinite(a) ? a.toFixed(prec ?? 6) : 'inf');
    case 'e': case 'E': {
      const t = a.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return signed(n, conv === 'E' ? t.toUpperCase() : t);
    }
    default: { // g, G
      const p = prec === 0 ? 1 : prec ?? 6;
      const exp = a === 0 ? 0 : Math.floor(Math.log10(a));
      let t = exp < -4 || exp >= p
        ? a.toExponential(p - 1).replace(/e([+-])(\d)$/, 'e$10$2')
        : a.toFixed(Math.max(0, p - 1 - exp));
      if (!flags.includes('#')) t = t.replace(/\.?0+(?=e|$)/, (m) => (t.includes('.') ? '' : m));
      return signed(n, conv === 'G' ? t.toUpperCase() : t);
    }
  }
}

export const STRING_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['string', str1((s) => s)],
  ['lower', str1((s) => s.toLowerCase())],
  ['upper', str1((s) => s.toUpperCase())],
  ['capitalize', str1(capitalize)],
  ['title', str1(title)],
  ['trim', { minArgs: 0, maxArgs: 1, kwargs: ['chars'], apply: (v, [chars], _c, kw) => strip(pyStr(v), chars ?? kw.chars) }],
  ['replace', {
    minArgs: 2, maxArgs: 3, kwargs: ['count'],
    apply: (v, [old, repl, count], ctx, kw) =>
      replace(pyStr(v), pyStr(old), pyStr(repl), (count ?? kw.count) == null ? -1 : intArg(count ?? kw.count, 'count', ctx)),
  }],
  ['split', {
    minArgs: 0, maxArgs: 2, kwargs: ['sep', 'maxsplit'],
    apply: (v, [sep, max], ctx, kw) => pySplit(pyStr(v), sep ?? kw.sep, intArg(max ?? kw.maxsplit ?? -1, 'maxsplit', ctx), ctx),
  }],
  ['center', {
    minArgs: 0, maxArgs: 1, kwargs: ['width'],
    apply: (v, [width], ctx, kw) => center(pyStr(v), intArg(width ?? kw.width ?? 80, 'width', ctx)),
  }],
  ['indent', {
    minArgs: 0, maxArgs: 3, kwargs: ['width', 'first', 'blank'],
    apply: (v, [w, first, blank], ctx, kw) => indent(pyStr(v), w ?? kw.width ?? 4, first ?? kw.first ?? false, blank ?? kw.blank ?? false, ctx),
  }],
  ['format', {
    minArgs: 0, maxArgs: Infinity,
    apply: (v, args, ctx) => percentFormat(pyStr(v), args, ctx),
  }],
  ['quote', str1(shlexQuote)],
  ['shq', str1(shlexQuote)],
  ['wordcount', { minArgs: 0, maxArgs: 0, apply: (v) => (pyStr(v).match(/\w+/gu) ?? []).length }],
];
