// Where Ansible looks for a file a lookup names by a relative path (LookupBase.
// find_file_in_search_path → DataLoader.path_dwim_relative_stack): through the task's
// search path — the roles' dirs (current role first), the task file's dir (a role's
// tasks/), the playbook's dir — trying `<dir>/<subdir>/<name>` then `<dir>/<name>` in
// each, where subdir is files/ or templates/. The first path that exists wins, even a
// directory, as in Ansible. Absolute and `~` paths are only checked for existence.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { LookupContext } from './plugin.js';

/** Ansible's `ansible_search_path`: absolute, most specific first, without repeats. */
export function searchPath(ctx: Pick<LookupContext, 'searchDirs' | 'taskDir'>): string[] {
  const dirs = ctx.searchDirs.map((d) => path.resolve(d));
  const playbookDir = dirs.at(-1);
  if (playbookDir === undefined) return [];
  const roleDirs = dirs.slice(0, -1);
  const currentRole = roleDirs[0];
  const taskDir = ctx.taskDir !== undefined ? path.resolve(ctx.taskDir)
    : currentRole !== undefined ? path.join(currentRole, 'tasks') : playbookDir;
  return [...new Set([...roleDirs, taskDir, playbookDir])];
}

/** The paths tried for `name`, in order. The subdir is not added again when the name starts with it ('files/motd'). */
export function candidatePaths(dirs: readonly string[], subdir: string, name: string): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    if (name.split('/')[0] !== subdir) out.push(path.join(dir, subdir, name));
    out.push(path.join(dir, name));
  }
  return out;
}

/** Python's os.path.expanduser for `~` and `~/…` (another user's `~name` stays as written). */
export function expandUser(name: string): string {
  return name === '~' || name.startsWith('~/') ? homedir() + name.slice(1) : name;
}

export function isAbsoluteName(name: string): boolean {
  return name.startsWith('~') || path.isAbsolute(name);
}

/** Python's os.path.join(base, name): `name` itself when it is absolute. */
export function joinName(base: string, name: string): string {
  return isAbsoluteName(name) ? name : path.join(base, name);
}

/** The absolute path of the first existing candidate for `name` (a file or a directory), or undefined. */
export function findInSearchPath(ctx: Pick<LookupContext, 'searchDirs' | 'taskDir'>, subdir: string, name: string): string | undefined {
  if (isAbsoluteName(name)) {
    const only = path.resolve(expandUser(name));
    return existsSync(only) ? only : undefined;
  }
  return candidatePaths(searchPath(ctx), subdir, name).find((p) => existsSync(p));
}
