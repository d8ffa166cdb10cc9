// A list of tasks as Ansible reads it: each entry a task; a `block` (with `rescue` and
// `always`) whose keywords (`when`, `tags`, `vars`, `become`, `ignore_errors`) its tasks
// inherit; an `import_tasks` whose file's tasks take its place, with the import's
// `when`, `vars`, `become`, `tags` — the file is validated now, with its own positions;
// or an `include_tasks`, a task of its own (its `when`, `loop`, `tags` are the include's)
// whose file a host loads when it gets there: validated now when its name is literal,
// when first reached when the name is a template; its `vars` and `apply` keywords reach
// the file's tasks. Tasks of a role carry the role. The result is both flat (every task,
// for validation) and as steps (blocks kept, for the engine).
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SourcePosition } from '../errors.js';
import { isPlainObject } from '../data/py-values.js';
import { toValue, type PEntry, type PNode } from '../data/yaml-load.js';
import type { CompiledExpr } from '../jinja/index.js';
import type { IncludedTasks, IncludeSpec, RoleRef, Step, Task } from './model.js';
import { entryOf } from './position.js';
import { Problems } from './problems.js';
import { displayName, readSourceOrReport } from './source.js';
import { StringChecker, type StringCache, type VarUse } from './strings.js';
import { describeValue } from './suggest.js';
import { buildTask, checkVarNames, tagList, type BuiltTask } from './task.js';
import type { ModuleLookup } from './task-module.js';

export interface TaskListContext {
  problems: Problems;
  lookup: ModuleLookup;
  moduleNames: readonly string[];
  stringCache: StringCache;
  /** Compiles the strings of the file the list is in. */
  strings: StringChecker;
  handler: boolean;
  playTags: readonly string[];
  /** Where a relative `import_tasks` file is looked for first (the importing file's folder). */
  dir: string;
  /** Also looked in, after `dir`: a role's tasks/ folder, then the playbook's folder. */
  alsoDirs: readonly string[];
  role: RoleRef | undefined;
  /** Files being imported, outermost first: an import of one of them is a loop. */
  stack: readonly string[];
  inherited: Inherited;
  /** Expands an `import_role`/`include_role` (roles.ts; given by the play, which knows where roles are). */
  importRole?: RoleImporter;
}

/** An `import_role` task: the role's tasks in its place, and its handlers for the play. */
export type RoleImporter = (item: PNode, entry: PEntry, ctx: TaskListContext) => Promise<BuiltTaskList>;

/** What an import gives each task of its file. */
export interface Inherited {
  when: CompiledExpr[];
  tags: string[];
  vars: Record<string, unknown>;
  become: boolean | undefined;
  becomeUser?: string | undefined;
  becomeMethod?: 'sudo' | 'su' | undefined;
  /** Enclosing blocks' `environment`s, outermost first. */
  environment?: unknown[];
  /** A block's ignore_errors. */
  ignoreErrors?: boolean;
  /** Variables enclosing include_tasks loops set at run time (for the variable check). */
  includeVarNames?: readonly string[];
  /** Enclosing blocks' delegate_to, check_mode, diff, no_log, any_errors_fatal (the innermost's). */
  blockKeywords?: Partial<Record<(typeof BLOCK_PASSED)[number], string | boolean>>;
}

export const NOTHING_INHERITED: Inherited = { when: [], tags: [], vars: {}, become: undefined };

export interface BuiltTaskList {
  tasks: BuiltTask[];
  steps: Step[];
  /** Handlers of roles imported by import_role: the play's too. */
  handlers?: BuiltTask[];
  /** Defaults and vars of roles whose variables are the play's (import_role; include_role with public). */
  publicVars?: { defaults: Record<string, unknown>; vars: Record<string, unknown> };
  /** `register` names of tasks that had problems: still defined, for the variable check. */
  failedRegisters: string[];
  /** Variables the imports' own `when` read. */
  uses: VarUse[];
}

