// The helpers templates may call, with what the compiler checks before anything is
// rendered: argument counts, named arguments, and which arguments may be undefined
// variables. Everywhere else an undefined variable is an error (SPEC 5); only a
// fallback (`default`) and conditions (`eq` … `not`) may look at something absent,
// since they never write it into a file.
import { dict2items, subelements } from './collections.js';
import { toJson } from './json.js';
import { kib } from './kib.js';
import { and, defaultValue, eq, ne, not, or } from './logic.js';
import { libvirtConf } from './libvirt-conf.js';
import { lookupKey } from './lookup.js';
import { mac } from './mac.js';
import { shq, xml } from './escaping.js';
import { SafeText } from '../safe-text.js';
import { uuid } from './uuid.js';

export interface HelperSpec {
  /** Plain errors thrown here are reported with the template, line and column. */
  call(args: readonly unknown[], hash: Readonly<Record<string, unknown>>): unknown;
  minArgs: number;
  maxArgs: number;
  /** Named arguments it accepts (`indent=2`). */
  hashKeys: readonly string[];
  /** Path arguments that may name undefined variables: none, the first, or all. */
  optional: 'none' | 'first' | 'all';
}

const MANY = Number.POSITIVE_INFINITY;

function spec(partial: Partial<HelperSpec> & Pick<HelperSpec, 'call' | 'minArgs' | 'maxArgs'>): HelperSpec {
  return { hashKeys: [], optional: 'none', ...partial };
}

export const HELPERS: ReadonlyMap<string, HelperSpec> = new Map<string, HelperSpec>([
  ['default', spec({ call: ([v, f]) => defaultValue(v, f), minArgs: 2, maxArgs: 2, optional: 'first' })],
  ['eq', spec({ call: ([a, b]) => eq(a, b), minArgs: 2, maxArgs: 2, optional: 'all' })],
  ['ne', spec({ call: ([a, b]) => ne(a, b), minArgs: 2, maxArgs: 2, optional: 'all' })],
  ['and', spec({ call: (args) => and(...args), minArgs: 1, maxArgs: MANY, optional: 'all' })],
  ['or', spec({ call: (args) => or(...args), minArgs: 1, maxArgs: MANY, optional: 'all' })],
  ['not', spec({ call: ([v]) => not(v), minArgs: 1, maxArgs: 1, optional: 'all' })],
  ['json', spec({ call: ([v, indent], hash) => new SafeText(toJson(v, indent ?? hash['indent']), 'json'), minArgs: 1, maxArgs: 2, hashKeys: ['indent'] })],
  ['xml', spec({ call: ([v]) => xml(v), minArgs: 1, maxArgs: 1 })],
  ['shq', spec({ call: ([v]) => shq(v), minArgs: 1, maxArgs: 1 })],
  ['kib', spec({ call: ([v]) => kib(v), minArgs: 1, maxArgs: 1 })],
  ['mac', spec({ call: (args) => mac(...args), minArgs: 1, maxArgs: MANY })],
  ['uuid', spec({ call: (args) => uuid(...args), minArgs: 1, maxArgs: MANY })],
  ['lookup', spec({ call: ([m, k]) => lookupKey(m, k), minArgs: 2, maxArgs: 2 })],
  ['dict2items', spec({ call: ([m]) => dict2items(m), minArgs: 1, maxArgs: 1 })],
  ['subelements', spec({ call: ([l, k, s], hash) => subelements(l, k, s ?? hash['skip_missing']), minArgs: 2, maxArgs: 3, hashKeys: ['skip_missing'] })],
  ['libvirt_conf', spec({ call: ([v]) => libvirtConf(v), minArgs: 1, maxArgs: 1 })],
]);

export interface BlockHelperSpec {
  /** May its argument be an undefined variable? */
  optional: boolean;
  hashKeys: readonly string[];
}

/** Handlebars' block helpers kept as they are; each takes one argument. */
export const BLOCK_HELPERS: ReadonlyMap<string, BlockHelperSpec> = new Map([
  ['if', { optional: true, hashKeys: ['includeZero'] }], // `{{#if vm.cdrom}}`: an absent optional value is false
  ['unless', { optional: true, hashKeys: ['includeZero'] }],
  ['each', { optional: false, hashKeys: [] }], // looping over nothing because of a typo is an error
  ['with', { optional: false, hashKeys: [] }],
]);

/** May argument `index` of helper `spec` be an undefined variable? */
export function argumentOptional(spec: HelperSpec, index: number): boolean {
  return spec.optional === 'all' || (spec.optional === 'first' && index === 0);
}
