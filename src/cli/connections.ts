// Every command that connects (run, ping, exec) and `validate -i` start the same way:
// resolve the hosts' connection settings once, teach the redactor their passwords and
// secret-named variables, and refuse unusable settings as validation errors (exit 4),
// every host at once. The error that refuses a setting may quote a secret: callers
// throw the problems where they redact errors.
import type { ConnectionSpec, Inventory } from '../inventory/index.js';
import { resolveConnectionSettings } from '../inventory/connection.js';
import { Redactor } from '../output/redact.js';
import { Problems } from '../playbook/problems.js';

export interface ResolvedConnections {
  redactor: Redactor;
  /** The usable settings of the checked hosts, by name. */
  specs: Map<string, ConnectionSpec>;
  /** The checked hosts whose settings cannot be used (throwIfAny: exit 4). */
  problems: Problems;
}

/**
 * `secretsOf`: hosts whose variables and passwords the redactor learns; `checked`: hosts
 * whose settings must be usable (a subset of secretsOf).
 */
export function resolveConnections(inventory: Inventory, secretsOf: readonly string[], checked: readonly string[]): ResolvedConnections {
  const redactor = new Redactor();
  for (const name of secretsOf) redactor.addSecretVars(inventory.hostVars(name));
  const all = resolveConnectionSettings(inventory, secretsOf);
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
  return { redactor, specs, problems };
}