// What an import entry may say besides the file (Ansible's import keywords kvmplay applies).
const IMPORT_KEYWORDS = new Set(['name', 'when', 'tags', 'vars', 'become', 'become_user']);
// An include is a task: Ansible's keywords of a TaskInclude (`with_<lookup>` loops too).
const INCLUDE_KEYWORDS = new Set(['name', 'when', 'loop', 'loop_control', 'tags', 'vars', 'ignore_errors', 'no_log', 'args']);
// What `apply` may give the included tasks.
const APPLY_KEYWORDS = new Set(['when', 'tags', 'vars', 'become', 'become_user', 'become_method', 'environment', 'ignore_errors']);
const QUALIFIED = /^ansible\.(builtin|legacy)\./;

const isKey = (e: PEntry, key: string): boolean => e.name.replace(QUALIFIED, '') === key;

export async function buildTaskList(list: PNode | undefined, ctx: TaskListContext): Promise<BuiltTaskList> {
  const out = emptyList();
  if (list === undefined || list.kind !== 'seq') return out; // schema.ts reports a list that is not one
  const add = (inner: BuiltTaskList): void => {
    if (inner.handlers?.length) (out.handlers ??= []).push(...inner.handlers);
    if (inner.publicVars) out.publicVars = mergePublic(out.publicVars, inner.publicVars);
    out.tasks.push(...inner.tasks);
    out.failedRegisters.push(...inner.failedRegisters);
    out.uses.push(...inner.uses);
  };
  for (const item of list.items) {
    if (item.kind === 'map' && entryOf(item, 'block') !== undefined) {
      const block = await buildBlock(item, ctx);
      add(block.built);
      if (block.step) out.steps.push(block.step);
      continue;
    }
    const expanded = await expandEntry(item, ctx);
    if (expanded) {
      add(expanded);
      out.steps.push(...expanded.steps);
      continue;
    }
    const built = buildTask(item, { ...ctx, playTags: ctx.playTags });
    if (built) {
      const task = inherit(built, ctx);
      out.tasks.push(task);
      out.steps.push({ kind: 'task', task: task.task });
    } else {
      out.failedRegisters.push(...registerOf(item));
    }
  }
  return out;
}

/** The enclosing blocks' keywords a task did not set itself. */
function blockKeywordsFor(task: Task, kw: Inherited['blockKeywords']): Partial<Task> {
  if (kw === undefined) return {};
  const out: Partial<Task> = {};
  if (task.delegateTo === undefined && typeof kw.delegate_to === 'string') out.delegateTo = kw.delegate_to;
  if (task.checkMode === undefined && typeof kw.check_mode === 'boolean') out.checkMode = kw.check_mode;
  if (task.diff === undefined && typeof kw.diff === 'boolean') out.diff = kw.diff;
  if (!task.noLog && kw.no_log === true) out.noLog = true;
  if (task.anyErrorsFatal === undefined && typeof kw.any_errors_fatal === 'boolean') out.anyErrorsFatal = kw.any_errors_fatal;
  return out;
}

/** An import_role/include_role, import_tasks or include_tasks entry, built; undefined for any other. */
async function expandEntry(item: PNode, ctx: TaskListContext): Promise<BuiltTaskList | undefined> {
  if (item.kind !== 'map') return undefined;
  const roleEntry = item.entries.find((e) => isKey(e, 'import_role'));
  if (roleEntry && ctx.importRole) return ctx.importRole(item, roleEntry, ctx);
  const includeRoleEntry = item.entries.find((e) => isKey(e, 'include_role'));
  if (includeRoleEntry && ctx.importRole) return includeRole(item, includeRoleEntry, ctx, ctx.importRole);
  const importEntry = item.entries.find((e) => isKey(e, 'import_tasks'));
  if (importEntry) return importTasks(item, importEntry, ctx);
  const includeEntry = item.entries.find((e) => isKey(e, 'include_tasks'));
  return includeEntry ? includeTasks(item, includeEntry, ctx) : undefined;
}

