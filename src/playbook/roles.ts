// A play's `roles:`, read as Ansible reads them, before any connection: each role
// found (roles/ beside the playbook, then roles_path, then the playbook's folder), its
// defaults/ and vars/, its meta/ dependencies first (once per parameter set unless
// allow_duplicates), its tasks/ and handlers/ built as task lists whose tasks carry the
// role (its variables, its templates/ and files/).
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import type { Vars } from '../inventory/index.js';
import { isPlainObject } from '../data/py-values.js';
import { loadVarsFile } from '../data/vars-files.js';
import { toValue, type PNode } from '../data/yaml-load.js';
import type { CompiledExpr } from '../jinja/index.js';
import type { RoleRef, Step } from './model.js';
import { entryOf } from './position.js';
import type { Problems } from './problems.js';
import { displayName, readSourceOrReport } from './source.js';
import { StringChecker, type VarUse } from './strings.js';
import { describeValue } from './suggest.js';
import { tagList, type BuiltTask } from './task.js';
import { buildTaskList, emptyList, NOTHING_INHERITED, tagsOf, type BuiltTaskList, type Inherited, type RoleImporter, type TaskListContext } from './task-list.js';

export interface RolesContext extends Omit<TaskListContext, 'role' | 'inherited' | 'handler' | 'dir' | 'alsoDirs'> {
  /** The playbook's folder: its roles/ is looked in first. */
  playbookDir: string;
  rolesPath: readonly string[];
}

export interface BuiltRoles {
  tasks: BuiltTask[];
  /** The roles' tasks as the engine runs them (blocks kept). */
  steps: Step[];
  handlers: BuiltTask[];
  failedRegisters: string[];
  uses: VarUse[];
  /** Every variable the roles define (defaults, vars, parameters), for the undefined-variable check. */
  varNames: Set<string>;
  /** All the roles' defaults, and all their vars, merged in the order the roles run: every task of the play sees them (Ansible's public role variables). */
  defaults: Vars;
  vars: Vars;
}

// Keys of a `roles:` entry that are not role parameters.
const ENTRY_KEYWORDS = new Set(['role', 'name', 'vars', 'when', 'tags', 'become', 'become_user']);
const MAIN_NAMES = ['main.yml', 'main.yaml', 'main', 'main.json'];

interface Loaded {
  dir: string;
  name: string;
  defaults: Vars;
  vars: Vars;
  allowDuplicates: boolean;
  dependencies: PNode[];
  depsFile: string | undefined;
}

export async function buildRoles(list: PNode | undefined, ctx: RolesContext): Promise<BuiltRoles> {
  const out: BuiltRoles = { tasks: [], steps: [], handlers: [], failedRegisters: [], uses: [], varNames: new Set(), defaults: {}, vars: {} };
  if (list?.kind !== 'seq') return out;
  const seen = new Set<string>();
  for (const entry of list.items) await useRole(entry, ctx, ctx.strings, out, seen, [], NOTHING_INHERITED);
  return out;
}

/** Which file of each folder a role is used with: `main`, or import_role's tasks_from, vars_from… */
interface RoleFiles { tasks: string; handlers: string; vars: string; defaults: string }
const MAIN_FILES: RoleFiles = { tasks: 'main', handlers: 'main', vars: 'main', defaults: 'main' };

async function useRole(
  entry: PNode, ctx: RolesContext, strings: StringChecker, out: BuiltRoles, seen: Set<string>, chain: readonly string[],
  outer: Inherited,
): Promise<void> {
  const spec = roleSpec(entry, ctx.problems);
  if (spec === undefined) return;
  const at = (key: string): PNode | undefined => entryOf(entry, key)?.value;
  const when = strings.conditions(at('when'), 'when');
  if (when === undefined) return;
  out.uses.push(...when.uses, ...strings.templates(at('vars'), 'role vars'));
  await expandRole(spec, when.exprs, MAIN_FILES, ctx, out, seen, chain, outer);
}

