// What every lookup plugin shares: the context a playbook gives the lookups (where
// relative files are searched, the task's variables), the shape of a plugin, and the
// checks of its keyword options. Kept apart from provider.ts, which lists the plugins,
// so the plugin files can use these without importing the list that imports them.
import type { Kwargs } from '../../jinja/builtin.js';
import type { LookupProvider } from '../../jinja/lookups.js';
import { isPlainObject, pyRepr, typeName } from '../../jinja/values.js';

export interface LookupContext {
  /** Base directories for relative paths, most specific first: the current role's dir (when in a role), then the playbook's dir. */
  searchDirs: readonly string[];
  /**
   * The directory of the file that holds the task, which Ansible searches after the
   * roles and before the playbook's dir. Defaults to the role's `tasks/` in a role
   * (where a role's tasks live); outside a role the playbook's dir is searched anyway.
   */
  taskDir?: string;
  /** The task's variables (for `vars`, and what `template` renders with). */
  vars: Record<string, unknown>;
  /** Non-fatal notices (errors='warn'). */
  warn(message: string): void;
}

/** What a plugin gets besides its terms and options. */
export interface PluginEnv {
  readonly ctx: LookupContext;
  /** Raise the lookup's error (an ExprError at the lookup call); never returns. */
  fail(message: string): never;
  /** A provider over the same directories with other variables, for the lookups inside a template. */
  nested(vars: Record<string, unknown>): LookupProvider;
}

export interface LookupPlugin {
  /** The keyword options it takes; any other is an error. */
  readonly options: readonly string[];
  /** Ansible's run(terms, variables, **kwargs): always a list. */
  run(terms: readonly unknown[], options: Kwargs, env: PluginEnv): unknown[];
}

/** Fails naming the first option the plugin does not take. */
export function checkOptions(plugin: string, known: readonly string[], options: Kwargs, fail: (m: string) => never): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const takes = known.length === 0 ? 'it takes no options' : `it takes ${known.join(', ')}`;
    fail(`lookup plugin '${plugin}' has no option '${name}'; ${takes}`);
  }
}

// Ansible's boolean(): the spellings its options accept for true and false.
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** A boolean as Ansible's options accept one: true/false, 'yes'/'no', 1/0…; anything else fails. */
export function toBool(value: unknown, what: string, fail: (m: string) => never): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return fail(`${what} must be a boolean, not ${pyRepr(value)}`);
}

/** The boolean option `name`, or `fallback` when it is not given (or None). */
export function boolOption(options: Kwargs, name: string, fallback: boolean, fail: (m: string) => never): boolean {
  const value = options[name];
  return value === undefined || value === null ? fallback : toBool(value, `option '${name}'`, fail);
}

/** A dict option (`template_vars`), or {} when it is not given. */
export function dictOption(options: Kwargs, name: string, fail: (m: string) => never): Record<string, unknown> {
  const value = options[name];
  if (value === undefined || value === null) return {};
  return isPlainObject(value) ? value : fail(`option '${name}' must be a dict, not a ${typeName(value)}`);
}

/** A term that names something (a file, a variable): a string. */
export function stringTerm(term: unknown, plugin: string, fail: (m: string) => never): string {
  return typeof term === 'string' ? term : fail(`lookup plugin '${plugin}' needs strings, not ${typeName(term)} ${pyRepr(term)}`);
}
