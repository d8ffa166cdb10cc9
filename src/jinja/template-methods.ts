// The whitelist of Python methods a template may call on a value: `x.split(',')`,
// `d.items()`, `l.index(3)`. Implemented here over plain JS values with Python's
// semantics; a name not listed for the value's type is an error, so `x.constructor()`
// or `[].map()` never reach JavaScript.
import type { Kwargs } from './builtin.js';
import { deepEqual, isPlainObject, pyStr, tuple, typeName } from './values.js';

type Fail = (message: string) => never;
type Method<T> = (self: T, args: readonly unknown[], fail: Fail, kwargs: Kwargs) => unknown;

const str = (v: unknown, what: string, fail: Fail): string =>
  typeof v === 'string' ? v : fail(`${what} needs a string, not a ${typeName(v)}`);
const int = (v: unknown, what: string, fail: Fail): number =>
  typeof v === 'number' && Number.isInteger(v) ? v : fail(`${what} needs an integer, not a ${typeName(v)}`);
const optionalChars = (v: unknown, fail: Fail): string | null => (v === undefined || v === null ? null : str(v, 'strip', fail));

const WHITESPACE = /\s/;

function stripChars(s: string, chars: string | null, left: boolean, right: boolean): string {
  const strips = (c: string): boolean => (chars === null ? WHITESPACE.test(c) : chars.includes(c));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && strips(s[a]!)) a++;
  if (right) while (b > a && strips(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** Python's str.split / str.rsplit, including the whitespace form without a separator. */
function split(s: string, sepArg: unknown, maxArg: unknown, fromRight: boolean, fail: Fail): string[] {
  const max = maxArg === undefined ? -1 : int(maxArg, 'split', fail);
  if (sepArg === undefined || sepArg === null) {
    const words = s.split(/\s+/).filter((w) => w !== '');
    if (max < 0 || words.length <= max + 1) return words;
    // Re-split keeping the remainder intact, as Python does.
    const re = /\S+/g;
    const spans = [...s.matchAll(re)].map((m) => [m.index, m.index + m[0].length] as const);
    if (fromRight) {
      const tail = spans.slice(spans.length - max).map(([a, b]) => s.slice(a, b));
      return [s.slice(0, spans[spans.length - max - 1]![1]).trimStart(), ...tail];
    }
    const head = spans.slice(0, max).map(([a, b]) => s.slice(a, b));
    return [...head, s.slice(spans[max]![0]).trimEnd()];
  }
  const sep = str(sepArg, 'split', fail);
  if (sep === '') fail('split: empty separator');
  const parts = s.split(sep);
  if (max < 0 || parts.length <= max + 1) return parts;
  return fromRight ? [parts.slice(0, parts.length - max).join(sep), ...parts.slice(parts.length - max)]
    : [...parts.slice(0, max), parts.slice(max).join(sep)];
}

/** Python's str.format with `{}`, `{0}`, `{name}` and `{{ }}`; format specs are not supported. */
function format(s: string, args: readonly unknown[], kwargs: Kwargs, fail: Fail): string {
  let auto = 0;
  return s.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const name = field ?? '';
    if (name.includes(':') || name.includes('!')) fail(`format: conversions and format specs are not supported ('${m}')`);
    if (name === '') {
      if (auto >= args.length) fail('format: not enough arguments');
      return pyStr(args[auto++]);
    }
    if (/^\d+$/.test(name)) {
      const i = Number(name);
      return i < args.length ? pyStr(args[i]) : fail(`format: no argument ${i}`);
    }
    return Object.hasOwn(kwargs, name) ? pyStr(kwargs[name]) : fail(`format: no keyword argument '${name}'`);
  });
}

function prefixes(v: unknown, what: string, fail: Fail): string[] {
  return Array.isArray(v) ? v.map((x) => str(x, what, fail)) : [str(v, what, fail)];
}

const title = (s: string): string => s.toLowerCase().replace(/(^|[^a-zA-Z])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase());
const isCase = (s: string, upper: boolean): boolean => /[a-zA-Z]/.test(s) && (upper ? s === s.toUpperCase() : s === s.toLowerCase());

function count(s: string, sub: string): number {
  if (sub === '') return s.length + 1;
  return s.split(sub).length - 1;
}

function pad(s: string, args: readonly unknown[], fail: Fail, where: 'center' | 'ljust' | 'rjust'): string {
  const width = int(args[0], where, fail);
  const fill = args[1] === undefined ? ' ' : str(args[1], where, fail);
  if (fill.length !== 1) fail(`${where}: the fill character must be exactly one character long`);
  const total = Math.max(0, width - s.length);
  const left = where === 'ljust' ? 0 : where === 'rjust' ? total : Math.floor(total / 2) + (total % 2 & width % 2);
  return fill.repeat(left) + s + fill.repeat(total - left);
}

// [minArgs, maxArgs, implementation]
type Entry<T> = readonly [number, number, Method<T>];

