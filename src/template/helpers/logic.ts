// `default`, `eq`, `ne`, `and`, `or`, `not`: small, typed, and usable both as
// values (`{{default x 'y'}}`) and as conditions (`{{#if (eq vm.state 'running')}}`).
// They are the only helpers whose arguments may be undefined variables (see
// registry.ts): a condition or a fallback about an optional value writes nothing of it.
import { isDeepStrictEqual } from 'node:util';

/** `value` unless it is undefined, null or ''; then `fallback`. */
export function defaultValue(value: unknown, fallback: unknown): unknown {
  return value === undefined || value === null || value === '' ? fallback : value;
}

/**
 * Truthiness as Handlebars' own `{{#if}}` sees it, so `(and a b)` and `{{#if a}}`
 * agree: undefined, null, false, 0, NaN, '' and [] are false; everything else true.
 */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/**
 * Strict, deep equality: types are not converted, so 2 and "2" differ (as in
 * Jinja's ==); lists and maps compare by content.
 */
export function eq(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

export function ne(a: unknown, b: unknown): boolean {
  return !eq(a, b);
}

export function and(...values: unknown[]): boolean {
  return values.every(truthy);
}

export function or(...values: unknown[]): boolean {
  return values.some(truthy);
}

export function not(value: unknown): boolean {
  return !truthy(value);
}