function inherit(built: BuiltTask, ctx: TaskListContext): BuiltTask {
  const { inherited: inh, role } = ctx;
  const task: Task = {
    ...built.task,
    when: [...inh.when, ...built.task.when],
    tags: [...new Set([...built.task.tags, ...inh.tags])],
    vars: { ...inh.vars, ...built.task.vars },
    become: built.task.become ?? inh.become,
    becomeUser: built.task.becomeUser ?? inh.becomeUser,
    becomeMethod: built.task.becomeMethod ?? inh.becomeMethod,
    environment: [...(inh.environment ?? []), ...built.task.environment],
    ignoreErrors: built.task.ignoreErrors || inh.ignoreErrors === true,
    ...blockKeywordsFor(built.task, inh.blockKeywords),
    role,
    ...(inh.includeVarNames?.length ? { includeVarNames: inh.includeVarNames } : {}),
  };
  return { ...built, task };
}

/** Public role variables of two lists, the later's winning. */
export function mergePublic(a: BuiltTaskList['publicVars'], b: BuiltTaskList['publicVars']): BuiltTaskList['publicVars'] {
  if (!a || !b) return a ?? b;
  return { defaults: { ...a.defaults, ...b.defaults }, vars: { ...a.vars, ...b.vars } };
}

/** A list with nothing in it (what a refused entry gives). */
export function emptyList(): BuiltTaskList {
  return { tasks: [], steps: [], failedRegisters: [], uses: [] };
}

async function importTasks(item: PNode, entry: PEntry, ctx: TaskListContext): Promise<BuiltTaskList> {
  const { problems } = ctx;
  if (item.kind !== 'map') return emptyList();
  let ok = true;
  for (const e of item.entries) {
    if (e === entry || IMPORT_KEYWORDS.has(e.name)) continue;
    problems.add(e.keyPos, `"${e.name}" is not supported on import_tasks (kvmplay applies ${[...IMPORT_KEYWORDS].join(', ')})`);
    ok = false;
  }
  const target = literalFile(entry, 'import_tasks', problems);
  const passed = passedKeywords(item, ctx, 'import_tasks', { tags: true });
  if (!ok || target === undefined || passed === undefined) return emptyList();
  if (target.templated) {
    problems.add(target.pos, 'import_tasks of a templated file name: use include_tasks (import_tasks reads its file before any host runs)');
    return emptyList();
  }
  const inner = await taskFile(target.name, target.pos, 'import_tasks', { ...ctx, inherited: passed.inherited });
  return inner === undefined ? emptyList() : { ...inner.list, uses: [...passed.uses, ...inner.list.uses] };
}

/** What an include brings in: its steps and what validation needs of its tasks. */
interface Loaded {
  file: string;
  list: BuiltTaskList;
}

/** Builds what an include names (`name` as rendered for a host); undefined when it had problems (recorded in `ctx.problems`). */
type IncludeLoader = (name: string, ctx: TaskListContext) => Promise<Loaded | undefined>;

/**
 * An include_tasks or include_role: a task (its own `when`, `loop`, `tags`), whose tasks
 * get the enclosing keywords, the include's `vars` and its `apply` keywords. A literal
 * name is built now (its tasks validated with the playbook); a templated one when a host
 * first reaches it, once per name.
 */
