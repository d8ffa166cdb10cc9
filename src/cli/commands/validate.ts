// `kvmplay validate PLAYBOOK... [-i INVENTORY] [-e …]`: everything `run` checks before
// its first connection — schema, modules, arguments, templates, conditions and, with
// an inventory, undefined variables — and nothing else: no SSH. Problems are thrown
// as one ValidationError (exit 4), every one on its own `file:line:col:` line.
import { EXIT } from '../../errors.js';
import { setDuplicateKeyPolicy, takeYamlWarnings } from '../../data/yaml-limits.js';
import { loadInventory, type Inventory } from '../../inventory/index.js';
import { loadPlaybooks } from '../../playbook/index.js';
import { resolveConnections } from '../connections.js';

export interface ValidateOptions {
  playbooks: string[];
  inventory: string[];
  /** --limit: only these hosts' connection settings must be usable. */
  limit?: string;
  extraVars: string[];
  /** Duplicate YAML keys are errors, not warnings. */
  strict?: boolean;
}

export async function validateCommand(o: ValidateOptions, io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream }): Promise<number> {
  setDuplicateKeyPolicy(o.strict ? 'error' : 'warn');
  const inventory = o.inventory.length > 0 ? await loadInventory(o.inventory) : undefined;
  // As `run` refuses them: every host's connection settings must be usable. An error
  // message may quote a secret (a password given as a list): as `run`, mask it.
  const checked = inventory ? inventory.matchHosts(o.limit ?? 'all') : [];
  const resolved = inventory ? resolveConnections(inventory, inventory.hostNames(), checked) : undefined;
  try {
    resolved?.problems.throwIfAny();
    return await validateWith(o, io, inventory);
  } catch (err) {
    throw resolved ? resolved.redactor.redactError(err) : err;
  }
}

async function validateWith(o: ValidateOptions, io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream }, inventory: Inventory | undefined): Promise<number> {
  for (const w of inventory?.warnings ?? []) io.err.write(`[WARNING]: ${w}\n`);
  const loaded = await loadPlaybooks(o.playbooks, { ...(inventory ? { inventory } : {}), extraVars: o.extraVars });
  for (const w of takeYamlWarnings()) io.err.write(`[WARNING]: ${w}\n`);
  const plays = loaded.playbooks.flatMap((pb) => pb.plays);
  const tasks = plays.reduce((n, p) => n + p.tasks.length, 0);
  io.out.write(`ok: ${plays.length} plays, ${tasks} tasks\n`);
  return EXIT.ok;
}
