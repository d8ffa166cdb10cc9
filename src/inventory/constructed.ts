// Ansible's `constructed` options of an inventory plugin (lib/ansible/plugins/inventory/
// __init__.py, Constructable): `compose` sets variables from Jinja expressions,
// `groups` puts a host in a group when a condition holds, `keyed_groups` makes groups
// from a variable's values. The inventory layer holds no Jinja engine: the caller
// passes one (ExpressionEvaluator); without it, a source using these options is refused.
import type { Vars } from '../data/py-values.js';

export interface KeyedGroup {
  key: string;
  prefix: string;
  separator: string;
  parentGroup?: string;
  defaultValue?: string;
  trailingSeparator?: boolean;
}

export interface ConstructedOptions {
  /** Errors in expressions fail the source (else the entry is skipped for that host). */
  strict: boolean;
  compose: Record<string, string>;
  groups: Record<string, string>;
  keyedGroups: KeyedGroup[];
  /** A keyed group without a prefix starts with its separator (Ansible's default). */
  leadingSeparator: boolean;
}

export const NO_CONSTRUCTED: ConstructedOptions = { strict: false, compose: {}, groups: {}, keyedGroups: [], leadingSeparator: true };

export interface ExpressionEvaluator {
  /** `{{ expr }}` as Ansible templates a variable (a lone expression keeps its type). */
  value(expr: string, vars: Vars): unknown;
  /** `{% if expr %} True {% else %} False {% endif %}`, as Ansible tests `groups` entries. */
  test(expr: string, vars: Vars): boolean;
  /** A template string (a keyed group's parent_group: a plain name, or with `{{ }}`). */
  template(text: string, vars: Vars): string;
}

export class ConstructedError extends Error {}

export function usesConstructed(o: ConstructedOptions): boolean {
  return Object.keys(o.compose).length > 0 || Object.keys(o.groups).length > 0 || o.keyedGroups.length > 0;
}

/** What the options give one host: its new variables and the groups it joins (with their parents). */
export interface Constructed {
  vars: Vars;
  groups: Array<{ name: string; parent?: string }>;
}

/**
 * `vars` are the host's own variables (Ansible's host.get_vars()); composed variables
 * are seen by `groups` and `keyed_groups`, as in Ansible.
 */
export function construct(o: ConstructedOptions, host: string, vars: Vars, ev: ExpressionEvaluator): Constructed {
  const out: Constructed = { vars: {}, groups: [] };
  const attempt = <T>(what: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (o.strict) throw new ConstructedError(`${what} for host ${host}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      return undefined;
    }
  };
  for (const [name, expr] of Object.entries(o.compose)) {
    const value = attempt(`could not set ${name}`, () => ev.value(expr, { ...vars, ...out.vars }));
    if (value !== undefined) out.vars[name] = value;
  }
  const seen = { ...vars, ...out.vars };
  for (const [group, expr] of Object.entries(o.groups)) {
    if (attempt(`could not add to group ${group}`, () => ev.test(expr, seen))) out.groups.push({ name: group });
  }
  for (const keyed of o.keyedGroups) {
    const key = attempt(`could not make a group from ${keyed.key}`, () => ev.value(keyed.key, seen));
    const names = keyedGroupNames(o, keyed, key);
    if (names === null) {
      if (o.strict) throw new ConstructedError(`no key or key resulted empty for ${keyed.key} in host ${host}, invalid entry`);
      continue;
    }
    const parent = keyed.parentGroup === undefined ? undefined : attempt(`could not make the parent group ${keyed.parentGroup}`, () => ev.template(keyed.parentGroup!, seen));
    for (const name of names) out.groups.push(parent ? { name, parent } : { name });
  }
  return out;
}

/** The group names a keyed group's key gives (null: an empty key, which is an error under strict). */
function keyedGroupNames(o: ConstructedOptions, k: KeyedGroup, key: unknown): string[] | null {
  const emptyOk = k.defaultValue !== undefined;
  if (Array.isArray(key) && key.length === 0) return [];
  if (isMapping(key) && Object.keys(key).length === 0) return [];
  if (key === undefined || key === null || key === false || (key === '' && !emptyOk)) return null;
  let bare: string[];
  if (typeof key === 'string') bare = [key === '' ? k.defaultValue! : key];
  else if (Array.isArray(key)) bare = key.map((x) => (x === '' && emptyOk ? k.defaultValue! : pyStr(x)));
  else if (isMapping(key)) {
    bare = Object.entries(key).map(([name, v]) => {
      if (v !== '') return `${name}${k.separator}${pyStr(v)}`;
      if (emptyOk) return `${name}${k.separator}${k.defaultValue}`;
      return k.trailingSeparator === false ? name : `${name}${k.separator}`;
    });
  } else throw new ConstructedError(`invalid group name format, expected a string or a list of them or dictionary, got: ${typeof key}`);
  const sep = k.prefix === '' && !o.leadingSeparator ? '' : k.separator;
  return bare.map((b) => `${k.prefix}${sep}${b}`);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Python's str() of the simple values group names are made of. */
function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return String(v);
}