/** The role's dependencies, then its tasks and handlers, into `out`. */
async function expandRole(
  spec: RoleSpec, whenExprs: CompiledExpr[], files: RoleFiles, ctx: RolesContext, out: BuiltRoles, seen: Set<string>,
  chain: readonly string[], outer: Inherited,
): Promise<void> {
  const { problems } = ctx;
  const when = { exprs: whenExprs };
  const dir = await findRole(spec.name, ctx);
  if (dir === undefined) {
    problems.add(spec.pos, notFound(spec.name, ctx));
    return;
  }
  if (chain.includes(dir)) {
    problems.add(spec.pos, `role "${spec.name}" depends on itself (through ${chain.length} role(s))`);
    return;
  }
  const role = await loadRole(dir, spec.name, problems, files);
  if (role === undefined) return;
  // Ansible runs a role once per play for the same parameters (compared as a dict), when
  // and tags, unless it allows duplicates.
  const key = `${dir}\0${canonical(spec.params)}\0${when.exprs.map((e) => e.source).join('\0')}\0${spec.tags.join(',')}`;
  if (seen.has(key) && !role.allowDuplicates) return;
  seen.add(key);
  for (const k of [...Object.keys(role.defaults), ...Object.keys(role.vars), ...Object.keys(spec.params)]) out.varNames.add(k);

  // What encloses the role (a block, an include's apply, a loop's variables) reaches its tasks.
  const inherited: Inherited = {
    ...outer,
    when: [...outer.when, ...when.exprs],
    tags: [...outer.tags, ...spec.tags],
  };
  // Dependencies run first, with the role's own conditions and tags.
  if (role.dependencies.length > 0 && role.depsFile !== undefined) {
    const depsSrc = await readSourceOrReport(role.depsFile, problems);
    const depStrings = depsSrc === undefined ? undefined : new StringChecker(depsSrc, problems, ctx.stringCache);
    for (const dep of depStrings ? role.dependencies : []) await useRole(dep, ctx, depStrings!, out, seen, [...chain, dir], inherited);
  }

  // Merged after the dependencies' (which ran first): a role's own values win over theirs.
  Object.assign(out.defaults, role.defaults);
  Object.assign(out.vars, role.vars);
  const ref: RoleRef = { name: spec.name.split('/').pop() ?? spec.name, dir, defaults: role.defaults, vars: role.vars, params: spec.params };
  for (const section of ['tasks', 'handlers'] as const) {
    const file = await sectionFile(join(dir, section), files[section]);
    if (file === undefined) {
      if (files[section] !== 'main') problems.add(spec.pos, `role "${spec.name}" has no ${section}/${files[section]}.yml (${section}_from)`);
      continue;
    }
    const src = await readSourceOrReport(file, problems);
    if (src === undefined) continue;
    if (src.root !== null && src.root.kind !== 'seq') {
      problems.add(src.root.pos, `a role's ${section} file must be a list, not ${describeValue(toValue(src.root))}`);
      continue;
    }
    const built = await buildTaskList(src.root ?? undefined, {
      ...ctx,
      strings: new StringChecker(src, problems, ctx.stringCache),
      handler: section === 'handlers',
      dir: join(dir, section),
      alsoDirs: [dir, ctx.playbookDir],
      role: ref,
      stack: [file],
      inherited: section === 'tasks'
        ? { ...inherited, become: spec.become ?? inherited.become }
        : { when: [], tags: [], vars: {}, become: spec.become },
    });
    out[section].push(...built.tasks);
    out.handlers.push(...(built.handlers ?? [])); // from import_role tasks inside this role
    // …and their public variables.
    if (built.publicVars) {
      Object.assign(out.defaults, built.publicVars.defaults);
      Object.assign(out.vars, built.publicVars.vars);
      for (const k of [...Object.keys(built.publicVars.defaults), ...Object.keys(built.publicVars.vars)]) out.varNames.add(k);
    }
    if (section === 'tasks') out.steps.push(...built.steps);
    out.failedRegisters.push(...built.failedRegisters);
    out.uses.push(...built.uses);
  }
}