async function dynamicInclude(
  item: PNode, entry: PEntry, ctx: TaskListContext, kind: string,
  target: { name: string; pos: SourcePosition; templated: boolean } | undefined, load: IncludeLoader,
): Promise<BuiltTaskList> {
  const { problems } = ctx;
  if (item.kind !== 'map') return emptyList();
  let ok = true;
  for (const e of item.entries) {
    if (e === entry || INCLUDE_KEYWORDS.has(e.name) || e.name.startsWith('with_')) continue;
    problems.add(e.keyPos, `"${e.name}" is not valid on ${kind} (Ansible takes ${[...INCLUDE_KEYWORDS].join(', ')}; use "apply" for the included tasks' keywords)`);
    ok = false;
  }
  const applyNode = entry.value.kind === 'map' ? entryOf(entry.value, 'apply')?.value : undefined;
  const apply = applyKeywords(applyNode, ctx);
  // The include's vars reach its tasks; its when and tags are its own (Ansible).
  const passed = passedKeywords(mapWith(item, ['vars']), ctx, kind, { tags: false });
  const built = buildTask(item, ctx);
  if (!ok || target === undefined || passed === undefined || apply === undefined || built === undefined) {
    return { ...emptyList(), failedRegisters: built ? [] : registerOf(item) };
  }
  const task = inherit(built, ctx);
  const loopNames = task.task.loop === undefined ? [] : [task.task.loopVar, 'index', 'ansible_loop_var', ...(task.task.loopExtended ? ['ansible_loop'] : []), ...(task.task.indexVar ? [task.task.indexVar] : [])];
  const outer = passed.inherited;
  const inherited: Inherited = {
    when: [...outer.when, ...apply.inherited.when],
    tags: [...outer.tags, ...apply.inherited.tags],
    vars: { ...outer.vars, ...apply.inherited.vars },
    become: apply.inherited.become ?? outer.become,
    becomeUser: apply.inherited.becomeUser ?? outer.becomeUser,
    becomeMethod: apply.inherited.becomeMethod ?? outer.becomeMethod,
    environment: [...(outer.environment ?? []), ...(apply.inherited.environment ?? [])],
    ignoreErrors: apply.inherited.ignoreErrors === true || outer.ignoreErrors === true,
    includeVarNames: [...(outer.includeVarNames ?? []), ...loopNames],
    ...(outer.blockKeywords ? { blockKeywords: outer.blockKeywords } : {}),
  };
  const innerCtx: TaskListContext = { ...ctx, inherited };
  const cache = new Map<string, Promise<IncludedTasks>>();
  const out: BuiltTaskList = { ...emptyList(), tasks: [task], uses: [...passed.uses, ...apply.uses] };
  if (!target.templated) {
    const inner = await load(target.name, innerCtx);
    if (inner === undefined) return { ...emptyList(), failedRegisters: registerOf(item) };
    cache.set(target.name, Promise.resolve({ file: inner.file, steps: inner.list.steps }));
    out.tasks.push(...inner.list.tasks);
    out.failedRegisters.push(...inner.list.failedRegisters);
    out.uses.push(...inner.list.uses);
    if (inner.list.handlers?.length) out.handlers = inner.list.handlers;
    if (inner.list.publicVars) out.publicVars = inner.list.publicVars;
  }
  // Named at run time: built then, its problems thrown with their own positions.
  const atRunTime = async (name: string): Promise<IncludedTasks> => {
    const runProblems = new Problems();
    const inner = await load(name, { ...innerCtx, problems: runProblems });
    runProblems.throwIfAny();
    if (inner === undefined) throw new Error(`${kind}: ${name} was not built and no problem says why`);
    return { file: inner.file, steps: inner.list.steps };
  };
  const include: IncludeSpec = {
    tasksOf(name) {
      let found = cache.get(name);
      if (found === undefined) {
        found = atRunTime(name);
        cache.set(name, found);
      }
      return found;
    },
  };
  task.task.include = include;
  out.steps.push({ kind: 'task', task: task.task });
  return out;
}

/** include_tasks: the file's tasks. */
function includeTasks(item: PNode, entry: PEntry, ctx: TaskListContext): Promise<BuiltTaskList> {
  const target = literalFile(entry, 'include_tasks', ctx.problems);
  return dynamicInclude(item, entry, ctx, 'include_tasks', target, async (name, inner) => taskFile(name, target!.pos, 'include_tasks', inner));
}

/**
 * include_role: the role's tasks (tasks_from), built by the play's role importer from
 * the same role and arguments (without the include's own keywords); the include's vars
 * are the role's parameters.
 */
