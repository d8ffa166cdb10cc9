// Python/Jinja value semantics over JSON-like data: truthiness, equality, ordering and
// str(). Only plain objects and arrays are containers; anything else (class instances,
// functions) is an opaque value that expressions can compare by identity and nothing more.

import { VaultText } from '../data/py-values.js';
import { ExprError } from './errors.js';

export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'list' | 'dict' | 'function' | 'object';

/** A dict as YAML/JSON produce it: prototype Object.prototype or null, never a class instance. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function typeName(v: unknown): TypeName {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isPlainObject(v)) return 'dict';
  switch (typeof v) {
    case 'boolean': return 'boolean';
    case 'number': return 'number';
    case 'string': return 'string';
    case 'function': return 'function';
    default: return 'object';
  }
}

/** Python's bool(): empty string/list/dict, 0 and None are false; NaN is true, as in Python. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * Python's ==, minus its bool/int mixing: scalars must have the same type (`1 == '1'` and
 * `true == 1` are both false), lists and dicts compare by content.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Python's bool is an int: True == 1, False == 0.
  if (typeof a === 'boolean' && typeof b === 'number') return Number(a) === b;
  if (typeof a === 'number' && typeof b === 'boolean') return a === Number(b);
  if (a === null || a === undefined) return b === null || b === undefined;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length
      && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false; // different scalars, or distinct opaque objects
}

/**
 * Python's ordering: numbers with numbers, strings with strings, lists element-wise.
 * Returns null when the types cannot be ordered; the caller raises the error.
 */
export function compareValues(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (deepEqual(a[i], b[i])) continue;
      return compareValues(a[i], b[i]);
    }
    return a.length - b.length;
  }
  return null;
}

// Arrays that are Python tuples (`(1, 2)`, the pairs of `d.items()`): they print as tuples
// and are otherwise lists. A WeakSet, so the data itself carries no marker.
const TUPLES = new WeakSet<readonly unknown[]>();

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && TUPLES.has(v);
}

/** Mark `items` as a Python tuple, for str(); returns it. */
export function tuple<T extends unknown[]>(items: T): T {
  TUPLES.add(items);
  return items;
}

/** Python's str(), which `~`, `| string` and `| join` use: True, None, ['a', 1]. */
export function pyStr(v: unknown): string {
  // As Ansible: a !vault value is decrypted where it is used, and cannot be without a password.
  if (v instanceof VaultText) throw new ExprError(VAULT_SEALED);
  return typeof v === 'string' ? v : pyRepr(v);
}

export const VAULT_SEALED = 'a vault-encrypted value is used and no vault password opened it: give --vault-password-file, --vault-id or --ask-vault-pass';

/** Python's repr(), close enough for messages and `~` of containers. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return reprString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Array.isArray(v)) {
    if (!TUPLES.has(v)) return `[${v.map(pyRepr).join(', ')}]`;
    return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
  }
  if (isPlainObject(v)) return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return `<${typeName(v)}>`; // never call an opaque object's own toString
}

/** Python's repr() of a str: single quotes unless it holds only single quotes, escapes for control characters. */
function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const c of s) {
    const code = c.codePointAt(0)!;
    if (c === '\\' || c === quote) out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return out + quote;
}

/**
 * Python's `item in container`: substring of a string, element (deep equality) of a
 * list, own key of a dict. Null when the types don't allow it (`1 in 'abc'`).
 */
export function contains(item: unknown, container: unknown): boolean | null {
  if (typeof container === 'string') return typeof item === 'string' ? container.includes(item) : null;
  if (Array.isArray(container)) return container.some((x) => deepEqual(item, x));
  if (isPlainObject(container)) {
    return typeof item === 'string' || typeof item === 'number' ? Object.hasOwn(container, String(item)) : null;
  }
  return null;
}

/** `obj[key] = v` as an own data property, even for `__proto__`: never touches a prototype. */
export function setOwn(obj: Record<string, unknown>, key: string, v: unknown): void {
  Object.defineProperty(obj, key, { value: v, writable: true, enumerable: true, configurable: true });
}

/** Python's `seq[start:stop:step]` (step not zero) on a list or a string. */
export function sliceOf<T extends string | unknown[]>(seq: T, start: number | null, stop: number | null, step: number): T {
  const n = seq.length;
  const clamp = (i: number | null, dflt: number): number => {
    if (i === null) return dflt;
    if (i < 0) return Math.max(i + n, step < 0 ? -1 : 0);
    return Math.min(i, step < 0 ? n - 1 : n);
  };
  const from = clamp(start, step < 0 ? n - 1 : 0);
  const to = clamp(stop, step < 0 ? -1 : n);
  const picked: unknown[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) picked.push(seq[i]);
  return (typeof seq === 'string' ? picked.join('') : picked) as T;
}
