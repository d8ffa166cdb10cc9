// A playbook file: a YAML list of plays. `import_playbook` entries are loaded in
// place (relative to the importing file), as Ansible's static import does.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { toValue, type PNode } from '../data/yaml-load.js';
import type { Playbook } from './model.js';
import { buildPlay, type BuiltPlay } from './play.js';
import { entryOf } from './position.js';
import type { Problems } from './problems.js';
import { displayName, readSourceFile, type SourceFile } from './source.js';
import { StringChecker, type StringCache } from './strings.js';
import { describeValue } from './suggest.js';
import type { ModuleLookup } from './task-module.js';

export interface LoadContext {
  problems: Problems;
  lookup: ModuleLookup;
  moduleNames: readonly string[];
  /** Strings compiled so far in this load, shared by every file. */
  stringCache: StringCache;
  /** Where roles are looked for after roles/ beside a playbook (ansible-config.ts). */
  rolesPath: readonly string[];
}

export interface LoadedPlaybook {
  playbook: Playbook;
  plays: BuiltPlay[];
  /** Folders of the playbook and of every file it imports. */
  dirs: string[];
}

export async function loadPlaybook(path: string, ctx: LoadContext): Promise<LoadedPlaybook> {
  const file = resolve(path);
  const dirs: string[] = [];
  const plays = await loadFile(file, ctx, [], dirs);
  return { playbook: { file, dir: dirname(file), plays: plays.map((p) => p.play) }, plays, dirs };
}

async function loadFile(file: string, ctx: LoadContext, stack: readonly string[], dirs: string[]): Promise<BuiltPlay[]> {
  let src: SourceFile;
  try {
    src = await readSourceFile(file);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    ctx.problems.addError(e);
    return [];
  }
  const dir = dirname(file);
  if (!dirs.includes(dir)) dirs.push(dir);
  const root = src.root;
  const start = { file: src.name, line: 1, col: 1 };
  if (root === null) {
    ctx.problems.add(start, 'the playbook is empty: a playbook is a list of plays');
    return [];
  }
  if (root.kind !== 'seq') {
    ctx.problems.add(root.pos, `a playbook must be a list of plays, not ${describeValue(toValue(root))}`);
    return [];
  }
  const strings = new StringChecker(src, ctx.problems, ctx.stringCache);
  const plays: BuiltPlay[] = [];
  for (const item of root.items) {
    const imported = entryOf(item, 'import_playbook');
    if (imported) {
      plays.push(...(await importPlaybook(item, imported.value, dir, ctx, [...stack, file], dirs)));
      continue;
    }
    const play = await buildPlay(item, { ...ctx, strings, dir, file });
    if (play) plays.push(play);
  }
  return plays;
}

async function importPlaybook(item: PNode, target: PNode, dir: string, ctx: LoadContext, stack: readonly string[], dirs: string[]): Promise<BuiltPlay[]> {
  if (item.kind === 'map') {
    for (const e of item.entries) {
      if (e.name !== 'import_playbook' && e.name !== 'name') {
        ctx.problems.add(e.keyPos, `"${e.name}" is not supported on import_playbook (only "name")`);
      }
    }
  }
  if (target.kind !== 'scalar' || typeof target.value !== 'string' || target.value === '') {
    ctx.problems.add(target.pos, 'import_playbook needs the path of a playbook file');
    return [];
  }
  if (target.value.includes('{{')) {
    ctx.problems.add(target.pos, 'import_playbook takes a literal path, not a template (it is loaded before any host is known)');
    return [];
  }
  const file = resolve(dir, target.value);
  if (!(await stat(file).catch(() => null))?.isFile()) {
    ctx.problems.add(target.pos, `playbook "${target.value}" not found (looked for ${displayName(file)})`);
    return [];
  }
  if (stack.includes(file)) {
    ctx.problems.add(target.pos, `import_playbook "${target.value}" imports itself (through ${stack.length} file(s))`);
    return [];
  }
  return loadFile(file, ctx, stack, dirs);
}