function includeRole(item: PNode, entry: PEntry, ctx: TaskListContext, importRole: RoleImporter): Promise<BuiltTaskList> {
  const nameNode = entry.value.kind === 'map' ? entryOf(entry.value, 'name')?.value : undefined;
  const name = nameNode?.kind === 'scalar' && typeof nameNode.value === 'string' && nameNode.value !== '' ? nameNode.value : undefined;
  if (entry.value.kind !== 'map' || name === undefined || nameNode === undefined) {
    ctx.problems.add(entry.value.pos, 'include_role needs a map with the role\'s "name"');
    return Promise.resolve(emptyList());
  }
  const target = { name, pos: nameNode.pos, templated: name.includes('{{') || name.includes('{%') };
  const value = entry.value;
  const args = value.entries.filter((e) => e.name !== 'apply' && e.name !== 'name');
  const vars = entryOf(item, 'vars');
  return dynamicInclude(item, entry, ctx, 'include_role', target, async (roleName, inner) => {
    const nameArg: PEntry = { key: 'name', name: 'name', keyPos: nameNode.pos, value: { kind: 'scalar', pos: nameNode.pos, value: roleName } };
    const roleEntry: PEntry = { ...entry, key: 'include_role', name: 'include_role', value: { ...value, entries: [nameArg, ...args] } };
    const roleItem: PNode = { kind: 'map', pos: item.pos, unsafe: false, entries: [roleEntry, ...(vars ? [vars] : [])] };
    const before = inner.problems.count;
    const list = await importRole(roleItem, roleEntry, inner);
    return inner.problems.count > before ? undefined : { file: roleName, list };
  });
}

/** `apply:` keywords, read as a block's are; undefined when they do not check. */
function applyKeywords(node: PNode | undefined, ctx: TaskListContext): { inherited: Inherited; uses: VarUse[] } | undefined {
  const none = { inherited: { ...NOTHING_INHERITED }, uses: [] };
  if (node === undefined || (node.kind === 'scalar' && node.value === null)) return none;
  if (node.kind !== 'map') {
    ctx.problems.add(node.pos, '"apply" must be a map of task keywords');
    return undefined;
  }
  let ok = true;
  for (const e of node.entries) {
    if (APPLY_KEYWORDS.has(e.name)) continue;
    ctx.problems.add(e.keyPos, `"${e.name}" is not supported in apply (kvmplay applies ${[...APPLY_KEYWORDS].join(', ')})`);
    ok = false;
  }
  const passed = passedKeywords(node, { ...ctx, inherited: NOTHING_INHERITED }, 'apply', { tags: true, ignoreErrors: true });
  return ok ? passed : undefined;
}

/** The map `item` with only the entries `keys`. */
function mapWith(item: PNode, keys: readonly string[]): PNode {
  return item.kind === 'map' ? { ...item, entries: item.entries.filter((e) => keys.includes(e.name)) } : item;
}

/** Find, read and build a task file for an import or include (`ctx.inherited` for its tasks). */
async function taskFile(name: string, pos: SourcePosition, kind: string, ctx: TaskListContext): Promise<{ file: string; list: BuiltTaskList } | undefined> {
  const { problems } = ctx;
  const file = await findTaskFile(name, ctx);
  if (file === undefined) {
    const looked = [ctx.dir, ...ctx.alsoDirs].map((d) => displayName(resolve(d, name))).join(', ');
    problems.add(pos, `${kind}: task file "${name}" not found (looked in: ${looked})`);
    return undefined;
  }
  if (ctx.stack.includes(file)) {
    problems.add(pos, `${kind} "${name}" imports itself (through ${ctx.stack.length} file(s))`);
    return undefined;
  }
  const src = await readSourceOrReport(file, problems);
  if (src === undefined) return undefined;
  const root = src.root;
  if (root !== null && root.kind !== 'seq') {
    problems.add(root.pos, `a task file must be a list of tasks, not ${describeValue(toValue(root))}`);
    return undefined;
  }
  const list = await buildTaskList(root ?? undefined, {
    ...ctx,
    strings: new StringChecker(src, problems, ctx.stringCache),
    dir: dirname(file),
    // Ansible tries each importing file's folder in turn, the playbook's last.
    alsoDirs: [...new Set([ctx.dir, ...ctx.alsoDirs])],
    stack: [...ctx.stack, file],
  });
  return { file, list };
}

