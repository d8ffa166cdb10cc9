// loadPlaybooks: every playbook of a run loaded and validated — schema, modules and
// their arguments, templates, conditions, undefined variables — before the first SSH
// connection. Pure except for reading files. Every problem found is reported at once.
import { rolesPath } from './ansible-config.js';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OptionsError } from '../errors.js';
import type { Inventory } from '../inventory/index.js';
import { findModule, moduleNames as registryNames } from '../modules/registry.js';
import { adjacentVarNames } from './adjacent-vars.js';
import { parseExtraVars } from './extra-vars.js';
import { loadPlaybook, type LoadedPlaybook } from './load.js';
import { includeVarsNames } from './include-vars-names.js';
import { LocalFiles } from './local-files.js';
import type { LoadedRun } from './model.js';
import { Problems } from './problems.js';
import { StringCache, type VarUse } from './strings.js';
import type { BuiltTask } from './task.js';
import type { ModuleLookup } from './task-module.js';
import { checkUndefinedVariables, type PlayForCheck } from './variables.js';

export interface LoadOptions {
  /** With an inventory, variables no scope defines are errors; without, they are not checked. */
  inventory?: Inventory;
  /** Raw `-e` values, in command-line order. */
  extraVars?: readonly string[];
  /** Project root (its `templates/`); default: see findProjectDir. */
  projectDir?: string;
  /** Default: the module registry. Tests pass their own modules. */
  lookupModule?: ModuleLookup;
  /** Names offered in "did you mean" and "one of"; default: the registry's (or none with a custom lookup). */
  moduleNames?: () => readonly string[];
}

export async function loadPlaybooks(files: readonly string[], opts: LoadOptions = {}): Promise<LoadedRun> {
  if (files.length === 0) throw new OptionsError('no playbook given');
  for (const f of files) {
    if (!(await stat(f).catch(() => null))?.isFile()) throw new OptionsError(`playbook not found: ${f}`);
  }
  const extraVars = await parseExtraVars(opts.extraVars ?? []);
  const lookup = opts.lookupModule ?? findModule;
  const names = [...(opts.moduleNames?.() ?? (opts.lookupModule ? [] : registryNames()))];
  const problems = new Problems();
  const loaded: LoadedPlaybook[] = [];
  const stringCache = new StringCache();
  const roles = rolesPath();
  for (const f of files) loaded.push(await loadPlaybook(f, { problems, lookup, moduleNames: names, stringCache, rolesPath: roles }));

  const projectDir = resolve(opts.projectDir ?? (await findProjectDir(dirname(resolve(files[0]!)))));
  const local = new LocalFiles(problems, projectDir);
  const plays: PlayForCheck[] = [];
  for (const pb of loaded) {
    for (const built of pb.plays) {
      const fileUses = new Map<BuiltTask, VarUse[]>();
      // Most tasks name no local file: no await for them (a thousand of them add up, cold).
      for (const t of [...built.tasks, ...built.handlers]) fileUses.set(t, t.files.length ? await local.check(t, built.play.dir, t.task.role?.dir) : []);
      plays.push({ built, fileUses, includedVars: await includeVarsNames(built) });
    }
  }

  // vars_prompt: kvmplay never asks; a prompt's value is its -e value or its default.
  for (const pb of loaded) {
    for (const { play } of pb.plays) {
      for (const p of play.varsPrompt) {
        if (p.default === undefined && !Object.hasOwn(extraVars, p.name)) {
          problems.add(p.pos, `vars_prompt "${p.name}": kvmplay does not prompt; give it with -e ${p.name}=… (or a default:)`);
        }
      }
    }
  }
  if (opts.inventory) {
    const known = new Set(Object.keys(extraVars));
    for (const host of opts.inventory.hostNames()) for (const k of Object.keys(opts.inventory.hostVars(host))) known.add(k);
    for (const dir of new Set(loaded.flatMap((pb) => pb.dirs))) for (const k of await adjacentVarNames(dir, problems)) known.add(k);
    checkUndefinedVariables(plays, known, problems);
  }
  problems.throwIfAny();
  return { playbooks: loaded.map((pb) => pb.playbook), extraVars, templates: local.templates, projectDir };
}

/**
 * The project root: the nearest folder at or above the playbook's holding a
 * package.json; else the parent of a `playbooks/` folder; else the playbook's folder.
 */
export async function findProjectDir(start: string): Promise<string> {
  for (let dir = start; ; dir = dirname(dir)) {
    if (await stat(join(dir, 'package.json')).catch(() => null)) return dir;
    if (dirname(dir) === dir) break;
  }
  return basename(start) === 'playbooks' ? dirname(start) : start;
}
