// Jinja/Ansible filters safe for conditions: pure, total, no I/O. Each converts its input
// the way Jinja does (`| int` of a non-number is 0, not an error) so conditions behave
// as they did under Ansible.
import type { Builtin } from './builtin.js';
import { Missing } from './lookup.js';
import { compareValues, isPlainObject, pyStr, truthy, typeName } from './values.js';

// Python's float() syntax: digits with single underscores, optional fraction and exponent.
const FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

function toFloat(v: unknown): number | null {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    return FLOAT.test(t) ? Number(t.replaceAll('_', '')) : null;
  }
  return null;
}

/** Ansible's `bool` filter: yes/on/1/true (any case) and the number 1 are true. */
function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return ['yes', 'on', '1', 'true'].includes(v.trim().toLowerCase());
  return v === 1;
}

function items(v: unknown, filter: string, fail: (m: string) => never): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  return fail(`'${filter}' needs a list, string or dict, not a ${typeName(v)}`);
}

function extreme(v: unknown, name: 'min' | 'max', fail: (m: string) => never): unknown {
  const list = items(v, name, fail);
  if (list.length === 0) fail(`'${name}' of an empty list`);
  return list.reduce((best, x) => {
    const c = compareValues(x, best);
    if (c === null) fail(`'${name}' cannot order a ${typeName(x)} against a ${typeName(best)}`);
    return (name === 'min' ? c! < 0 : c! > 0) ? x : best;
  });
}

const length: Builtin = {
  minArgs: 0, maxArgs: 0,
  apply: (v, _a, { fail }) => {
    if (typeof v === 'string') return [...v].length; // code points, as Python's len()
    if (Array.isArray(v)) return v.length;
    if (isPlainObject(v)) return Object.keys(v).length;
    return fail(`'length' needs a string, list or dict, not a ${typeName(v)}`);
  },
};

const fallback: Builtin = {
  // default(value='', boolean=false): with boolean, falsy values are replaced too.
  minArgs: 0, maxArgs: 2, lazy: true,
  apply: (v, [value = '', boolean = false]) =>
    v instanceof Missing || (truthy(boolean) && !truthy(v)) ? value : v,
};

const ends = (which: 'first' | 'last'): Builtin => ({
  minArgs: 0, maxArgs: 0,
  apply: (v, _a, { fail, missing }) => {
    const list = items(v, which, fail);
    if (list.length === 0) return missing(`'${which}' of an empty ${typeName(v)}`);
    return which === 'first' ? list[0] : list[list.length - 1];
  },
});

export const FILTERS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['length', length],
  ['count', length],
  ['default', fallback],
  ['d', fallback],
  ['int', {
    minArgs: 0, maxArgs: 1,
    apply: (v, [dflt = 0]) => {
      const f = toFloat(v);
      return f === null || !Number.isFinite(f) ? dflt : Math.trunc(f);
    },
  }],
  ['float', { minArgs: 0, maxArgs: 1, apply: (v, [dflt = 0]) => toFloat(v) ?? dflt }],
  ['bool', { minArgs: 0, maxArgs: 0, apply: (v) => toBool(v) }],
  ['string', { minArgs: 0, maxArgs: 0, apply: (v) => pyStr(v) }],
  ['lower', { minArgs: 0, maxArgs: 0, apply: (v) => pyStr(v).toLowerCase() }],
  ['upper', { minArgs: 0, maxArgs: 0, apply: (v) => pyStr(v).toUpperCase() }],
  ['trim', { minArgs: 0, maxArgs: 0, apply: (v) => pyStr(v).trim() }],
  ['first', ends('first')],
  ['last', ends('last')],
  ['list', { minArgs: 0, maxArgs: 0, apply: (v, _a, { fail }) => [...items(v, 'list', fail)] }],
  ['join', {
    minArgs: 0, maxArgs: 1,
    apply: (v, [sep = ''], { fail }) => items(v, 'join', fail).map(pyStr).join(pyStr(sep)),
  }],
  ['abs', {
    minArgs: 0, maxArgs: 0,
    apply: (v, _a, { fail }) => typeof v === 'number' ? Math.abs(v) : fail(`'abs' needs a number, not a ${typeName(v)}`),
  }],
  ['min', { minArgs: 0, maxArgs: 0, apply: (v, _a, { fail }) => extreme(v, 'min', fail) }],
  ['max', { minArgs: 0, maxArgs: 0, apply: (v, _a, { fail }) => extreme(v, 'max', fail) }],
]);
