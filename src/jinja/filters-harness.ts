// Calls a filter by name outside any template, with a CallContext whose failures are
// plain ExprErrors: what the filter tables (filters-*.test.ts) use, so each family is
// tested against Python's answers independently of the parser and evaluator.
import { type Builtin, type CallContext, type Kwargs, resolveBuiltin } from './builtin.js';
import { ExprError } from './errors.js';
import { FILTERS } from './filters.js';
import { TESTS } from './jinja-tests.js';
import { Missing } from './lookup.js';
import { truthy } from './values.js';

function call(registry: ReadonlyMap<string, Builtin>, kind: string, name: string, value: unknown, args: readonly unknown[], kwargs: Kwargs): unknown {
  const builtin = resolveBuiltin(registry, name);
  if (!builtin) throw new ExprError(`unknown ${kind} '${name}'`);
  if (args.length < builtin.minArgs || args.length > builtin.maxArgs) {
    throw new ExprError(`${kind} '${name}' takes ${builtin.minArgs}–${builtin.maxArgs} arguments, not ${args.length}`);
  }
  for (const k of Object.keys(kwargs)) {
    if (!(builtin.kwargs ?? []).includes(k)) throw new ExprError(`${kind} '${name}' has no keyword argument '${k}'`);
  }
  if (value instanceof Missing && !builtin.lazy) throw new ExprError(value.reason);
  return builtin.apply(value, args, HARNESS_CONTEXT, kwargs);
}

const HARNESS_CONTEXT: CallContext = {
  fail: (message) => { throw new ExprError(message); },
  missing: (reason) => new Missing(reason, 0),
  filter: (name, v, args = [], kwargs = {}) => call(FILTERS, 'filter', name, v, args, kwargs),
  test: (name, v, args = [], kwargs = {}) => truthy(call(TESTS, 'test', name, v, args, kwargs)),
};

/** `value | name(*args, **kwargs)`; throws ExprError as the filter would fail in a template. */
export function applyFilter(name: string, value: unknown, args: readonly unknown[] = [], kwargs: Kwargs = {}): unknown {
  return call(FILTERS, 'filter', name, value, args, kwargs);
}

/** One row of a filter table: filter, input, positional and keyword arguments, Ansible's answer. */
export type FilterCase = [name: string, value: unknown, args: unknown[], kwargs: Record<string, unknown>, expected: { ok: unknown } | { err: string }];

/** A row's outcome as JSON sees it (tuples and lists alike), or the fact that it failed. */
export function outcome(row: FilterCase): { ok: unknown } | { err: string } {
  try {
    const result = applyFilter(row[0], row[1], row[2], row[3]);
    // An undefined result (`[] | first`) fails where a template uses it.
    if (result instanceof Missing) return { err: result.reason };
    return { ok: JSON.parse(JSON.stringify(result ?? null)) as unknown };
  } catch (err) {
    if (!(err instanceof ExprError)) throw err; // anything but a filter failure is a bug
    return { err: err.message };
  }
}

/** A row's title for a test name: `'a,b' | split(',')`. */
export function describeCase(row: FilterCase): string {
  const args = [...row[2].map((a) => JSON.stringify(a)), ...Object.entries(row[3]).map(([k, v]) => `${k}=${JSON.stringify(v)}`)];
  const text = `${JSON.stringify(row[1])} | ${row[0]}${args.length > 0 ? `(${args.join(', ')})` : ''}`;
  return text.length > 110 ? `${text.slice(0, 107)}...` : text;
}
