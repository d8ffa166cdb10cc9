// One play from its YAML map to a Play: keywords checked with zod, vars and
// vars_files loaded, tasks and handlers built, `notify` checked against the play's
// handlers (Ansible only finds that out when the task changes something).
import type { SourcePosition } from '../errors.js';
import { isPlainObject } from '../data/py-values.js';
import { gatherSubsetList } from '../modules/system/facts/gather-subset.js';
import { toValue, type PNode } from '../data/yaml-load.js';
import { PLAY_KEYWORDS, UNSUPPORTED_PLAY_KEYS } from './keywords.js';
import type { Play, SerialStep, Step, VarsPrompt } from './model.js';
import { entryOf } from './position.js';
import type { Problems } from './problems.js';
import { parseKeywords, PlayKeywords, type PlayKeywords as PlayKeywordValues } from './schema.js';
import type { StringCache, StringChecker, VarUse } from './strings.js';
import { buildRoles, roleImporter } from './roles.js';
import { buildTaskList, mergePublic, NOTHING_INHERITED, type BuiltTaskList } from './task-list.js';
import { describeValue, didYouMean } from './suggest.js';
import { checkVarNames, tagList, type BuiltTask } from './task.js';
import type { ModuleLookup } from './task-module.js';
import { loadVarsFiles } from './vars-files.js';

export interface PlayContext {
  problems: Problems;
  strings: StringChecker;
  lookup: ModuleLookup;
  moduleNames: readonly string[];
  /** Folder of the playbook file the play is in. */
  dir: string;
  stringCache: StringCache;
  /** Where roles are looked for after roles/ beside the playbook (ansible-config.ts). */
  rolesPath: readonly string[];
  /** The playbook file: an import_tasks of it would be a loop. */
  file: string;
}

export interface BuiltPlay {
  play: Play;
  tasks: BuiltTask[];
  handlers: BuiltTask[];
  /** Variables the `hosts` pattern reads. */
  hostsUses: VarUse[];
  /** `vars` and `vars_files` are well-formed, so the play's variables are known (else not checked). */
  varsKnown: boolean;
  /** `register` names of tasks that had problems: still defined, for the variable check. */
  failedRegisters: string[];
  /** Variables the roles define, and those the imports' and roles' own conditions read. */
  roleVarNames: Set<string>;
  importUses: VarUse[];
}

const KEYWORDS: ReadonlySet<string> = new Set(PLAY_KEYWORDS);

export async function buildPlay(node: PNode, ctx: PlayContext): Promise<BuiltPlay | undefined> {
  const { problems } = ctx;
  if (node.kind !== 'map') {
    problems.add(node.pos, `a play must be a map (hosts, tasks, …), not ${describeValue(toValue(node))}`);
    return undefined;
  }
  const values: Record<string, unknown> = {};
  let looksLikeTask = false;
  for (const e of node.entries) {
    const unsupported = UNSUPPORTED_PLAY_KEYS.get(e.name);
    if (KEYWORDS.has(e.name)) {
      values[e.name] = toValue(e.value);
    } else if (unsupported) {
      problems.add(e.keyPos, unsupported);
    } else if (ctx.lookup(e.name)) {
      looksLikeTask = true;
    } else {
      problems.add(e.keyPos, `unknown play keyword "${e.name}"${didYouMean(e.name, PLAY_KEYWORDS)}`);
    }
  }
  if (looksLikeTask) {
    problems.add(node.pos, 'this looks like a task: a playbook is a list of plays, each with "hosts:" and "tasks:"');
    return undefined;
  }
  const parsed = parseKeywords(PlayKeywords, values, node);
  if (!parsed.ok) parsed.problems.forEach((p) => problems.add(p.pos, p.detail));
  const at = (key: string): PNode | undefined => entryOf(node, key)?.value;
  checkVarNames(at('vars'), problems);
  ctx.strings.templates(at('vars'), 'play vars'); // syntax only: a var is rendered only where it is used
  const hostsUses = ctx.strings.templates(at('hosts'), 'hosts');
  ctx.strings.templates(at('environment'), 'play environment');
  const kw = parsed.ok ? parsed.data : undefined;
  const playTags = tagList(kw?.tags);
  const varsFiles = await loadVarsFiles(at('vars_files'), ctx.dir, problems);
  // Whether the play's own variables are known, even when some other keyword is wrong.
  const rawVars = values.vars;
  const rawFiles = values.vars_files;
  const varsKnown = (rawVars === undefined || rawVars === null || isPlainObject(rawVars)) &&
    (rawFiles === undefined || rawFiles === null || typeof rawFiles === 'string' ||
      (Array.isArray(rawFiles) && rawFiles.every((f) => typeof f === 'string')));

  const listCtx = {
    ...ctx, playTags, dir: ctx.dir, alsoDirs: [], role: undefined, stack: [ctx.file], inherited: NOTHING_INHERITED,
    importRole: roleImporter({ playbookDir: ctx.dir, rolesPath: ctx.rolesPath }),
  };
  const build = (key: 'pre_tasks' | 'tasks' | 'post_tasks' | 'handlers'): Promise<BuiltTaskList> =>
    buildTaskList(at(key), { ...listCtx, handler: key === 'handlers' });
  // Ansible's order: pre_tasks, the roles, tasks, post_tasks; handlers run after each of pre_tasks, tasks and post_tasks.
  const pre = await build('pre_tasks');
  const roles = await buildRoles(at('roles'), { ...listCtx, playbookDir: ctx.dir });
  const main = await build('tasks');
  const post = await build('post_tasks');
  const ownHandlers = await build('handlers');
  const sections = [pre, { ...roles, tasks: roles.tasks }, main, post];
  const tasks = sections.flatMap((s) => s.tasks);
  // A role's handlers are the play's: those of roles: and of import_role tasks (also inside roles).
  // A role used twice brings its handlers twice: one definition runs once.
  const handlers = uniqueDefinitions([...roles.handlers, ...[...sections, ownHandlers].flatMap((s) => s.handlers ?? []), ...ownHandlers.tasks]);
  const failedRegisters = [...sections, ownHandlers].flatMap((s) => s.failedRegisters);
  const importUses = [...sections, ownHandlers].flatMap((s) => s.uses);
  const publicVars = [pre, main, post].reduce<BuiltTaskList['publicVars']>((acc, s) => mergePublic(acc, s.publicVars), undefined);
  for (const k of [...Object.keys(publicVars?.defaults ?? {}), ...Object.keys(publicVars?.vars ?? {})]) roles.varNames.add(k);
  const flush: Step[] = [{ kind: 'flush' }];
  const steps: Step[] = [
    ...pre.steps, ...(pre.steps.length > 0 ? flush : []),
    ...roles.steps, ...main.steps, ...(post.steps.length > 0 ? flush : []),
    ...post.steps,
  ];
  checkNotify([...tasks, ...handlers], at('handlers'), problems, handlers.filter((h) => h.task.role !== undefined)); // handlers may notify handlers

  // A play with problems still goes on to the file and variable checks, so that one
  // run reports everything; the run stops before any connection all the same.
  const k: Partial<PlayKeywordValues> = kw ?? {};
  const hosts = Array.isArray(k.hosts) ? k.hosts.map(String).join(':') : (k.hosts ?? '');
  const play: Play = {
    name: k.name === undefined ? hosts : String(k.name),
    hosts,
    vars: isPlainObject(rawVars) ? rawVars : {},
    varsFiles,
    become: k.become,
    becomeUser: k.become_user,
    becomeMethod: k.become_method,
    environment: k.environment ?? undefined,
    connection: k.connection,
    varsPrompt: varsPrompts(at('vars_prompt'), k.vars_prompt),
    serial: serialSteps(k.serial),
    maxFailPercentage: typeof k.max_fail_percentage === 'string' ? parseFloat(k.max_fail_percentage) : k.max_fail_percentage,
    anyErrorsFatal: k.any_errors_fatal ?? false,
    gatherFacts: k.gather_facts ?? true,
    gatherSubset: k.gather_subset === undefined ? undefined : gatherSubsetList(k.gather_subset),
    gatherTimeout: k.gather_timeout,
    tags: playTags,
    // The roles:' variables, then those of public imported roles, in play order.
    roleDefaults: { ...roles.defaults, ...publicVars?.defaults },
    roleVars: { ...roles.vars, ...publicVars?.vars },
    tasks: tasks.map((t) => t.task),
    steps,
    handlers: handlers.map((t) => t.task),
    dir: ctx.dir,
    pos: node.pos,
  };
  return { play, tasks, handlers, hostsUses, varsKnown, failedRegisters, roleVarNames: roles.varNames, importUses };
}