/** JSON with object keys sorted: the same parameters in another order are the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

interface RoleSpec {
  name: string;
  pos: PNode['pos'];
  params: Vars;
  tags: string[];
  become: boolean | undefined;
}

function roleSpec(entry: PNode, problems: Problems): RoleSpec | undefined {
  if (entry.kind === 'scalar' && typeof entry.value === 'string' && entry.value !== '') {
    return { name: entry.value, pos: entry.pos, params: {}, tags: [], become: undefined };
  }
  if (entry.kind !== 'map') {
    problems.add(entry.pos, `a role is its name or a map with "role", not ${describeValue(toValue(entry))}`);
    return undefined;
  }
  const nameNode = entryOf(entry, 'role')?.value ?? entryOf(entry, 'name')?.value;
  if (nameNode?.kind !== 'scalar' || typeof nameNode.value !== 'string' || nameNode.value === '') {
    problems.add(entry.pos, 'a role entry needs "role: NAME"');
    return undefined;
  }
  const params: Vars = {};
  for (const e of entry.entries) if (!ENTRY_KEYWORDS.has(e.name)) params[e.name] = toValue(e.value);
  const vars = entryOf(entry, 'vars')?.value;
  if (vars !== undefined) {
    const v = toValue(vars);
    if (isPlainObject(v)) Object.assign(params, v);
    else problems.add(vars.pos, `"vars" of a role must be a map, not ${describeValue(v)}`);
  }
  const tags = toValue(entryOf(entry, 'tags')?.value ?? { kind: 'scalar', value: undefined, pos: entry.pos });
  const become = entryOf(entry, 'become')?.value;
  const becomeValue = become === undefined ? undefined : toValue(become);
  if (becomeValue !== undefined && typeof becomeValue !== 'boolean') problems.add(become!.pos, '"become" must be true or false');
  return {
    name: nameNode.value,
    pos: nameNode.pos,
    params,
    tags: tagList(tagsOf(tags)),
    become: typeof becomeValue === 'boolean' ? becomeValue : undefined,
  };
}

// What import_role/include_role take (apply and rolespec_validate are refused by name).
const IMPORT_ROLE_ARGS = new Set(['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'public', 'allow_duplicates']);
const IMPORT_ROLE_KEYWORDS = new Set(['name', 'when', 'tags', 'vars', 'become']);

/**
 * `import_role` (and `include_role`, expanded the same way when the playbook loads):
 * the role's tasks (tasks_from) in place of the task, its handlers for the play, its
 * defaults and vars (defaults_from, vars_from) for its tasks.
 */
export function roleImporter(where: Pick<RolesContext, 'playbookDir' | 'rolesPath'>): RoleImporter {
  return async (item, entry, ctx): Promise<BuiltTaskList> => {
    const { problems } = ctx;
    const kind = entry.name.replace(/^ansible\.(builtin|legacy)\./, '');
    const none = emptyList();
    if (item.kind !== 'map' || entry.value.kind !== 'map') {
      problems.add(entry.value.pos, `${kind} needs a map with the role's "name"`);
      return none;
    }
    let ok = true;
    for (const e of entry.value.entries) {
      if (IMPORT_ROLE_ARGS.has(e.name)) continue;
      problems.add(e.keyPos, `"${e.name}" of ${kind} is not supported (kvmplay takes ${[...IMPORT_ROLE_ARGS].join(', ')})`);
      ok = false;
    }
    for (const e of item.entries) {
      if (e === entry || IMPORT_ROLE_KEYWORDS.has(e.name)) continue;
      problems.add(e.keyPos, `"${e.name}" is not supported on ${kind} (kvmplay applies ${[...IMPORT_ROLE_KEYWORDS].join(', ')})`);
      ok = false;
    }
    const arg = (key: string): string | undefined => {
      const v = entryOf(entry.value, key)?.value;
      return v?.kind === 'scalar' && typeof v.value === 'string' && v.value !== '' ? v.value : undefined;
    };
    const nameNode = entryOf(entry.value, 'name')?.value;
    const name = arg('name');
    if (name === undefined || nameNode === undefined) {
      problems.add(entry.value.pos, `${kind} needs the role's "name"`);
      return none;
    }
    const at = (key: string): PNode | undefined => entryOf(item, key)?.value;
    const when = ctx.strings.conditions(at('when'), 'when');
    const varsNode = at('vars');
    const vars = varsNode === undefined ? {} : toValue(varsNode);
    if (!isPlainObject(vars)) problems.add(varsNode!.pos, `"vars" must be a map, not ${describeValue(vars)}`);
    const become = at('become') === undefined ? undefined : toValue(at('become')!);
    const tags = at('tags') === undefined ? undefined : toValue(at('tags')!);
    if (!ok || when === undefined || !isPlainObject(vars)) return none;
    const spec: RoleSpec = {
      name,
      pos: nameNode.pos,
      params: vars,
      // As for tasks files: an import's tags reach the role's tasks, an include's do not.
      tags: kind === 'import_role' ? tagList(tagsOf(tags)) : [],
      become: typeof become === 'boolean' ? become : undefined,
    };
    const files: RoleFiles = {
      tasks: arg('tasks_from') ?? 'main', handlers: arg('handlers_from') ?? 'main',
      vars: arg('vars_from') ?? 'main', defaults: arg('defaults_from') ?? 'main',
    };
    const out: BuiltRoles = { tasks: [], steps: [], handlers: [], failedRegisters: [], uses: [], varNames: new Set(), defaults: {}, vars: {} };
    const rolesCtx: RolesContext = { ...ctx, ...where };
    await expandRole(spec, [...when.exprs], files, rolesCtx, out, new Set(), [], ctx.inherited);
    // An import_role's variables are the play's, as Ansible makes them public at load;
    // an include_role's only with `public: true`.
    const publicArg = entryOf(entry.value, 'public')?.value;
    const isPublic = kind === 'import_role' || (publicArg !== undefined && /^(true|yes|on|1)$/i.test(String(toValue(publicArg))));
    return {
      tasks: out.tasks, steps: out.steps, handlers: out.handlers, failedRegisters: out.failedRegisters, uses: [...when.uses, ...out.uses],
      ...(isPublic ? { publicVars: { defaults: out.defaults, vars: out.vars } } : {}),
    };
  };
}