const STRING_METHODS = new Map<string, Entry<string>>([
  ['split', [0, 2, (s, a, f) => split(s, a[0], a[1], false, f)]],
  ['rsplit', [0, 2, (s, a, f) => split(s, a[0], a[1], true, f)]],
  ['splitlines', [0, 1, (s, a) => {
    const lines = s.split(/(?<=\r\n|\r(?!\n)|\n)/);
    if (lines.at(-1) === '') lines.pop();
    return a[0] === true ? lines : lines.map((l) => l.replace(/\r?\n$|\r$/, ''));
  }]],
  ['startswith', [1, 1, (s, a, f) => prefixes(a[0], 'startswith', f).some((p) => s.startsWith(p))]],
  ['endswith', [1, 1, (s, a, f) => prefixes(a[0], 'endswith', f).some((p) => s.endsWith(p))]],
  ['replace', [2, 3, (s, a, f) => {
    const old = str(a[0], 'replace', f);
    const by = str(a[1], 'replace', f);
    const n = a[2] === undefined ? -1 : int(a[2], 'replace', f);
    const parts = s.split(old);
    return n < 0 || parts.length <= n + 1 ? parts.join(by) : parts.slice(0, n + 1).join(by) + old + parts.slice(n + 1).join(old);
  }]],
  ['lower', [0, 0, (s) => s.toLowerCase()]],
  ['upper', [0, 0, (s) => s.toUpperCase()]],
  ['swapcase', [0, 0, (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')]],
  ['capitalize', [0, 0, (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()]],
  ['title', [0, 0, (s) => title(s)]],
  ['strip', [0, 1, (s, a, f) => stripChars(s, optionalChars(a[0], f), true, true)]],
  ['lstrip', [0, 1, (s, a, f) => stripChars(s, optionalChars(a[0], f), true, false)]],
  ['rstrip', [0, 1, (s, a, f) => stripChars(s, optionalChars(a[0], f), false, true)]],
  ['join', [1, 1, (s, a, f) => {
    const items = Array.isArray(a[0]) ? a[0] : typeof a[0] === 'string' ? [...a[0]] : isPlainObject(a[0]) ? Object.keys(a[0]) : f(`join needs a list, not a ${typeName(a[0])}`);
    return items.map((x) => str(x, 'join', f)).join(s);
  }]],
  ['format', [0, Infinity, (s, a, f, k) => format(s, a, k, f)]],
  ['count', [1, 1, (s, a, f) => count(s, str(a[0], 'count', f))]],
  ['find', [1, 1, (s, a, f) => s.indexOf(str(a[0], 'find', f))]],
  ['rfind', [1, 1, (s, a, f) => s.lastIndexOf(str(a[0], 'rfind', f))]],
  ['index', [1, 1, (s, a, f) => {
    const i = s.indexOf(str(a[0], 'index', f));
    return i >= 0 ? i : f('index: substring not found');
  }]],
  ['isdigit', [0, 0, (s) => /^[0-9]+$/.test(s)]],
  ['isdecimal', [0, 0, (s) => /^[0-9]+$/.test(s)]],
  ['isnumeric', [0, 0, (s) => /^[0-9]+$/.test(s)]],
  ['isalpha', [0, 0, (s) => /^\p{L}+$/u.test(s)]],
  ['isalnum', [0, 0, (s) => /^[\p{L}0-9]+$/u.test(s)]],
  ['isspace', [0, 0, (s) => /^\s+$/.test(s)]],
  ['islower', [0, 0, (s) => isCase(s, false)]],
  ['isupper', [0, 0, (s) => isCase(s, true)]],
  ['center', [1, 2, (s, a, f) => pad(s, a, f, 'center')]],
  ['ljust', [1, 2, (s, a, f) => pad(s, a, f, 'ljust')]],
  ['rjust', [1, 2, (s, a, f) => pad(s, a, f, 'rjust')]],
  ['zfill', [1, 1, (s, a, f) => {
    const width = int(a[0], 'zfill', f);
    const sign = s.startsWith('-') || s.startsWith('+') ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }]],
]);

const LIST_METHODS = new Map<string, Entry<unknown[]>>([
  ['index', [1, 1, (l, a, f) => {
    const i = l.findIndex((x) => deepEqual(x, a[0]));
    return i >= 0 ? i : f(`index: ${pyStr(a[0])} is not in the list`);
  }]],
  ['count', [1, 1, (l, a) => l.filter((x) => deepEqual(x, a[0])).length]],
]);

const DICT_METHODS = new Map<string, Entry<Record<string, unknown>>>([
  ['items', [0, 0, (d) => Object.entries(d).map((pair) => tuple(pair))]],
  ['keys', [0, 0, (d) => Object.keys(d)]],
  ['values', [0, 0, (d) => Object.values(d)]],
  ['get', [1, 2, (d, a) => {
    const k = a[0];
    if ((typeof k === 'string' || typeof k === 'number') && Object.hasOwn(d, String(k)) && d[String(k)] !== undefined) return d[String(k)];
    return a[1] ?? null;
  }]],
]);

/** Every callable method name, for the parser; `cycle` is loop.cycle. */
export const METHOD_NAMES: ReadonlySet<string> = new Set([...STRING_METHODS.keys(), ...LIST_METHODS.keys(), ...DICT_METHODS.keys(), 'cycle']);

export const NO_SUCH_METHOD = Symbol('no such method');

/** Call `self.name(args)` if the method is whitelisted for self's type; NO_SUCH_METHOD otherwise. */
export function callMethod(self: unknown, name: string, args: readonly unknown[], kwargs: Kwargs, fail: Fail): unknown {
  const check = <T>(entry: Entry<T> | undefined, value: T): unknown => {
    if (entry === undefined) return NO_SUCH_METHOD;
    const [min, max, apply] = entry;
    if (args.length < min || args.length > max) fail(`${name}() takes ${min === max ? min : `${min} to ${max}`} arguments, not ${args.length}`);
    if (Object.keys(kwargs).length > 0 && name !== 'format') fail(`${name}() takes no keyword arguments`);
    return apply(value, args, fail, kwargs);
  };
  if (typeof self === 'string') return check(STRING_METHODS.get(name), self);
  if (Array.isArray(self)) return check(LIST_METHODS.get(name), self);
  if (isPlainObject(self)) return check(DICT_METHODS.get(name), self);
  return NO_SUCH_METHOD;
}
