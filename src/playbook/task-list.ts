// A list of tasks as Ansible reads it: each entry a task; a `block` (with `rescue` and
// `always`) whose keywords (`when`, `tags`, `vars`, `become`, `ignore_errors`) its tasks
// inherit; or an `import_tasks` (also `include_tasks` of a literal file without a loop)
// whose file's tasks take its place, with the import's `when`, `vars`, `become` (and, for
// import_tasks, `tags`) — the file is validated now, with its own positions. Tasks of a
// role carry the role. The result is both flat (every task, for validation) and as steps
// (blocks kept, for the engine).
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SourcePosition } from '../errors.js';
import { isPlainObject } from '../data/py-values.js';
import { toValue, type PEntry, type PNode } from '../data/yaml-load.js';
import type { CompiledExpr } from '../jinja/index.js';
import type { RoleRef, Step, Task } from './model.js';
import { entryOf } from './position.js';
import type { Problems } from './problems.js';
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
  /** A block's ignore_errors. */
  ignoreErrors?: boolean;
}

export const NOTHING_INHERITED: Inherited = { when: [], tags: [], vars: {}, become: undefined };

export interface BuiltTaskList {
  tasks: BuiltTask[];
  steps: Step[];
  /** Handlers of roles imported by import_role: the play's too. */
  handlers?: BuiltTask[];
  /** `register` names of tasks that had problems: still defined, for the variable check. */
  failedRegisters: string[];
  /** Variables the imports' own `when` read. */
  uses: VarUse[];
}

const IMPORT_KEYS = ['import_tasks', 'include_tasks'] as const;
const ROLE_IMPORT_KEYS = ['import_role', 'include_role'] as const;
// What an import entry may say besides the file (Ansible's include/import keywords kvmplay applies).
const IMPORT_KEYWORDS = new Set(['name', 'when', 'tags', 'vars', 'become', 'become_user']);
const QUALIFIED = /^ansible\.(builtin|legacy)\./;

