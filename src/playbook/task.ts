// One task (or handler) from its YAML map to a Task: keywords checked with zod,
// the module found and its arguments checked, templates and conditions compiled.
// Problems are recorded, not thrown, so one run reports all of them.
import type { SourcePosition } from '../errors.js';
import { toValue, type PEntry, type PNode } from '../data/yaml-load.js';
import { ACTION_LIKE_KEYS, TASK_KEYWORDS, UNSUPPORTED_TASK_KEYS, withLoopPlugin } from './keywords.js';
import { LOOKUP_PLUGINS, lookupPluginName } from '../jinja/lookups.js';
import type { Task } from './model.js';
import { entryOf } from './position.js';
import type { Problems } from './problems.js';
import { IDENTIFIER, parseKeywords, TaskKeywords } from './schema.js';
import type { StringChecker, VarUse } from './strings.js';
import { describeValue } from './suggest.js';
import { checkArgs, chooseModule, collectArgs, type ModuleLookup } from './task-module.js';
import { BACKGROUND_MODULES } from '../modules/system/async-job.js';

export interface TaskContext {
  problems: Problems;
  strings: StringChecker;
  lookup: ModuleLookup;
  moduleNames: readonly string[];
  handler: boolean;
  playTags: readonly string[];
}

/** A local file a task names with a literal argument, found and checked after loading. */
export interface LocalFileRef {
  kind: 'template' | 'file';
  src: string;
  pos: SourcePosition;
}

export interface BuiltTask {
  task: Task;
  /** Variables read before the task runs, by `loop` (no loop variable yet), and after it ran (its own `register` visible). */
  uses: { before: VarUse[]; loop: VarUse[]; after: VarUse[] };
  files: LocalFileRef[];
  /** Where each `notify` entry was written (same order as task.notify). */
  notifyPos: SourcePosition[];
}

// Arguments naming local files: looked up and compiled before any connection (SPEC 4).
const LOCAL_FILES: Readonly<Record<string, readonly { arg: string; kind: LocalFileRef['kind']; unless?: string }[]>> = {
  template: [{ arg: 'src', kind: 'template' }],
  libvirt_domain: [{ arg: 'template', kind: 'template' }],
  copy: [{ arg: 'src', kind: 'file', unless: 'remote_src' }],
};

const KEYWORDS: ReadonlySet<string> = new Set(TASK_KEYWORDS);

