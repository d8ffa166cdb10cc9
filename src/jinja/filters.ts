// The filter registry: Jinja's built-in filters and Ansible's core set, plus kvmplay's
// own (kib, mac, uuid, shq, libvirt_conf). Each family lives in its own filters-*.ts;
// this file only assembles them into one Map (never an object literal, so a name such
// as `constructor` cannot resolve through a prototype). Filters are pure except
// expanduser/realpath, which read the control machine as Ansible's do.
import type { Builtin } from './builtin.js';
import { CORE_FILTERS } from './filters-core.js';
import { DICT_FILTERS } from './filters-dicts.js';
import { FORMAT_FILTERS } from './filters-formats.js';
import { GROUP_FILTERS } from './filters-groups.js';
import { HASH_FILTERS } from './filters-hashing.js';
import { LIST_FILTERS } from './filters-lists.js';
import { MATH_FILTERS } from './filters-math.js';
import { PATH_FILTERS } from './filters-paths.js';
import { RANDOM_FILTERS } from './filters-random.js';
import { REGEX_FILTERS } from './filters-regex.js';
import { STRING_FILTERS } from './filters-strings.js';
import { TEXT_FILTERS } from './filters-text.js';

const FAMILIES = [
  CORE_FILTERS, MATH_FILTERS, RANDOM_FILTERS, STRING_FILTERS, TEXT_FILTERS, REGEX_FILTERS,
  LIST_FILTERS, GROUP_FILTERS, DICT_FILTERS, FORMAT_FILTERS, HASH_FILTERS, PATH_FILTERS,
];

function assemble(): Map<string, Builtin> {
  const map = new Map<string, Builtin>();
  for (const [name, builtin] of FAMILIES.flat()) {
    if (map.has(name)) throw new Error(`filter '${name}' is defined twice`);
    map.set(name, builtin);
  }
  map.set('count', map.get('length')!);
  return map;
}

export const FILTERS: ReadonlyMap<string, Builtin> = assemble();
