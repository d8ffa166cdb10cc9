// The fixed whitelist of callables: filters (`x | length`) and tests (`x is defined`).
// Expressions can call nothing else. Registries are Maps, not object literals, so a
// name such as `constructor` or `__proto__` can never resolve through a prototype.
import type { Missing } from './lookup.js';

/** Keyword arguments of a call (`sort(attribute='name')`), by name. */
export type Kwargs = Readonly<Record<string, unknown>>;

export interface CallContext {
  /** Raise an ExprError at the filter's or test's column. */
  fail(message: string): never;
  /** An undefined result, for `x | first` of an empty list: `| default(…)` can still catch it. */
  missing(reason: string): Missing;
  /** Apply another filter by name (`map('lower')`); unknown names fail. */
  filter(name: string, value: unknown, args?: readonly unknown[], kwargs?: Kwargs): unknown;
  /** Apply a test by name (`select('defined')`); unknown names fail. */
  test(name: string, value: unknown, args?: readonly unknown[], kwargs?: Kwargs): boolean;
}

export interface Builtin {
  minArgs: number;
  maxArgs: number;
  /** Keyword arguments it takes (Jinja's `attribute=`, `recursive=`); any other is an error. */
  kwargs?: readonly string[];
  /** Receives an undefined operand as a Missing instead of raising: `default`, `defined`. */
  lazy?: boolean;
  /** Receives undefined arguments as Missing too: `x | default(y)` reads y only when x is undefined. */
  lazyArgs?: boolean;
  apply(value: unknown, args: readonly unknown[], ctx: CallContext, kwargs: Kwargs): unknown;
}

// Ansible users sometimes write fully qualified names: `x | ansible.builtin.bool`.
const QUALIFIED = 'ansible.builtin.';

export function resolveBuiltin(registry: ReadonlyMap<string, Builtin>, name: string): Builtin | undefined {
  return registry.get(name.startsWith(QUALIFIED) ? name.slice(QUALIFIED.length) : name);
}
