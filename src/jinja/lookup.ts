// Variable and member lookup. Only own properties of plain objects and the indices of
// arrays and strings are visible, so `constructor`, `__proto__`, `toString`, `[].map` or
// `'a'.length` find nothing: prototypes are out of reach, and with them every function.
import { isPlainObject, typeName } from './values.js';

/**
 * Jinja's Undefined, made lazy as Ansible's is: `x.y.z is defined` and
 * `x.y | default(1)` work when x lacks y, and any other use raises `reason`.
 */
export class Missing {
  constructor(
    /** Why the value is undefined, naming the path: the message when it is used. */
    readonly reason: string,
    /** 0-based offset of the step that went undefined. */
    readonly pos: number,
    /**
     * Jinja's stock Undefined rather than the strict one: the value of `a if c` without
     * `else` (Jinja ≥ 2.11 uses it even under StrictUndefined), used as an empty string.
     */
    readonly lenient = false,
  ) {}
}

export function lookupVariable(vars: Record<string, unknown>, name: string, pos: number): unknown {
  if (!Object.hasOwn(vars, name) || vars[name] === undefined) {
    return new Missing(`undefined variable '${name}'`, pos);
  }
  return vars[name];
}

/**
 * `base.key` / `base[key]`. `baseText` and `text` are the source of the base and of the
 * whole access, for messages such as "'r.stdout_lines[5]' is undefined: …".
 */
export function getMember(base: unknown, key: unknown, baseText: string, text: string, pos: number): unknown {
  if (base instanceof Missing) return base;
  const missing = (why: string): Missing => new Missing(`'${text}' is undefined: ${why}`, pos);
  if (base === null || base === undefined) return missing(`'${baseText}' is null`);
  if (Array.isArray(base) || typeof base === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) {
      return missing(`'${baseText}' is a ${typeName(base)}, indexed by integers, not ${describeKey(key)}`);
    }
    // Python's negative indices count from the end: stdout_lines[-1] is the last line.
    const i = key < 0 ? base.length + key : key;
    if (i < 0 || i >= base.length) {
      return missing(`index ${key} is out of range for '${baseText}' (length ${base.length})`);
    }
    const item: unknown = base[i];
    return item === undefined ? missing(`'${baseText}' has no item ${key}`) : item;
  }
  if (isPlainObject(base)) {
    if (typeof key !== 'string' && typeof key !== 'number') {
      return missing(`${describeKey(key)} cannot be a key of '${baseText}'`);
    }
    const k = String(key);
    if (!Object.hasOwn(base, k) || base[k] === undefined) return missing(`'${baseText}' has no key '${k}'`);
    return base[k];
  }
  return missing(`'${baseText}' is a ${typeName(base)}, which has no keys`);
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? `'${key}'` : `a ${typeName(key)}`;
}