function varsPrompts(node: PNode | undefined, prompts: PlayKeywordValues['vars_prompt']): VarsPrompt[] {
  const items = node?.kind === 'seq' ? node.items : [];
  return (prompts ?? []).map((p, i) => ({
    name: p.name,
    prompt: p.prompt,
    default: p.default,
    private: p.private ?? true,
    pos: items[i]?.pos ?? node!.pos,
  }));
}

function uniqueDefinitions(tasks: readonly BuiltTask[]): BuiltTask[] {
  const seen = new Set<string>();
  return tasks.filter(({ task: { pos } }) => {
    const key = `${pos.file}:${pos.line}:${pos.col}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function serialSteps(v: number | string | (number | string)[] | undefined): SerialStep[] {
  if (v === undefined) return [];
  // A plain number written as a string ("3") is a count, as Ansible's int() reads it.
  return (Array.isArray(v) ? v : [v]).map((s) => (typeof s === 'string' && /^\d+$/.test(s) ? Number(s) : s));
}

// Names and listen topics read from the handlers' YAML, so a handler with another
// problem still counts as existing (one mistake, one message).
function checkNotify(tasks: readonly BuiltTask[], handlersNode: PNode | undefined, problems: Problems, roleHandlers: readonly BuiltTask[]): void {
  const known = new Set<string>();
  // A role's handler answers to its name and to "role : name", as in Ansible.
  for (const { task } of roleHandlers) {
    for (const n of [...(task.name === undefined ? [] : [task.name]), ...task.listen]) {
      known.add(n);
      if (task.role) known.add(`${task.role.name} : ${n}`);
    }
  }
  const items = handlersNode?.kind === 'seq' ? handlersNode.items : [];
  for (const h of items) {
    const name = entryOf(h, 'name')?.value;
    if (name?.kind === 'scalar' && name.value !== null) known.add(String(name.value));
    const listen = entryOf(h, 'listen')?.value;
    const topics = listen?.kind === 'seq' ? listen.items : listen ? [listen] : [];
    for (const t of topics) if (t.kind === 'scalar' && t.value !== null) known.add(String(t.value));
  }
  for (const { task, notifyPos } of tasks) {
    task.notify.forEach((n, i) => {
      if (n.includes('{{') || known.has(n)) return;
      const pos: SourcePosition = notifyPos[i] ?? task.pos;
      const hint = didYouMean(n, known);
      problems.add(pos, `notify "${n}": no handler has this name or listens to it in this play${hint}`);
    });
  }
}