// What a block may say besides its three lists (Ansible's block keywords kvmplay applies).
const BLOCK_KEYWORDS = new Set([
  'block', 'rescue', 'always', 'name', 'when', 'tags', 'vars', 'become', 'become_user', 'become_method', 'environment',
  'ignore_errors', 'delegate_to', 'check_mode', 'diff', 'no_log', 'any_errors_fatal',
]);
// Block keywords a task inherits when it does not say (boolean or string ones).
const BLOCK_PASSED = ['delegate_to', 'check_mode', 'diff', 'no_log', 'any_errors_fatal'] as const;

/** A block: its keywords passed down to its tasks, its three lists built in turn. */
async function buildBlock(item: PNode, ctx: TaskListContext): Promise<{ built: BuiltTaskList; step: Step | undefined }> {
  const { problems } = ctx;
  if (item.kind !== 'map') return { built: emptyList(), step: undefined };
  let ok = true;
  for (const e of item.entries) {
    if (BLOCK_KEYWORDS.has(e.name)) continue;
    problems.add(e.keyPos, `"${e.name}" is not supported on a block (kvmplay applies ${[...BLOCK_KEYWORDS].join(', ')})`);
    ok = false;
  }
  const at = (key: string): PNode | undefined => entryOf(item, key)?.value;
  for (const key of ['block', 'rescue', 'always']) {
    const v = at(key);
    if (v !== undefined && v.kind !== 'seq' && !(v.kind === 'scalar' && v.value === null)) {
      problems.add(v.pos, `"${key}" must be a list of tasks`);
      ok = false;
    }
  }
  const passed = passedKeywords(item, ctx, 'block', { tags: true, ignoreErrors: true });
  if (!ok || passed === undefined) return { built: emptyList(), step: undefined };
  const inner = { ...ctx, inherited: passed.inherited };
  const block = await buildTaskList(at('block'), inner);
  const rescue = await buildTaskList(at('rescue'), inner);
  const always = await buildTaskList(at('always'), inner);
  const parts = [block, rescue, always];
  return {
    built: {
      publicVars: parts.reduce<BuiltTaskList['publicVars']>((acc, p) => mergePublic(acc, p.publicVars), undefined),
      tasks: parts.flatMap((p) => p.tasks),
      steps: [],
      failedRegisters: parts.flatMap((p) => p.failedRegisters),
      uses: [...passed.uses, ...parts.flatMap((p) => p.uses)],
    },
    step: { kind: 'block', block: block.steps, rescue: rescue.steps, always: always.steps },
  };
}

/**
 * The keywords an import or a block passes on to its tasks (`when`, `vars`, `become`,
 * `become_user`, and `tags` / `ignore_errors` where they reach the tasks), checked, on
 * top of what the enclosing ones passed; undefined when the `when` does not compile.
 */