/** Where Ansible looks for a role by name, in order. */
export function roleCandidates(name: string, ctx: Pick<RolesContext, 'playbookDir' | 'rolesPath'>): string[] {
  if (isAbsolute(name)) return [name];
  if (name.includes('/')) return [resolve(ctx.playbookDir, name)];
  return [join(ctx.playbookDir, 'roles', name), ...ctx.rolesPath.map((p) => join(p, name)), join(ctx.playbookDir, name)];
}

async function findRole(name: string, ctx: RolesContext): Promise<string | undefined> {
  for (const c of roleCandidates(name, ctx)) if ((await stat(c).catch(() => null))?.isDirectory()) return c;
  return undefined;
}

function notFound(name: string, ctx: RolesContext): string {
  const looked = roleCandidates(name, ctx).map(displayName).join(', ');
  // ns.collection.role: Ansible would look in installed collections, which kvmplay does not read.
  if (/^[a-z_]\w*\.[a-z_]\w*\.\w+$/i.test(name)) {
    return `role "${name}" is from a collection, which kvmplay does not install or read: copy the role into roles/ (looked in: ${looked})`;
  }
  return `role "${name}" not found (looked in: ${looked})`;
}

async function mainFile(dir: string): Promise<string | undefined> {
  return sectionFile(dir, 'main');
}

/** `name.yml`, `name.yaml`, `name` or `name.json` in `dir`: how Ansible finds a role's file. */
async function sectionFile(dir: string, name: string): Promise<string | undefined> {
  const names = name === 'main' ? MAIN_NAMES : [`${name}.yml`, `${name}.yaml`, name, `${name}.json`];
  for (const n of names) {
    const p = join(dir, n);
    if ((await stat(p).catch(() => null))?.isFile()) return p;
  }
  return undefined;
}

// Loaded once per role folder and load.
async function loadRole(dir: string, name: string, problems: Problems, files: RoleFiles = MAIN_FILES): Promise<Loaded | undefined> {
  const vars = async (section: 'vars' | 'defaults'): Promise<Vars> => {
    const file = await sectionFile(join(dir, section), files[section]);
    if (file === undefined) return {};
    try {
      return (await loadVarsFile(file)) ?? {};
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      problems.addError(e);
      return {};
    }
  };
  const defaults = await vars('defaults');
  const roleVars = await vars('vars');
  const metaFile = await mainFile(join(dir, 'meta'));
  let dependencies: PNode[] = [];
  let allowDuplicates = false;
  const root = metaFile === undefined ? undefined : (await readSourceOrReport(metaFile, problems))?.root;
  if (root?.kind === 'map') {
    const deps = entryOf(root, 'dependencies')?.value;
    if (deps?.kind === 'seq') dependencies = deps.items;
    else if (deps !== undefined && !(deps.kind === 'scalar' && deps.value === null)) problems.add(deps.pos, '"dependencies" must be a list of roles');
    allowDuplicates = toValue(entryOf(root, 'allow_duplicates')?.value ?? { kind: 'scalar', value: false, pos: root.pos }) === true;
  }
  return { dir, name, defaults, vars: roleVars, allowDuplicates, dependencies, depsFile: metaFile };
}
