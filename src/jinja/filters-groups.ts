// Filters that regroup a list: Jinja 3.1's groupby, Ansible's extract, and the
// itertools-based combinations/permutations of ansible/plugins/filter/mathstuff.py.
import type { Builtin, CallContext } from './builtin.js';
import { attrGetter, ignoreCase, intArg, iterate, orderOrFail } from './filters-support.js';
import { getMember, Missing } from './lookup.js';
import { deepEqual, pyStr, truthy, tuple } from './values.js';

/** Jinja's do_groupby: sorted by the (case-folded) key, groups of equal keys, real key of the first item. */
function groupby(list: readonly unknown[], attribute: unknown, dflt: unknown, caseSensitive: boolean, ctx: CallContext): unknown[] {
  const raw = attrGetter(attribute, dflt === null ? undefined : dflt);
  const key = (item: unknown): unknown => {
    const k = raw(item);
    if (k instanceof Missing) ctx.fail(k.reason);
    return caseSensitive ? k : ignoreCase(k);
  };
  const keyed = list.map((item, i) => ({ item, i, k: key(item) }));
  keyed.sort((a, b) => orderOrFail(a.k, b.k, 'groupby', ctx) || a.i - b.i);
  const groups: Array<{ k: unknown; items: unknown[] }> = [];
  for (const { item, k } of keyed) {
    const last = groups[groups.length - 1];
    if (last && deepEqual(last.k, k)) last.items.push(item);
    else groups.push({ k, items: [item] });
  }
  return groups.map((g) => tuple([caseSensitive ? g.k : raw(g.items[0]), g.items]));
}

function combinations(pool: readonly unknown[], r: number): unknown[][] {
  if (r > pool.length || r < 0) return [];
  const out: unknown[][] = [];
  const pick = (start: number, acc: unknown[]): void => {
    if (acc.length === r) { out.push([...acc]); return; }
    for (let i = start; i < pool.length; i++) pick(i + 1, [...acc, pool[i]]);
  };
  pick(0, []);
  return out;
}

function permutations(pool: readonly unknown[], r: number): unknown[][] {
  if (r > pool.length || r < 0) return [];
  const out: unknown[][] = [];
  const pick = (used: readonly boolean[], acc: unknown[]): void => {
    if (acc.length === r) { out.push([...acc]); return; }
    pool.forEach((x, i) => {
      if (used[i]) return;
      const next = [...used];
      next[i] = true;
      pick(next, [...acc, x]);
    });
  };
  pick(pool.map(() => false), []);
  return out;
}

/** Ansible's extract: container[item], then [key] for each of morekeys. */
function extract(item: unknown, container: unknown, morekeys: unknown, ctx: CallContext): unknown {
  const keys = morekeys === undefined || morekeys === null ? [] : Array.isArray(morekeys) ? morekeys : [morekeys];
  let value = getMember(container, item, 'container', `container[${pyStr(item)}]`, 0);
  for (const k of keys) value = getMember(value, k, 'value', `value[${pyStr(k)}]`, 0);
  return value instanceof Missing ? ctx.fail(value.reason) : value;
}

export const GROUP_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['groupby', {
    minArgs: 1, maxArgs: 1, kwargs: ['default', 'case_sensitive'],
    apply: (v, [attribute], ctx, kw) => groupby(iterate(v, 'groupby', ctx), attribute, kw.default ?? null, truthy(kw.case_sensitive), ctx),
  }],
  ['extract', {
    minArgs: 1, maxArgs: 2, kwargs: ['morekeys'],
    apply: (v, [container, morekeys], ctx, kw) => extract(v, container, morekeys ?? kw.morekeys, ctx),
  }],
  ['combinations', {
    minArgs: 1, maxArgs: 1,
    apply: (v, [r], ctx) => combinations(iterate(v, 'combinations', ctx), intArg(r, 'r', ctx)).map(tuple),
  }],
  ['permutations', {
    minArgs: 0, maxArgs: 1,
    apply: (v, [r], ctx) => {
      const pool = iterate(v, 'permutations', ctx);
      return permutations(pool, r === undefined || r === null ? pool.length : intArg(r, 'r', ctx)).map(tuple);
    },
  }],
];
