// The global functions a template may call by name: `range(3)`, `dict(a=1)`,
// `namespace(count=0)`. A Map, so no other name (and nothing on a prototype) can resolve;
// and Ansible's `lookup`/`query`/`q`, whose plugins a LookupProvider runs.
import type { Kwargs } from './builtin.js';
import { callLookup, type LookupProvider } from './lookups.js';
import { setOwn, typeName } from './values.js';

export interface GlobalFunction {
  minArgs: number;
  maxArgs: number;
  /** Keyword arguments it takes; 'any' for dict() and namespace(). */
  kwargs?: readonly string[] | 'any';
  apply(args: readonly unknown[], kwargs: Kwargs, fail: (message: string) => never, lookups: LookupProvider | undefined): unknown;
}

/** Jinja's sandbox caps range() so a template cannot build a huge list. */
export const MAX_RANGE = 100_000;

// Objects made by namespace(): the only values whose attributes `{% set ns.x = … %}` may assign.
const NAMESPACES = new WeakSet<object>();

export function isNamespace(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && NAMESPACES.has(v);
}

function integer(v: unknown, fail: (m: string) => never): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return fail(`range() needs integers, not a ${typeName(v)}`);
}

function range(args: readonly unknown[], fail: (m: string) => never): number[] {
  const n = args.map((a) => integer(a, fail));
  const [start, stop, step] = n.length === 1 ? [0, n[0]!, 1] : [n[0]!, n[1]!, n[2] ?? 1];
  if (step === 0) fail('range() step must not be zero');
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (length > MAX_RANGE) fail(`range() of ${length} items is longer than the limit of ${MAX_RANGE}`);
  return Array.from({ length }, (_, i) => start + i * step);
}

function plainDict(kwargs: Kwargs): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) setOwn(d, k, v);
  return d;
}

/** Python's dict(mapping_or_pairs, **kwargs): a dict copied, or [key, value] pairs, then the keywords. */
function pyDict(args: readonly unknown[], kwargs: Kwargs, fail: (m: string) => never): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  const [source] = args;
  if (Array.isArray(source)) {
    source.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) fail(`dict() item ${i} is not a pair of key and value`);
      setOwn(d, String(pair[0]), pair[1]);
    });
  } else if (typeof source === 'object' && source !== null) {
    for (const [k, v] of Object.entries(source)) setOwn(d, k, v);
  } else if (source !== undefined) {
    fail(`dict() needs a mapping or a list of pairs, not a ${typeName(source)}`);
  }
  for (const [k, v] of Object.entries(kwargs)) setOwn(d, k, v);
  return d;
}

const LOOKUP_ARGS = { minArgs: 1, maxArgs: Number.MAX_SAFE_INTEGER, kwargs: 'any' } as const;

export const GLOBAL_FUNCTIONS = new Map<string, GlobalFunction>([
  ['lookup', { ...LOOKUP_ARGS, apply: (args, kwargs, fail, lookups) => callLookup(lookups, args, kwargs, false, fail) }],
  ['query', { ...LOOKUP_ARGS, apply: (args, kwargs, fail, lookups) => callLookup(lookups, args, kwargs, true, fail) }],
  ['q', { ...LOOKUP_ARGS, apply: (args, kwargs, fail, lookups) => callLookup(lookups, args, kwargs, true, fail) }],
  ['range', { minArgs: 1, maxArgs: 3, apply: (args, _k, fail) => range(args, fail) }],
  ['dict', { minArgs: 0, maxArgs: 1, kwargs: 'any', apply: (args, kwargs, fail) => pyDict(args, kwargs, fail) }],
  ['namespace', {
    minArgs: 0, maxArgs: 0, kwargs: 'any', apply: (_a, kwargs) => {
      const ns = plainDict(kwargs);
      NAMESPACES.add(ns);
      return ns;
    },
  }],
]);
