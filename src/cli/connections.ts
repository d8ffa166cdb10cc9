// Every command that connects (run, ping, exec) and `validate -i` start the same way:
// resolve the hosts' connection settings once, teach the redactor their passwords and
// secret-named variables, and refuse unusable settings as validation errors (exit 4),
// every host at once. The error that refuses a setting may quote a secret: callers
// throw the problems where they redact errors.
import type { ConnectionSpec, Inventory } from '../inventory/index.js';
import { connectionPasswords, resolveConnectionSettings } from '../inventory/connection.js';
import { Redactor } from '../output/redact.js';
import { Problems } from '../playbook/problems.js';
import { applyConnectionDefaults } from './connection-defaults.js';
import type { ConnectionDefaults } from './settings.js';
import { watchVaultPlaintexts } from '../vault/index.js';

export interface ResolvedConnections {
  redactor: Redactor;
  /** The usable settings of the checked hosts, by name. */
  specs: Map<string, ConnectionSpec>;
  /** The checked hosts whose settings cannot be used (throwIfAny: exit 4). */
  problems: Problems;
  /** What the checked hosts' settings could not honour (ssh options, ~/.ssh/config), once each, with the hosts. */
  warnings: string[];
}

/** Each warning once, naming its hosts (all of them when few, else how many). */
function hostWarnings(specs: ReadonlyMap<string, ConnectionSpec>): string[] {
  const hostsOf = new Map<string, string[]>();
  for (const [name, spec] of specs) for (const w of spec.warnings ?? []) hostsOf.set(w, [...(hostsOf.get(w) ?? []), name]);
  return [...hostsOf].map(([w, hosts]) => `${hosts.length <= 3 ? hosts.join(', ') : `${hosts.length} hosts`}: ${w}`);
}

/**
 * `secretsOf`: hosts whose variables and passwords the redactor learns; `checked`: hosts
 * whose settings must be usable (a subset of secretsOf). `defaults`: the settings of
 * the command line, environment and ansible.cfg, under the hosts' own variables.
 */
export function resolveConnections(
  inventory: Inventory, secretsOf: readonly string[], checked: readonly string[], defaults: ConnectionDefaults = {},
): ResolvedConnections {
  const redactor = new Redactor();
  redactor.add(defaults.password);
  redactor.add(defaults.becomePassword);
  // Every value decrypted from a vault, now or later (include_vars), is a secret.
  watchVaultPlaintexts((v) => redactor.addValue(v));
  // Only the checked hosts' settings are resolved (ssh config and all): a --limit of 10
  // hosts out of 1,000 pays for 10. The others' passwords are still secrets.
  const toCheck = new Set(checked);
  for (const name of secretsOf) {
    const vars = inventory.hostVars(name);
    redactor.addSecretVars(vars);
    if (!toCheck.has(name)) for (const p of connectionPasswords(vars)) redactor.add(p);
  }
  const all = resolveConnectionSettings(inventory, checked);
  for (const [name, spec] of all.specs) all.specs.set(name, applyConnectionDefaults(spec, inventory.hostVars(name), defaults));
  for (const spec of all.specs.values()) {
    redactor.add(spec.password);
    redactor.add(spec.becomePassword);
  }
  const specs = new Map<string, ConnectionSpec>();
  const problems = new Problems();
  for (const name of checked) {
    const spec = all.specs.get(name);
    const problem = all.problems.get(name);
    if (spec) specs.set(name, spec);
    if (problem) problems.addError(problem);
  }
  return { redactor, specs, problems, warnings: hostWarnings(specs) };
}
