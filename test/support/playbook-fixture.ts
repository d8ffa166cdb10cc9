// For unit tests: fake modules (the registry is not needed), and loading a playbook
// written into a temporary folder, returning its problems as `line:col: detail`.
import { z } from 'zod';
import type { AnyModule } from '../../src/modules/registry.js';
import { includeTasksModule } from '../../src/modules/engine/include-tasks.js';
import { includeRoleModule } from '../../src/modules/engine/include-role.js';
import { writeTree, type TempTree } from './file-tree.js';
import { loadInventory } from '../../src/inventory/index.js';
import { loadPlaybooks, type LoadOptions } from '../../src/playbook/index.js';
import type { LoadedRun } from '../../src/playbook/model.js';
import { ValidationErrors } from '../../src/playbook/problems.js';

const notRun = (): Promise<never> => Promise.reject(new Error('fake module: not run in unit tests'));

function fake(name: string, args: z.ZodType, freeForm?: string): AnyModule {
  return { name, names: [name], args, ...(freeForm ? { freeForm } : {}), run: notRun };
}

export const FAKE_MODULES: readonly AnyModule[] = [
  fake('copy', z.object({
    src: z.string().optional(), content: z.string().optional(), dest: z.string().startsWith('/'),
    mode: z.string().regex(/^0[0-7]{3}$/).optional(), remote_src: z.boolean().optional(),
  }).strict()),
  fake('file', z.object({
    path: z.string().startsWith('/'), mode: z.string().optional(), state: z.enum(['file', 'directory', 'absent']).optional(),
  }).strict()),
  fake('shell', z.object({ cmd: z.string(), creates: z.string().optional(), chdir: z.string().optional() }).strict(), 'cmd'),
  fake('template', z.object({ src: z.string(), dest: z.string() }).strict()),
  fake('disk', z.object({ name: z.string(), size_gib: z.number().int().positive(), tags: z.array(z.string()).optional() }).strict()),
  fake('set_fact', z.record(z.string(), z.unknown())),
  fake('ping', z.object({}).strict()),
  fake('package', z.object({ name: z.union([z.string(), z.array(z.string())]), state: z.string().optional() }).strict()),
  includeTasksModule, includeRoleModule, // the engine's own, as the loader expects them
];

const byName = new Map(FAKE_MODULES.map((m) => [m.name, m]));

export const fakeModules: Pick<LoadOptions, 'lookupModule' | 'moduleNames'> = {
  lookupModule: (key) => byName.get(key.replace(/^ansible\.builtin\./, '')),
  moduleNames: () => [...byName.keys()].sort(),
};

export interface Loaded {
  tree: TempTree;
  run?: LoadedRun;
  /** `line:col: detail` for problems in `site.yaml`, `file:line:col: detail` for other files. */
  problems: string[];
}

/**
 * Write `files` (with `site.yaml` the playbook) and load it with the fake modules.
 * `inventory` is the text of an inventory file to check variables against.
 */
export async function loadSite(files: Record<string, string>, opts: Omit<LoadOptions, 'inventory'> & { inventoryText?: string } = {}): Promise<Loaded> {
  const { inventoryText, ...rest } = opts;
  const tree = await writeTree({ 'package.json': '{}', ...files, ...(inventoryText ? { 'inventory.yaml': inventoryText } : {}) });
  const inventory = inventoryText ? await loadInventory([tree.path('inventory.yaml')]) : undefined;
  try {
    const run = await loadPlaybooks([tree.path('site.yaml')], { ...fakeModules, ...rest, ...(inventory ? { inventory } : {}) });
    return { tree, run, problems: [] };
  } catch (e) {
    if (!(e instanceof ValidationErrors)) throw e;
    const site = tree.path('site.yaml');
    const problems = e.problems.map((p) => {
      const where = p.pos.file === site ? '' : `${p.pos.file.startsWith(tree.dir) ? p.pos.file.slice(tree.dir.length + 1) : p.pos.file}:`;
      return `${where}${p.pos.line}:${p.pos.col}: ${p.detail}`;
    });
    return { tree, problems };
  }
}

/** A YAML playbook from lines (keeps tests readable and line numbers countable). */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
