// The `subelements` lookup (`with_subelements`): for a list of dicts and the name of a
// list inside each (`vms`, 'disks', or a dotted path 'spec.disks'), one (item, element)
// pair per element. As in Ansible the item in each pair lacks that list (the plugin pops
// it), items marked `skipped` are left out, and with skip_missing an item without the
// key is left out instead of failing. skip_missing comes in a third term {skip_missing: …}
// as Ansible reads it, or as a keyword option, as its documentation lists it.
import { isPlainObject, pyRepr, setOwn, tuple } from '../../jinja/values.js';
import { type LookupPlugin, toBool } from './plugin.js';

type Dict = Record<string, unknown>;

export const SUBELEMENTS_LOOKUP: LookupPlugin = {
  options: ['skip_missing'],
  run(terms, options, { fail }) {
    const usage = (why = ''): never => fail(`subelements lookup expects a list of two or three items, ${why}`);
    if (terms.length < 2 || terms.length > 3) return usage();
    const [items, key, flags = {}] = terms;
    const list = typeof items === 'string' ? [items] : items;
    if (!(Array.isArray(list) || isPlainObject(list)) || typeof key !== 'string') {
      return usage('first a dict or a list, second a string pointing to the subkey');
    }
    if (!isPlainObject(flags) || Object.keys(flags).some((k) => k !== 'skip_missing')) {
      return usage("the optional third item must be a dict with flags ('skip_missing',)");
    }
    const skipMissing = toBool(flags.skip_missing ?? options.skip_missing ?? false, 'skip_missing', fail);
    if (isPlainObject(list) && isSkipped(list)) return []; // a registered result that was skipped as a whole
    const elements = Array.isArray(list) ? list : Object.values(list);
    const path = key.split('.');
    const pairs: unknown[] = [];
    for (const item of elements) {
      if (!isPlainObject(item)) return fail(`subelements lookup expects a dictionary, got ${pyRepr(item)}`);
      if (isSkipped(item)) continue;
      const split = popSublist(item, path, skipMissing, fail);
      if (split !== undefined) for (const element of split.sublist) pairs.push(tuple([split.rest, element]));
    }
    return pairs;
  },
};

// Ansible skips an item whose `skipped` is anything but False.
function isSkipped(d: Dict): boolean {
  return Object.hasOwn(d, 'skipped') && d.skipped !== false;
}

/**
 * The list at `path` in `item`, and a copy of `item` without it (copied along the path,
 * never changing the variable); undefined to leave the item out (skip_missing).
 */
function popSublist(item: Dict, path: readonly string[], skipMissing: boolean, fail: (m: string) => never): { rest: Dict; sublist: unknown[] } | undefined {
  const rest: Dict = { ...item };
  let copy = rest;
  for (const [i, subkey] of path.entries()) {
    if (!Object.hasOwn(copy, subkey)) {
      return skipMissing ? undefined : fail(`could not find '${subkey}' key in iterated item ${pyRepr(copy)}`);
    }
    const value = copy[subkey];
    if (i === path.length - 1) {
      if (!Array.isArray(value)) return fail(`the key ${subkey} should point to a list, got ${pyRepr(value)}`);
      delete copy[subkey];
      return { rest, sublist: value };
    }
    if (!isPlainObject(value)) {
      return skipMissing ? undefined : fail(`the key ${subkey} should point to a dictionary, got ${pyRepr(value)}`);
    }
    const inner: Dict = { ...value };
    setOwn(copy, subkey, inner);
    copy = inner;
  }
  return undefined; // an empty path: String.split never gives one
}
