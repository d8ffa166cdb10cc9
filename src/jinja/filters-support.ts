// What several filter families share: Python's conversions (float(), Ansible's bool),
// iteration as Python iterates (a string by characters, a dict by keys), Jinja's
// attribute getters (`attribute='a.b'`, `attribute='x,y'`) and set-like keys. Kept
// apart so that each filters-*.ts file stays about one family.
import type { CallContext } from './builtin.js';
import { getMember, Missing } from './lookup.js';
import { compareValues, isPlainObject, typeName } from './values.js';

// Python's float() syntax: digits with single underscores, optional fraction and exponent.
const FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

/** Python's float() of a value, or null when Python would raise. */
export function toFloat(v: unknown): number | null {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (SPECIAL.test(t)) return /nan/i.test(t) ? NaN : t.startsWith('-') ? -Infinity : Infinity;
    return FLOAT.test(t) ? Number(t.replaceAll('_', '')) : null;
  }
  return null;
}

/** Ansible's `bool` filter: yes/on/1/true (any case, no surrounding spaces) and the number 1 are true. */
export function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return ['yes', 'on', '1', 'true'].includes(v.toLowerCase());
  return v === 1;
}

/** The items Python's iter() gives: a list's elements, a string's characters, a dict's keys. */
export function iterate(v: unknown, filter: string, ctx: CallContext): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  return ctx.fail(`'${filter}' needs a list, string or dict, not a ${typeName(v)}`);
}

/**
 * Jinja's make_attrgetter: `a.b.0` walks keys, digits index lists. A missing step
 * gives `dflt` when given, else a Missing (which fails when it is used).
 */
export function attrGetter(attribute: unknown, dflt?: unknown): (item: unknown) => unknown {
  const parts = typeof attribute === 'number' ? [attribute] : String(attribute).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (item) => {
    let cur = item;
    for (const p of parts) {
      cur = getMember(cur, p, 'item', `item.${String(attribute)}`, 0);
      if (cur instanceof Missing) return dflt === undefined ? cur : dflt;
    }
    return cur;
  };
}

/** Jinja's ignore_case: strings compare by their lower case. */
export const ignoreCase = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

/** compareValues that raises Python's TypeError as a filter failure. */
export function orderOrFail(a: unknown, b: unknown, filter: string, ctx: CallContext): number {
  const c = compareValues(typeof a === 'boolean' ? Number(a) : a, typeof b === 'boolean' ? Number(b) : b);
  if (c === null) ctx.fail(`'${filter}' cannot order a ${typeName(a)} against a ${typeName(b)}`);
  return c!;
}

/** Python's hash identity of a scalar (1, 1.0 and True are one key), null for lists/dicts. */
export function hashKey(v: unknown): string | null {
  if (typeof v === 'boolean') return `n:${v ? 1 : 0}`;
  if (typeof v === 'number') return `n:${v}`;
  if (typeof v === 'string') return `s:${v}`;
  if (v === null || v === undefined) return 'none';
  return null;
}

/** Python's str.splitlines() (without keepends). */
export function splitLines(s: string): string[] {
  const lines = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** An integer argument (`batch(3)`), refusing anything Python's int() would not take. */
export function intArg(v: unknown, name: string, ctx: CallContext): number {
  if (typeof v === 'boolean') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v);
  return ctx.fail(`${name} must be an integer, not ${typeName(v)}`);
}
