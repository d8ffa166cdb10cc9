// List filters as Jinja 3 defines them (first, last, sort, unique, min, max, sum, join,
// map, select, batch, slice …) and Ansible's list helpers (flatten, zip, product and the
// set-like union/intersect/difference of ansible/plugins/filter/mathstuff.py).
import type { Builtin, CallContext, Kwargs } from './builtin.js';
import { attrGetter, hashKey, ignoreCase, intArg, iterate, orderOrFail } from './filters-support.js';
import { Missing } from './lookup.js';
import { contains, deepEqual, isPlainObject, pyStr, truthy, tuple, typeName } from './values.js';

const ends = (which: 'first' | 'last'): Builtin => ({
  minArgs: 0, maxArgs: 0,
  apply: (v, _a, ctx) => {
    const list = iterate(v, which, ctx);
    if (list.length === 0) return ctx.missing(`'${which}' of an empty ${typeName(v)}`);
    return which === 'first' ? list[0] : list[list.length - 1];
  },
});

/** Jinja's make_multi_attrgetter / make_attrgetter with ignore_case as postprocess. */
function sortKey(attribute: unknown, caseSensitive: unknown): (item: unknown) => unknown[] {
  const fold = truthy(caseSensitive) ? (x: unknown): unknown => x : ignoreCase;
  if (attribute === undefined || attribute === null) return (item) => [fold(item)];
  const getters = (typeof attribute === 'string' ? attribute.split(',') : [attribute]).map((a) => attrGetter(a));
  return (item) => getters.map((g) => {
    const x = g(item);
    return fold(x instanceof Missing ? null : x);
  });
}

function compareKeys(a: readonly unknown[], b: readonly unknown[], filter: string, ctx: CallContext): number {
  for (let i = 0; i < a.length; i++) {
    if (deepEqual(a[i], b[i])) continue;
    return orderOrFail(a[i], b[i], filter, ctx);
  }
  return 0;
}

/** Python's sorted(): stable, and reverse keeps equal items in their order. */
function sorted(list: readonly unknown[], key: (x: unknown) => unknown[], reverse: boolean, filter: string, ctx: CallContext): unknown[] {
  const keyed = list.map((item, i) => ({ item, i, k: key(item) }));
  keyed.sort((x, y) => (reverse ? -1 : 1) * compareKeys(x.k, y.k, filter, ctx) || x.i - y.i);
  return keyed.map((x) => x.item);
}

