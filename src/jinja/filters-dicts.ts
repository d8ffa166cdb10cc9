// Dict filters: Ansible's dict2items/items2dict/combine (ansible/plugins/filter/core.py,
// ansible.utils.vars.merge_hash) and Jinja's dictsort, plus kvmplay's subelements,
// which also gives each element's index (`item.2`) as the Handlebars helper does.
import { setKey } from '../data/py-values.js';
import { subelements } from '../util/collections.js';
import type { Builtin, CallContext } from './builtin.js';
import { ignoreCase, orderOrFail } from './filters-support.js';
import { contains, deepEqual, isPlainObject, pyStr, truthy, tuple, typeName } from './values.js';

type Dict = Record<string, unknown>;

function dictOrFail(v: unknown, filter: string, ctx: CallContext): Dict {
  return isPlainObject(v) ? v : ctx.fail(`${filter} requires a dictionary, got ${typeName(v)} instead.`);
}

const LIST_MERGE = ['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'];

/** ansible.utils.vars.merge_hash(x, y, recursive, list_merge): y wins; list_merge applies to top-level lists even when not recursive. */
export function mergeHash(x: Dict, y: Dict, recursive: boolean, listMerge: string): Dict {
  if (Object.keys(x).length === 0 || deepEqual(x, y)) return { ...y };
  const out: Dict = { ...x };
  for (const [k, yv] of Object.entries(y)) {
    if (!Object.hasOwn(out, k)) { setKey(out, k, yv); continue; }
    const xv = out[k];
    if (isPlainObject(xv) && isPlainObject(yv)) {
      setKey(out, k, recursive ? mergeHash(xv, yv, recursive, listMerge) : yv);
    } else if (Array.isArray(xv) && Array.isArray(yv)) {
      const fresh = (a: unknown[]): unknown[] => a.filter((z) => contains(z, yv) !== true);
      const merged = listMerge === 'keep' ? xv
        : listMerge === 'append' ? [...xv, ...yv]
          : listMerge === 'prepend' ? [...yv, ...xv]
            : listMerge === 'append_rp' ? [...fresh(xv), ...yv]
              : listMerge === 'prepend_rp' ? [...yv, ...fresh(xv)]
                : yv;
      setKey(out, k, merged);
    } else {
      setKey(out, k, yv);
    }
  }
  return out;
}

const combine: Builtin = {
  // combine(*dicts, recursive=False, list_merge='replace'); a list of dicts is flattened one level.
  minArgs: 0, maxArgs: Infinity, kwargs: ['recursive', 'list_merge'],
  apply: (v, args, ctx, kw) => {
    const listMerge = pyStr(kw.list_merge ?? 'replace');
    if (!LIST_MERGE.includes(listMerge)) ctx.fail(`merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'`);
    const dicts = [v, ...args].flatMap((t) => (Array.isArray(t) ? t : [t]));
    if (dicts.length === 0) return {};
    for (const d of dicts) {
      if (!isPlainObject(d)) ctx.fail(`failed to combine variables, expected dicts but got a '${typeName(d)}'`);
    }
    const typed = dicts as Dict[];
    if (typed.length === 1) return typed[0];
    let result = typed[typed.length - 1]!;
    for (let i = typed.length - 2; i >= 0; i--) result = mergeHash(typed[i]!, result, truthy(kw.recursive), listMerge);
    return result;
  },
};

const dict2items: Builtin = {
  minArgs: 0, maxArgs: 2, kwargs: ['key_name', 'value_name'],
  apply: (v, [keyName, valueName], ctx, kw) => {
    const d = dictOrFail(v, 'dict2items', ctx);
    const kn = pyStr(keyName ?? kw.key_name ?? 'key');
    const vn = pyStr(valueName ?? kw.value_name ?? 'value');
    return Object.keys(d).map((k) => {
      const item: Dict = {};
      setKey(item, kn, k);
      setKey(item, vn, d[k]);
      return item;
    });
  },
};

const items2dict: Builtin = {
  minArgs: 0, maxArgs: 2, kwargs: ['key_name', 'value_name'],
  apply: (v, [keyName, valueName], ctx, kw) => {
    if (!Array.isArray(v)) ctx.fail(`items2dict requires a list, got ${typeName(v)} instead.`);
    const kn = pyStr(keyName ?? kw.key_name ?? 'key');
    const vn = pyStr(valueName ?? kw.value_name ?? 'value');
    const out: Dict = {};
    for (const item of v as unknown[]) {
      if (!isPlainObject(item) || !Object.hasOwn(item, kn) || !Object.hasOwn(item, vn)) {
        ctx.fail(`items2dict requires each dictionary in the list to contain the keys '${kn}' and '${vn}'`);
      }
      const it = item as Dict;
      setKey(out, pyStr(it[kn]), it[vn]);
    }
    return out;
  },
};

const dictsort: Builtin = {
  // dictsort(case_sensitive=False, by='key', reverse=False): a list of [key, value] pairs.
  minArgs: 0, maxArgs: 3, kwargs: ['case_sensitive', 'by', 'reverse'],
  apply: (v, [cs, by, reverse], ctx, kw) => {
    const d = dictOrFail(v, 'dictsort', ctx);
    const field = pyStr(by ?? kw.by ?? 'key');
    if (field !== 'key' && field !== 'value') ctx.fail("You can only sort by either 'key' or 'value'");
    const pos = field === 'key' ? 0 : 1;
    const fold = truthy(cs ?? kw.case_sensitive) ? (x: unknown): unknown => x : ignoreCase;
    const sign = truthy(reverse ?? kw.reverse) ? -1 : 1;
    const pairs = Object.entries(d).map((p, i) => ({ p, i }));
    pairs.sort((a, b) => sign * orderOrFail(fold(a.p[pos]), fold(b.p[pos]), 'dictsort', ctx) || a.i - b.i);
    return pairs.map(({ p }) => tuple([p[0], p[1]]));
  },
};

export const DICT_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['combine', combine],
  ['dict2items', dict2items],
  ['items2dict', items2dict],
  ['dictsort', dictsort],
  ['subelements', {
    minArgs: 1, maxArgs: 2, kwargs: ['skip_missing'],
    apply: (v, [key, skip], ctx, kw) => {
      try {
        const list = isPlainObject(v) ? Object.values(v) : v;
        return subelements(list, key, truthy(skip ?? kw.skip_missing));
      } catch (err) {
        return ctx.fail((err as Error).message);
      }
    },
  }],
];