export function buildTask(node: PNode, ctx: TaskContext): BuiltTask | undefined {
  const { problems } = ctx;
  const what = ctx.handler ? 'handler' : 'task';
  if (node.kind !== 'map') {
    problems.add(node.pos, `a ${what} must be a map of keywords and one module, not ${describeValue(toValue(node))}`);
    return undefined;
  }
  const keywordValues: Record<string, unknown> = {};
  const candidates: PEntry[] = [];
  let actionLike = false;
  let withLoop: { plugin: string; entry: PEntry } | undefined;
  let localAction: PEntry | undefined;
  for (const e of node.entries) {
    if (e.name === 'action' || e.name === 'local_action') {
      // `action: copy src=a dest=b` / `local_action: { module: copy, … }`: the module written as a value.
      const moduleEntry = actionModule(e, problems);
      if (moduleEntry) candidates.push(moduleEntry);
      if (e.name === 'local_action') localAction = e;
      continue;
    }
    const unsupported = UNSUPPORTED_TASK_KEYS.get(e.name);
    const plugin = withLoopPlugin(e.name);
    if (plugin !== undefined) {
      // with_<lookup>: the lookup's terms, as Ansible runs query('<lookup>', terms).
      if (!LOOKUP_PLUGINS.has(lookupPluginName(plugin))) {
        problems.add(e.keyPos, `"${e.name}": no lookup plugin "${plugin}" (kvmplay has ${[...LOOKUP_PLUGINS].join(', ')}); or use "loop"`);
      } else if (withLoop !== undefined) {
        problems.add(e.keyPos, `a task has one loop: "${withLoop.entry.name}" and "${e.name}" both given`);
      } else {
        withLoop = { plugin: lookupPluginName(plugin), entry: e };
      }
    } else if (KEYWORDS.has(e.name)) {
      keywordValues[e.name] = toValue(e.value);
    } else if (unsupported) {
      problems.add(e.keyPos, unsupported);
      actionLike ||= ACTION_LIKE_KEYS.has(e.name);
    } else {
      candidates.push(e); // the module, or a mistake
    }
  }
  if (localAction !== undefined && keywordValues['delegate_to'] !== undefined) {
    problems.add(localAction.keyPos, 'a task has either "local_action" or "delegate_to", not both');
  }
  const before = problems.count;
  const parsed = parseKeywords(TaskKeywords, keywordValues, node);
  if (!parsed.ok) parsed.problems.forEach((p) => problems.add(p.pos, p.detail));
  const kw = parsed.ok ? parsed.data : undefined;
  const at = (key: string): PNode | undefined => entryOf(node, key)?.value;

  if (kw?.listen !== undefined && !ctx.handler) problems.add(entryOf(node, 'listen')!.keyPos, '"listen" is only for handlers');
  if (kw?.loop !== undefined && withLoop !== undefined) {
    problems.add(withLoop.entry.keyPos, `a task has either "loop" or "${withLoop.entry.name}", not both`);
  }
  checkVarNames(at('vars'), problems);

  const choice = chooseModule(node, candidates, ctx.lookup, actionLike ? null : ctx.moduleNames, problems);
  const args = choice ? collectArgs(choice, at('args'), problems) : undefined;
  if (choice && args?.ok) checkArgs(choice, args, problems);
  // Fire and forget needs a command the host runs on its own: kvmplay's other modules are driven from here.
  if (choice && kw?.async !== undefined && kw.async > 0 && kw.poll === 0 && !BACKGROUND_MODULES.has(choice.module.name)) {
    problems.add(entryOf(node, 'poll')!.keyPos, `poll: 0 runs command and shell only in kvmplay, not ${choice.module.name}: give "poll" seconds (the task then waits, "async" its deadline)`);
  }

  // Templates and conditions are compiled even when something else is wrong: more problems in one run.
  const s = ctx.strings;
  const loopControl = at('loop_control');
  const templateUses = [
    ...s.templates(at('name'), `${what} name`),
    ...s.templates(at('delegate_to'), 'delegate_to'),
    ...s.templates(at('environment'), 'environment'),
    ...s.templates(at('become'), 'become'),
    ...s.templates(at('ignore_errors'), 'ignore_errors'),
    ...s.templates(at('no_log'), 'no_log'),
    ...s.templates(choice?.entry.value, 'task arguments'),
    ...s.templates(at('args'), 'task arguments'),
    ...s.templates(loopControl ? entryOf(loopControl, 'label')?.value : undefined, 'loop label'),
  ];
  s.templates(at('vars'), 'task vars'); // syntax only: a var is rendered only where it is used
  const loopNode = at('loop') ?? withLoop?.entry.value;
  const loopUses = s.templates(loopNode, 'loop');
  const when = s.conditions(at('when'), 'when');
  const changedWhen = at('changed_when') ? s.conditions(at('changed_when'), 'changed_when') : undefined;
  const failedWhen = at('failed_when') ? s.conditions(at('failed_when'), 'failed_when') : undefined;
  const until = at('until') ? s.conditions(at('until'), 'until') : undefined;

  // Any problem above (each one recorded) leaves the task unbuilt.
  if (!kw || !choice || !args?.ok || problems.count > before || !when) return undefined;
  const keyPos = args.keyPos;
  const moduleKeyPos = choice.entry.keyPos;
  const task: Task = {
    name: kw.name === undefined ? undefined : String(kw.name),
    module: choice.module.name,
    // An unnamed task is shown by the module key as written (`community.libvirt.virt`), as Ansible shows it.
    ...(!ACTION_LIKE_KEYS.has(choice.entry.name) && choice.entry.name !== choice.module.name ? { writtenModule: choice.entry.name } : {}),
    args: args.args,
    when: when.exprs,
    loop: kw.loop ?? (withLoop ? toValue(withLoop.entry.value) : undefined),
    loopLookup: withLoop?.plugin,
    loopVar: kw.loop_control?.loop_var ?? 'item',
    indexVar: kw.loop_control?.index_var,
    loopLabel: kw.loop_control?.label,
    register: kw.register,
    notify: names(kw.notify),
    tags: [...new Set([...tagList(kw.tags), ...ctx.playTags])],
    ignoreErrors: kw.ignore_errors === true,
    changedWhen: changedWhen?.exprs,
    failedWhen: failedWhen?.exprs,
    until: until?.exprs[0], // schema.ts allows `until` one condition only
    retries: kw.retries ?? 3,
    delay: kw.delay ?? 5,
    timeout: kw.timeout,
    async: kw.async,
    poll: kw.poll ?? 10,
    become: typeof kw.become === 'boolean' ? kw.become : undefined,
    becomeUser: kw.become_user,
    becomeMethod: kw.become_method,
    environment: kw.environment === undefined || kw.environment === null ? [] : [kw.environment],
    throttle: kw.throttle ?? 0,
    anyErrorsFatal: kw.any_errors_fatal,
    delegateFacts: kw.delegate_facts ?? false,
    connection: kw.connection,
    loopPause: kw.loop_control?.pause ?? 0,
    loopExtended: kw.loop_control?.extended ?? false,
    noLog: kw.no_log === true,
    ...flagTemplates(kw),
    checkMode: kw.check_mode,
    delegateTo: kw.delegate_to ?? (localAction ? 'localhost' : undefined),
    runOnce: kw.run_once ?? false,
    diff: kw.diff,
    vars: kw.vars ?? {},
    listen: names(kw.listen),
    role: undefined,
    pos: node.pos,
    argPos: (key: string) => keyPos.get(key) ?? moduleKeyPos,
  };
  return {
    task,
    uses: { before: [...templateUses, ...when.uses], loop: loopUses, after: [...(changedWhen?.uses ?? []), ...(failedWhen?.uses ?? []), ...(until?.uses ?? [])] },
    files: localFiles(task, args.valueNode),
    notifyPos: itemPositions(at('notify')),
  };
}

