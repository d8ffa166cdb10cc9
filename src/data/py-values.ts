// Values as Ansible (Python) holds them, in JavaScript. Variables are plain JSON-like
// data (string, number, boolean, null, arrays, plain objects) plus two marked strings
// that ansible-inventory prints as objects: `!unsafe` and `!vault` values.

/** A string tagged `!unsafe`: never templated; ansible-inventory prints it as {"__ansible_unsafe": …}. */
export class UnsafeText {
  constructor(readonly value: string) {}
  toJSON(): { __ansible_unsafe: string } {
    return { __ansible_unsafe: this.value };
  }
  toString(): string {
    return this.value;
  }
}

/** An inline `!vault` value: kvmplay cannot decrypt it; printed as {"__ansible_vault": ciphertext}. */
export class VaultText {
  constructor(readonly ciphertext: string) {}
  toJSON(): { __ansible_vault: string } {
    return { __ansible_vault: this.ciphertext };
  }
}

export type Vars = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Vars {
  return typeof v === 'object' && v !== null && !Array.isArray(v) &&
    !(v instanceof UnsafeText) && !(v instanceof VaultText);
}

/** obj[key] = value, also for the key "__proto__" (plain assignment would change the prototype). */
export function setKey(obj: Vars, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/**
 * ansible.utils.vars.combine_vars with the default hash_behaviour=replace: `a | b`,
 * top-level keys of b replace those of a, nothing is merged deeply.
 */
export function combineVars(a: Vars, b: Vars): Vars {
  return { ...a, ...b }; // spread defines own properties, so "__proto__" keys stay data
}

/** Python's repr() of a float, which json.dumps also uses for float dict keys. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x.toFixed(0)}.0`;
  // Shortest round-trip digits, then Python's rule: exponent form when exp < -4 or >= 16.
  const [mant, expStr] = x.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(x);
}

/**
 * The JSON key Python's json.dumps writes for a dict key: str as is, int as digits,
 * float as repr, True/False/None as true/false/null. Other keys (tuples) have none.
 */
export function pyJsonKey(key: unknown, isFloat = false): string | undefined {
  if (typeof key === 'string') return key;
  if (key instanceof UnsafeText) return key.value;
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (key === null) return 'null';
  if (typeof key === 'number') return isFloat || !Number.isInteger(key) ? pyFloatRepr(key) : String(key);
  return undefined;
}

/**
 * Identity of a dict key as Python's dict sees it: 1, 1.0 and True are one key,
 * "1" is another (json.dumps then writes both as "1").
 */
export function pyHashKey(key: unknown): string {
  if (typeof key === 'boolean') return `n:${key ? 1 : 0}`;
  if (typeof key === 'number') return `n:${key}`;
  if (key === null) return 'none';
  if (key instanceof UnsafeText) return `s:${key.value}`;
  return `s:${String(key)}`;
}

/** Recursively sort object keys (json.dumps(sort_keys=True)) for stable output. */
export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (isPlainObject(v)) {
    const out: Vars = {};
    for (const k of Object.keys(v).sort(comparePy)) setKey(out, k, sortKeysDeep(v[k]));
    return out;
  }
  return v;
}

/** Python's str ordering (code points); differs from `<` only for astral characters. */
export function comparePy(a: string, b: string): number {
  if (a === b) return 0;
  const ca = [...a];
  const cb = [...b];
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i]!.codePointAt(0)!;
    const y = cb[i]!.codePointAt(0)!;
    if (x !== y) return x - y;
  }
  return ca.length - cb.length;
}