function passedKeywords(
  item: PNode, ctx: TaskListContext, what: string, reach: { tags: boolean; ignoreErrors?: boolean },
): { inherited: Inherited; uses: VarUse[] } | undefined {
  const { problems } = ctx;
  const at = (key: string): PNode | undefined => entryOf(item, key)?.value;
  const valueOf = (key: string): unknown => {
    const node = at(key);
    return node === undefined ? undefined : toValue(node);
  };
  const when = ctx.strings.conditions(at('when'), 'when');
  checkVarNames(at('vars'), problems);
  ctx.strings.templates(at('vars'), `${what} vars`);
  const vars = valueOf('vars') ?? {};
  if (!isPlainObject(vars)) problems.add(at('vars')!.pos, `"vars" must be a map, not ${describeValue(vars)}`);
  const become = valueOf('become');
  if (become !== undefined && typeof become !== 'boolean') problems.add(at('become')!.pos, '"become" must be true or false');
  const ignoreErrors = reach.ignoreErrors ? valueOf('ignore_errors') : undefined;
  const becomeMethod = valueOf('become_method');
  if (becomeMethod !== undefined && becomeMethod !== 'sudo' && becomeMethod !== 'su') problems.add(at('become_method')!.pos, '"become_method" must be sudo or su (the become methods kvmplay has)');
  const environment = valueOf('environment');
  if (environment !== undefined) ctx.strings.templates(at('environment'), `${what} environment`);
  if (ignoreErrors !== undefined && typeof ignoreErrors !== 'boolean') problems.add(at('ignore_errors')!.pos, '"ignore_errors" must be true or false');
  const blockKeywords: NonNullable<Inherited['blockKeywords']> = { ...ctx.inherited.blockKeywords };
  if (reach.ignoreErrors) {
    for (const key of BLOCK_PASSED) {
      const v = valueOf(key);
      if (v === undefined) continue;
      const ok = key === 'delegate_to' ? typeof v === 'string' && v !== '' : typeof v === 'boolean';
      if (ok) blockKeywords[key] = v as string | boolean;
      else problems.add(at(key)!.pos, `"${key}" must be ${key === 'delegate_to' ? 'a host name' : 'true or false'}`);
    }
    ctx.strings.templates(at('delegate_to'), 'delegate_to');
  }
  if (when === undefined) return undefined;
  const outer = ctx.inherited;
  const inherited: Inherited = {
    when: [...outer.when, ...when.exprs],
    tags: [...outer.tags, ...(reach.tags ? tagList(tagsOf(valueOf('tags'))) : [])],
    vars: { ...outer.vars, ...(isPlainObject(vars) ? vars : {}) },
    become: typeof become === 'boolean' ? become : outer.become,
    becomeUser: stringOr(valueOf('become_user'), outer.becomeUser),
    becomeMethod: becomeMethod === 'sudo' || becomeMethod === 'su' ? becomeMethod : outer.becomeMethod,
    environment: [...(outer.environment ?? []), ...(environment === undefined || environment === null ? [] : [environment])],
    ignoreErrors: ignoreErrors === true || outer.ignoreErrors === true,
    ...(outer.includeVarNames ? { includeVarNames: outer.includeVarNames } : {}),
    ...(Object.keys(blockKeywords).length ? { blockKeywords } : {}),
  };
  return { inherited, uses: when.uses };
}

function literalFile(entry: PEntry, kind: string, problems: Problems): { name: string; pos: SourcePosition; templated: boolean } | undefined {
  const v = entry.value;
  // `import_tasks: { file: x.yml }`: anything else would be silently lost (include_tasks
  // is a module: its schema checks its arguments).
  if (v.kind === 'map' && kind === 'import_tasks') {
    const other = v.entries.find((e) => e.name !== 'file');
    if (other !== undefined) {
      problems.add(other.keyPos, `"${other.name}" of ${kind} is not supported (kvmplay takes file)`);
      return undefined;
    }
  }
  const name = v.kind === 'scalar' && typeof v.value === 'string' ? v.value : v.kind === 'map' ? fileArg(v) : undefined;
  if (name === undefined || name === '') {
    problems.add(v.pos, `${kind} needs the path of a task file`);
    return undefined;
  }
  return { name, pos: v.pos, templated: name.includes('{{') || name.includes('{%') };
}

// `import_tasks: { file: x.yml }`
function fileArg(node: PNode): string | undefined {
  const f = entryOf(node, 'file')?.value;
  return f?.kind === 'scalar' && typeof f.value === 'string' ? f.value : undefined;
}

async function findTaskFile(name: string, ctx: TaskListContext): Promise<string | undefined> {
  const candidates = isAbsolute(name) ? [name] : [ctx.dir, ...ctx.alsoDirs].map((d) => resolve(d, name));
  for (const c of candidates) if ((await stat(c).catch(() => null))?.isFile()) return c;
  return undefined;
}

function stringOr(v: unknown, fallback: string | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : fallback;
}

/** The tags a YAML value names (a string, a number, or a list of them), for tagList. */
export function tagsOf(v: unknown): string | number | (string | number)[] | undefined {
  if (typeof v === 'string' || typeof v === 'number') return v;
  return Array.isArray(v) ? v.filter((t): t is string | number => typeof t === 'string' || typeof t === 'number') : undefined;
}

function registerOf(task: PNode): string[] {
  const r = entryOf(task, 'register')?.value;
  return r?.kind === 'scalar' && typeof r.value === 'string' ? [r.value] : [];
}
