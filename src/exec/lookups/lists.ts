// The lookups that reshape their terms, behind Ansible's `with_items`, `with_list`,
// `with_dict`, `with_indexed_items`, `with_together` and `with_nested`. They read no
// files; each is the list its with_ loop iterates.
import { isPlainObject, pyRepr, tuple, typeName } from '../../jinja/values.js';
import type { LookupPlugin } from './plugin.js';

/** LookupBase._flatten: lists spread one level, anything else kept. */
export function flattenOnce(items: readonly unknown[]): unknown[] {
  return items.flatMap((x) => (Array.isArray(x) ? x : [x]));
}

/** listify_lookup_plugin_terms of one term: a string or scalar is a list of itself, a dict its keys. */
export function listify(term: unknown): unknown[] {
  if (Array.isArray(term)) return term;
  if (isPlainObject(term)) return Object.keys(term);
  return [term];
}

/** `items`: the terms, lists among them spread one level. */
export const ITEMS_LOOKUP: LookupPlugin = { options: [], run: (terms) => flattenOnce(terms) };

/** `list`: the terms as they are. */
export const LIST_LOOKUP: LookupPlugin = { options: [], run: (terms) => [...terms] };

/** `indexed_items`: (index, item) pairs over the flattened terms. */
export const INDEXED_ITEMS_LOOKUP: LookupPlugin = {
  options: [],
  run: (terms) => flattenOnce(terms).map((item, i) => tuple([i, item])),
};

/** `dict`: {key, value} for each entry of each dict term, in the dict's order. */
export const DICT_LOOKUP: LookupPlugin = {
  options: [],
  run(terms, _options, { fail }) {
    return terms.flatMap((term) => {
      if (!isPlainObject(term)) return fail(`with_dict expects a dict, not ${typeName(term)} ${pyRepr(term)}`);
      return Object.keys(term).map((key) => ({ key, value: term[key] }));
    });
  },
};

/** `together`: the lists side by side ([1, 2], [3] → [1, 3], [2, None]); lists in a row spread one level. */
export const TOGETHER_LOOKUP: LookupPlugin = {
  options: [],
  run(terms, _options, { fail }) {
    const lists = terms.map(listify);
    if (lists.length === 0) return fail('with_together requires at least one element in each list');
    const rows = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: rows }, (_, i) => flattenOnce(lists.map((l) => (i < l.length ? l[i] : null))));
  },
};

/** `nested`: every combination, the first list outermost ([1, 2], [a, b] → [1, a], [1, b], [2, a], [2, b]). */
export const NESTED_LOOKUP: LookupPlugin = {
  options: [],
  run(terms, _options, { fail }) {
    const [first, ...rest] = terms.map(listify);
    if (first === undefined) return fail('with_nested requires at least one element in the nested list');
    let combos: unknown[] = first;
    for (const next of rest) combos = combos.flatMap((x) => next.map((y) => flattenOnce([x, y])));
    // Ansible flattens each result by iterating it, so a lone list's strings become their characters.
    return combos.map((c) => (typeof c === 'string' ? [...c] : flattenOnce(listify(c))));
  },
};
