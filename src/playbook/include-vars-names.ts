// The variables an include_vars task defines, as far as they are known at load, for
// the undefined-variable check (variables.ts): its `name` when literal, else the keys
// of the files it reads, found and read as the module does at run time. A template in
// its arguments, or files that cannot be read now: not known (the check then stops
// reporting names after it, as after a templated vars_files). A missing file is not a
// problem here: as in Ansible, the task fails when it runs.
import { dirname, resolve } from 'node:path';
import { isTemplate } from '../jinja/strings.js';
import { includeVars, IncludeVarsArgs } from '../modules/engine/include-vars.js';
import type { BuiltPlay } from './play.js';
import type { BuiltTask } from './task.js';

/** Canonical module name, also for a test's own lookup that keeps the FQCN. */
export function isIncludeVars(t: BuiltTask): boolean {
  return t.task.module.replace(/^ansible\.(builtin|legacy)\./, '') === 'include_vars';
}

/** For each include_vars task of the play: the names it defines, or undefined when not knowable. */
export async function includeVarsNames(built: BuiltPlay): Promise<Map<BuiltTask, ReadonlySet<string> | undefined>> {
  const out = new Map<BuiltTask, ReadonlySet<string> | undefined>();
  for (const t of [...built.tasks, ...built.handlers]) {
    if (isIncludeVars(t)) out.set(t, await namesOf(t, built.play.dir));
  }
  return out;
}

async function namesOf(t: BuiltTask, playDir: string): Promise<ReadonlySet<string> | undefined> {
  const { args, role, pos } = t.task;
  const name = args['name'];
  if (typeof name === 'string' && name !== '' && !hasTemplate(name)) return new Set([name]);
  if (hasTemplate(args)) return undefined;
  const parsed = IncludeVarsArgs.safeParse(args);
  if (!parsed.success) return undefined;
  const inc = await includeVars(parsed.data, { roleDir: role?.dir, taskDir: dirname(resolve(pos.file)), playDir });
  return inc.fail === undefined ? new Set(Object.keys(inc.vars)) : undefined;
}

function hasTemplate(v: unknown): boolean {
  if (typeof v === 'string') return isTemplate(v);
  if (Array.isArray(v)) return v.some(hasTemplate);
  return v !== null && typeof v === 'object' && Object.values(v).some(hasTemplate);
}
