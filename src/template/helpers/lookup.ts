// `{{lookup map key}}`: a dynamic key, e.g. `{{lookup hostvars inventory_hostname}}`.
// Replaces Handlebars' built-in so that only own properties are read (never
// `constructor` or `__proto__`) and a missing key stays undefined, which the
// renderer then reports instead of writing an empty string.

export function lookupKey(container: unknown, key: unknown): unknown {
  if (typeof key !== 'string' && typeof key !== 'number') {
    throw new TypeError(`the key must be a string or a number, not ${key === null ? 'null' : typeof key}`);
  }
  if (container === null || typeof container !== 'object') return undefined;
  const name = String(key);
  return Object.prototype.hasOwnProperty.call(container, name) ? (container as Record<string, unknown>)[name] : undefined;
}