/** The boolean keywords written as templates, for the engine to render per host. */
function flagTemplates(kw: TaskKeywords): Pick<Task, 'flagTemplates'> {
  const t: NonNullable<Task['flagTemplates']> = {};
  if (typeof kw.become === 'string') t.become = kw.become;
  if (typeof kw.ignore_errors === 'string') t.ignoreErrors = kw.ignore_errors;
  if (typeof kw.no_log === 'string') t.noLog = kw.no_log;
  return Object.keys(t).length ? { flagTemplates: t } : {};
}

function localFiles(task: Task, valueNode: Map<string, PNode>): LocalFileRef[] {
  const refs: LocalFileRef[] = [];
  for (const { arg, kind, unless } of LOCAL_FILES[task.module] ?? []) {
    const src = task.args[arg];
    if (typeof src !== 'string' || src.includes('{{') || src === '') continue;
    if (unless !== undefined && task.args[unless] !== undefined && task.args[unless] !== false) continue;
    refs.push({ kind, src, pos: valueNode.get(arg)?.pos ?? task.argPos(arg) });
  }
  return refs;
}

/** The module entry an `action`/`local_action` value stands for, as if it were the task's key. */
function actionModule(e: PEntry, problems: Problems): PEntry | undefined {
  const v = e.value;
  if (v.kind === 'scalar' && typeof v.value === 'string' && v.value.trim() !== '') {
    const [, module = '', rest = ''] = /^\s*(\S+)\s*([^]*)$/.exec(v.value) ?? [];
    const args: PNode = { kind: 'scalar', pos: v.pos, value: rest === '' ? null : rest };
    return { key: module, name: module, keyPos: v.pos, value: args };
  }
  if (v.kind === 'map') {
    const moduleNode = entryOf(v, 'module')?.value;
    if (moduleNode?.kind === 'scalar' && typeof moduleNode.value === 'string' && moduleNode.value !== '') {
      const args: PNode = { kind: 'map', pos: v.pos, entries: v.entries.filter((x) => x.name !== 'module'), unsafe: v.unsafe };
      return { key: moduleNode.value, name: moduleNode.value, keyPos: moduleNode.pos, value: args };
    }
  }
  problems.add(v.pos, `"${e.name}" needs a module: "${e.name}: command echo hi" or a map with "module:"`);
  return undefined;
}

export function checkVarNames(node: PNode | undefined, problems: Problems): void {
  if (node?.kind !== 'map') return;
  for (const e of node.entries) {
    if (!IDENTIFIER.test(e.name)) problems.add(e.keyPos, `"${e.name}" is not a valid variable name (letters, digits and _, not starting with a digit)`);
  }
}

function itemPositions(node: PNode | undefined): SourcePosition[] {
  if (!node) return [];
  return node.kind === 'seq' ? node.items.map((n) => n.pos) : [node.pos];
}

function names(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Ansible splits a tag string on commas: `tags: "net, bridge"` is two tags. */
export function tagList(v: string | number | (string | number)[] | undefined): string[] {
  if (v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.flatMap((t) => String(t).split(',')).map((t) => t.trim()).filter((t) => t !== '');
}