export async function buildTaskList(list: PNode | undefined, ctx: TaskListContext): Promise<BuiltTaskList> {
  const out: BuiltTaskList = { tasks: [], steps: [], failedRegisters: [], uses: [] };
  if (list === undefined || list.kind !== 'seq') return out; // schema.ts reports a list that is not one
  const add = (inner: BuiltTaskList): void => {
    if (inner.handlers?.length) (out.handlers ??= []).push(...inner.handlers);
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
    const roleEntry = item.kind === 'map' ? item.entries.find((e) => ROLE_IMPORT_KEYS.includes(e.name.replace(QUALIFIED, '') as never)) : undefined;
    if (roleEntry && ctx.importRole) {
      const imported = await ctx.importRole(item, roleEntry, ctx);
      add(imported);
      out.steps.push(...imported.steps);
      continue;
    }
    const importEntry = item.kind === 'map' ? item.entries.find((e) => IMPORT_KEYS.includes(e.name.replace(QUALIFIED, '') as never)) : undefined;
    if (importEntry) {
      const imported = await importTasks(item, importEntry, ctx);
      add(imported);
      out.steps.push(...imported.steps);
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

function inherit(built: BuiltTask, ctx: TaskListContext): BuiltTask {
  const { inherited: inh, role } = ctx;
  const task: Task = {
    ...built.task,
    when: [...inh.when, ...built.task.when],
    tags: [...new Set([...built.task.tags, ...inh.tags])],
    vars: { ...inh.vars, ...built.task.vars },
    become: built.task.become ?? inh.become,
    becomeUser: built.task.becomeUser ?? inh.becomeUser,
    ignoreErrors: built.task.ignoreErrors || inh.ignoreErrors === true,
    role,
  };
  return { ...built, task };
}

async function importTasks(item: PNode, entry: PEntry, ctx: TaskListContext): Promise<BuiltTaskList> {
  const none: BuiltTaskList = { tasks: [], steps: [], failedRegisters: [], uses: [] };
  const { problems } = ctx;
  const kind = entry.name.replace(QUALIFIED, '');
  if (item.kind !== 'map') return none;
  let ok = true;
  for (const e of item.entries) {
    if (e === entry || IMPORT_KEYWORDS.has(e.name)) continue;
    problems.add(e.keyPos, `"${e.name}" is not supported on ${kind} (kvmplay applies ${[...IMPORT_KEYWORDS].join(', ')})`);
    ok = false;
  }
  const target = literalFile(entry, kind, problems);
  // Tags of an include apply to the include itself, not to its tasks (Ansible); an import's reach them.
  const passed = passedKeywords(item, ctx, kind, { tags: kind === 'import_tasks' });
  if (!ok || target === undefined || passed === undefined) return none;

  const file = await findTaskFile(target.name, ctx);
  if (file === undefined) {
    const looked = [ctx.dir, ...ctx.alsoDirs].map((d) => displayName(resolve(d, target.name))).join(', ');
    problems.add(target.pos, `${kind}: task file "${target.name}" not found (looked in: ${looked})`);
    return none;
  }
  if (ctx.stack.includes(file)) {
    problems.add(target.pos, `${kind} "${target.name}" imports itself (through ${ctx.stack.length} file(s))`);
    return none;
  }
  const src = await readSourceOrReport(file, problems);
  if (src === undefined) return none;
  const root = src.root;
  if (root !== null && root.kind !== 'seq') {
    problems.add(root.pos, `a task file must be a list of tasks, not ${describeValue(toValue(root))}`);
    return none;
  }
  const inner = await buildTaskList(root ?? undefined, {
    ...ctx,
    strings: new StringChecker(src, problems, ctx.stringCache),
    dir: dirname(file),
    // Ansible tries each importing file's folder in turn, the playbook's last.
    alsoDirs: [...new Set([ctx.dir, ...ctx.alsoDirs])],
    stack: [...ctx.stack, file],
    inherited: passed.inherited,
  });
  return { ...inner, uses: [...passed.uses, ...inner.uses] };
}

// What a block may say besides its three lists (Ansible's block keywords kvmplay applies).
const BLOCK_KEYWORDS = new Set(['block', 'rescue', 'always', 'name', 'when', 'tags', 'vars', 'become', 'become_user', 'ignore_errors']);

/** A block: its keywords passed down to its tasks, its three lists built in turn. */
async function buildBlock(item: PNode, ctx: TaskListContext): Promise<{ built: BuiltTaskList; step: Step | undefined }> {
  const { problems } = ctx;
  const empty: BuiltTaskList = { tasks: [], steps: [], failedRegisters: [], uses: [] };
  if (item.kind !== 'map') return { built: empty, step: undefined };
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
  if (!ok || passed === undefined) return { built: empty, step: undefined };
  const inner = { ...ctx, inherited: passed.inherited };
  const block = await buildTaskList(at('block'), inner);
  const rescue = await buildTaskList(at('rescue'), inner);
  const always = await buildTaskList(at('always'), inner);
  const parts = [block, rescue, always];
  return {
    built: {
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
  if (ignoreErrors !== undefined && typeof ignoreErrors !== 'boolean') problems.add(at('ignore_errors')!.pos, '"ignore_errors" must be true or false');
  if (when === undefined) return undefined;
  const outer = ctx.inherited;
  const inherited: Inherited = {
    when: [...outer.when, ...when.exprs],
    tags: [...outer.tags, ...(reach.tags ? tagList(tagsOf(valueOf('tags'))) : [])],
    vars: { ...outer.vars, ...(isPlainObject(vars) ? vars : {}) },
    become: typeof become === 'boolean' ? become : outer.become,
    becomeUser: stringOr(valueOf('become_user'), outer.becomeUser),
    ...(reach.ignoreErrors ? { ignoreErrors: ignoreErrors === true || outer.ignoreErrors === true } : {}),
  };
  return { inherited, uses: when.uses };
}

function literalFile(entry: PEntry, kind: string, problems: Problems): { name: string; pos: SourcePosition } | undefined {
  const v = entry.value;
  // `include_tasks: { file: x.yml, apply: … }`: only `file` is taken; anything else would be silently lost.
  if (v.kind === 'map') {
    const other = v.entries.find((e) => e.name !== 'file');
    if (other !== undefined) {
      problems.add(other.keyPos, `"${other.name}" of ${kind} is not supported yet (kvmplay takes "file")`);
      return undefined;
    }
  }
  const name = v.kind === 'scalar' && typeof v.value === 'string' ? v.value : v.kind === 'map' ? fileArg(v) : undefined;
  if (name === undefined || name === '') {
    problems.add(v.pos, `${kind} needs the path of a task file`);
    return undefined;
  }
  if (name.includes('{{') || name.includes('{%')) {
    problems.add(v.pos, `${kind} of a templated file name is not supported yet: kvmplay reads task files before it connects`);
    return undefined;
  }
  return { name, pos: v.pos };
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
