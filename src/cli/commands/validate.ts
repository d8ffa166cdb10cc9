// `kvmplay validate PLAYBOOK... [-i INVENTORY] [-e …]`: everything `run` checks before
// its first connection — schema, modules, arguments, templates, conditions and, with
// an inventory, undefined variables — and nothing else: no SSH. Problems are thrown
// as one ValidationError (exit 4), every one on its own `file:line:col:` line.
import { EXIT } from '../../errors.js';
import { loadInventory } from '../../inventory/index.js';
import { loadPlaybooks } from '../../playbook/index.js';

export interface ValidateOptions {
  playbooks: string[];
  inventory: string[];
  extraVars: string[];
}

export async function validateCommand(o: ValidateOptions, io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream }): Promise<number> {
  const inventory = o.inventory.length > 0 ? await loadInventory(o.inventory) : undefined;
  for (const w of inventory?.warnings ?? []) io.err.write(`[WARNING]: ${w}\n`);
  const loaded = await loadPlaybooks(o.playbooks, { ...(inventory ? { inventory } : {}), extraVars: o.extraVars });
  const plays = loaded.playbooks.flatMap((pb) => pb.plays);
  const tasks = plays.reduce((n, p) => n + p.tasks.length, 0);
  io.out.write(`ok: ${plays.length} plays, ${tasks} tasks\n`);
  return EXIT.ok;
}
