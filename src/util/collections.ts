// dict2items and subelements: Ansible's filters of the same names, so a task can loop
// over a map or over a list nested in each item of a list. Shared by the Handlebars
// helpers (`{{ subelements vms 'disks' }}`) and the Jinja filters (`vms | subelements('disks')`).

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'map' : typeof v;
}

/** `{a: 1}` → `[{key: 'a', value: 1}]`, in the map's order. */
export function dict2items(m: unknown): Array<{ key: string; value: unknown }> {
  if (!isMap(m)) throw new TypeError(`dict2items needs a map, not a ${describe(m)}`);
  return Object.keys(m).map((key) => ({ key, value: m[key] }));
}

/**
 * `[{name: a, disks: [d0, d1]}]` → `[[{…a}, d0, 0], [{…a}, d1, 1]]`: one entry per
 * element of each item's `key` list, with the item, the element and the element's
 * index in its own list (the third is kvmplay's addition: disk file names and device
 * letters follow it). An item without `key` is an error, as in Ansible, unless
 * `skip_missing` is true.
 */
export function subelements(list: unknown, key: unknown, skipMissing: unknown = false): Array<[unknown, unknown, number]> {
  if (!Array.isArray(list)) throw new TypeError(`subelements needs a list, not a ${describe(list)}`);
  if (typeof key !== 'string' || key === '') throw new TypeError('subelements needs the name of a list key, e.g. \'disks\'');
  const out: Array<[unknown, unknown, number]> = [];
  list.forEach((item, i) => {
    if (!isMap(item)) throw new TypeError(`subelements: item ${i} is a ${describe(item)}, not a map`);
    const sub = Object.prototype.hasOwnProperty.call(item, key) ? item[key] : undefined;
    if (sub === undefined || sub === null) {
      if (skipMissing === true) return;
      throw new TypeError(`subelements: item ${i} has no "${key}"`);
    }
    if (!Array.isArray(sub)) throw new TypeError(`subelements: "${key}" of item ${i} is a ${describe(sub)}, not a list`);
    sub.forEach((element, j) => out.push([item, element, j]));
  });
  return out;
}