/** Jinja's do_unique, or Ansible's fallback for unhashable items (lists, dicts). */
export function unique(list: readonly unknown[], caseSensitive: boolean, attribute?: unknown): unknown[] {
  const get = attribute === undefined || attribute === null ? (x: unknown): unknown => x : attrGetter(attribute);
  const keys = list.map((x) => {
    const k = get(x);
    return hashKey(caseSensitive ? k : ignoreCase(k));
  });
  if (keys.some((k) => k === null)) {
    const out: unknown[] = [];
    for (const x of list) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  }
  const seen = new Set<string>();
  return list.filter((_x, i) => {
    const k = keys[i]!;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function extreme(v: unknown, name: 'min' | 'max', ctx: CallContext, kw: Kwargs): unknown {
  const list = iterate(v, name, ctx);
  if (list.length === 0) return ctx.missing(`'${name}' of an empty ${typeName(v)}`);
  const key = sortKey(kw.attribute, kw.case_sensitive ?? false);
  return list.reduce((best, x) => {
    const c = compareKeys(key(x), key(best), name, ctx);
    return (name === 'min' ? c < 0 : c > 0) ? x : best;
  });
}

/** Ansible's flatten(levels=None, skip_nulls=True). */
function flatten(list: readonly unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of list) {
    if (skipNulls && (x === null || x === 'None' || x === 'null')) continue;
    if (Array.isArray(x) && (levels === null || levels >= 1)) out.push(...flatten(x, levels === null ? null : levels - 1, skipNulls));
    else out.push(x);
  }
  return out;
}

/** select/reject/selectattr/rejectattr: Jinja's select_or_reject. */
function selectOrReject(attr: boolean, keep: boolean): Builtin {
  return {
    minArgs: attr ? 1 : 0, maxArgs: Infinity,
    apply: (v, args, ctx) => {
      const list = iterate(v, attr ? 'selectattr' : 'select', ctx);
      const get = attr ? attrGetter(args[0]) : (x: unknown): unknown => x;
      const rest = attr ? args.slice(1) : args;
      const [test, ...testArgs] = rest;
      return list.filter((item) => {
        const x = get(item);
        const name = test === undefined ? undefined : pyStr(test);
        // StrictUndefined: only the definedness tests may look at a missing attribute.
        if (x instanceof Missing && name !== 'defined' && name !== 'undefined') ctx.fail(x.reason);
        const ok = name === undefined ? truthy(x) : ctx.test(name, x, testArgs);
        return ok === keep;
      });
    },
  };
}

const map: Builtin = {
  // map(filter_name, *args, **kwargs) or map(attribute='a.b', default=…)
  minArgs: 0, maxArgs: Infinity, kwargs: ['attribute', 'default'],
  apply: (v, args, ctx, kw) => {
    const list = iterate(v, 'map', ctx);
    if (kw.attribute !== undefined) {
      const get = attrGetter(kw.attribute, kw.default);
      return list.map((item) => {
        const x = get(item);
        return x instanceof Missing ? ctx.fail(x.reason) : x;
      });
    }
    const [name, ...rest] = args;
    if (name === undefined) return [...list];
    return list.map((x) => ctx.filter(pyStr(name), x, rest));
  },
};

function batch(list: readonly unknown[], size: number, fill: unknown): unknown[][] {
  const out: unknown[][] = [];
  for (let i = 0; i < list.length; i += size) {
    const chunk = list.slice(i, i + size);
    if (chunk.length < size && fill !== undefined && fill !== null) while (chunk.length < size) chunk.push(fill);
    out.push(chunk);
  }
  return out;
}

/** Jinja's do_slice: `slices` columns, the first `length % slices` one longer. */
function slice(list: readonly unknown[], slices: number, fill: unknown): unknown[][] {
  const per = Math.floor(list.length / slices);
  const extra = list.length % slices;
  const out: unknown[][] = [];
  let offset = 0;
  for (let n = 0; n < slices; n++) {
    const start = offset + n * per;
    if (n < extra) offset++;
    const part = list.slice(start, offset + (n + 1) * per);
    if (fill !== undefined && fill !== null && n >= extra) part.push(fill);
    out.push(part);
  }
  return out;
}

function product(lists: readonly unknown[][]): unknown[][] {
  return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((prefix) => l.map((x) => [...prefix, x])), [[]]);
}

const sum: Builtin = {
  minArgs: 0, maxArgs: 2, kwargs: ['attribute', 'start'],
  apply: (v, [attribute, start], ctx, kw) => {
    const attr = attribute ?? kw.attribute;
    const get = attr === undefined || attr === null ? (x: unknown): unknown => x : attrGetter(attr);
    return iterate(v, 'sum', ctx).reduce((acc: unknown, x) => {
      const y = get(x);
      if (typeof acc === 'number' && (typeof y === 'number' || typeof y === 'boolean')) return acc + Number(y);
      if (Array.isArray(acc) && Array.isArray(y)) return [...acc, ...y];
      return ctx.fail(`'sum' cannot add a ${typeName(y)} to a ${typeName(acc)}`);
    }, start ?? kw.start ?? 0);
  },
};

const setOp = (name: string, op: (a: unknown[], b: unknown[]) => unknown[]): Builtin => ({
  minArgs: 1, maxArgs: 1,
  apply: (v, [other], ctx) => op(iterate(v, name, ctx), iterate(other, name, ctx)),
});
const has = (list: readonly unknown[], x: unknown): boolean => contains(x, list) === true;
const intersect = (a: unknown[], b: unknown[]): unknown[] => unique(a.filter((x) => has(b, x)), true);
const union = (a: unknown[], b: unknown[]): unknown[] => unique([...a, ...b], true);

export const LIST_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['first', ends('first')],
  ['last', ends('last')],
  ['list', { minArgs: 0, maxArgs: 0, apply: (v, _a, ctx) => [...iterate(v, 'list', ctx)] }],
  ['join', {
    minArgs: 0, maxArgs: 2, kwargs: ['d', 'attribute'],
    apply: (v, [sep, attribute], ctx, kw) => {
      const attr = attribute ?? kw.attribute;
      const get = attr === undefined || attr === null ? (x: unknown): unknown => x : attrGetter(attr);
      return iterate(v, 'join', ctx).map((x) => pyStr(get(x))).join(pyStr(sep ?? kw.d ?? ''));
    },
  }],
  ['min', { minArgs: 0, maxArgs: 0, kwargs: ['case_sensitive', 'attribute'], apply: (v, _a, ctx, kw) => extreme(v, 'min', ctx, kw) }],
  ['max', { minArgs: 0, maxArgs: 0, kwargs: ['case_sensitive', 'attribute'], apply: (v, _a, ctx, kw) => extreme(v, 'max', ctx, kw) }],
  ['sum', sum],
  ['sort', {
    minArgs: 0, maxArgs: 3, kwargs: ['reverse', 'case_sensitive', 'attribute'],
    apply: (v, [reverse, cs, attribute], ctx, kw) =>
      sorted(iterate(v, 'sort', ctx), sortKey(attribute ?? kw.attribute, cs ?? kw.case_sensitive ?? false), truthy(reverse ?? kw.reverse), 'sort', ctx),
  }],
  ['reverse', {
    minArgs: 0, maxArgs: 0,
    apply: (v, _a, ctx) => (typeof v === 'string' ? [...v].reverse().join('') : [...iterate(v, 'reverse', ctx)].reverse()),
  }],
  ['unique', {
    minArgs: 0, maxArgs: 2, kwargs: ['case_sensitive', 'attribute'],
    apply: (v, [cs, attribute], ctx, kw) => unique(iterate(v, 'unique', ctx), truthy(cs ?? kw.case_sensitive), attribute ?? kw.attribute),
  }],
  ['union', setOp('union', union)],
  ['intersect', setOp('intersect', intersect)],
  ['difference', setOp('difference', (a, b) => unique(a.filter((x) => !has(b, x)), true))],
  ['symmetric_difference', setOp('symmetric_difference', (a, b) => {
    const common = intersect(a, b);
    return union(a, b).filter((x) => !has(common, x));
  })],
  ['map', map],
  ['select', selectOrReject(false, true)],
  ['reject', selectOrReject(false, false)],
  ['selectattr', selectOrReject(true, true)],
  ['rejectattr', selectOrReject(true, false)],
  ['flatten', {
    minArgs: 0, maxArgs: 2, kwargs: ['levels', 'skip_nulls'],
    apply: (v, [levels, skip], ctx, kw) => {
      const l = levels ?? kw.levels ?? null;
      return flatten(iterate(v, 'flatten', ctx), l === null ? null : intArg(l, 'levels', ctx), truthy(skip ?? kw.skip_nulls ?? true));
    },
  }],
  ['batch', {
    minArgs: 1, maxArgs: 2, kwargs: ['fill_with'],
    apply: (v, [size, fill], ctx, kw) => {
      const n = intArg(size, 'batch size', ctx);
      if (n <= 0) ctx.fail('batch size must be positive');
      return batch(iterate(v, 'batch', ctx), n, fill ?? kw.fill_with);
    },
  }],
  ['slice', {
    minArgs: 1, maxArgs: 2, kwargs: ['fill_with'],
    apply: (v, [n, fill], ctx, kw) => {
      const slices = intArg(n, 'slices', ctx);
      if (slices <= 0) ctx.fail('slice count must be positive');
      return slice(iterate(v, 'slice', ctx), slices, fill ?? kw.fill_with);
    },
  }],
  ['zip', {
    minArgs: 0, maxArgs: Infinity,
    apply: (v, args, ctx) => {
      const lists = [v, ...args].map((l) => iterate(l, 'zip', ctx));
      const n = Math.min(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_x, i) => tuple(lists.map((l) => l[i])));
    },
  }],
  ['zip_longest', {
    minArgs: 0, maxArgs: Infinity, kwargs: ['fillvalue'],
    apply: (v, args, ctx, kw) => {
      const lists = [v, ...args].map((l) => iterate(l, 'zip_longest', ctx));
      const n = Math.max(...lists.map((l) => l.length));
      const fill = kw.fillvalue ?? null;
      return Array.from({ length: n }, (_x, i) => tuple(lists.map((l) => (i < l.length ? l[i] : fill))));
    },
  }],
  ['product', {
    minArgs: 0, maxArgs: Infinity, kwargs: ['repeat'],
    apply: (v, args, ctx, kw) => {
      const lists = [v, ...args].map((l) => iterate(l, 'product', ctx));
      const repeat = intArg(kw.repeat ?? 1, 'repeat', ctx);
      return product(Array.from({ length: repeat }, () => lists).flat()).map(tuple);
    },
  }],
  ['length', {
    minArgs: 0, maxArgs: 0,
    apply: (v, _a, ctx) => {
      if (typeof v === 'string') return [...v].length; // code points, as Python's len()
      if (Array.isArray(v)) return v.length;
      if (isPlainObject(v)) return Object.keys(v).length;
      return ctx.fail(`'length' needs a string, list or dict, not a ${typeName(v)}`);
    },
  }],
];
