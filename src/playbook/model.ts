// The typed, validated playbook (SPEC 4) the runner executes. Values a host's
// variables decide stay raw here: task arguments, `loop`, `name` are the strings as
// written (templates included), rendered per host at run time; conditions are
// compiled once. Every part keeps where it came from, for run-time messages.
import type { SourcePosition } from '../errors.js';
import type { CompiledExpr } from '../jinja/index.js';
import type { Vars } from '../inventory/index.js';
import type { TemplateFile } from './template-file.js';

export type { SourcePosition, Vars };

/** One step of `serial`: a host count, or a percentage of the play's hosts ("30%"). */
export type SerialStep = number | string;

export interface Playbook {
  /** Absolute path of the playbook file. */
  file: string;
  /** Its folder: `playbook_dir`, and where relative paths start. */
  dir: string;
  /** In order; plays of an `import_playbook` are inlined where the import stands. */
  plays: Play[];
}

/** A `vars_files` entry. */
export interface VarsFileRef {
  /** The path as written (may be a template, e.g. `vars/{{ os }}.yaml`). */
  source: string;
  /** Absolute path, when `source` has no template in it. */
  file: string | undefined;
  /** Its variables, loaded at validation (undefined when `source` is a template). */
  vars: Vars | undefined;
  pos: SourcePosition;
}

export interface Play {
  /** Default: the `hosts` pattern, as Ansible names an unnamed play. */
  name: string;
  /** Host pattern (`hv*:!hv03`); a YAML list is joined with `:`. May be a template. */
  hosts: string;
  vars: Vars;
  varsFiles: VarsFileRef[];
  /** undefined: the inventory's `become` decides. */
  become: boolean | undefined;
  becomeUser: string | undefined;
  becomeMethod: BecomeMethod | undefined;
  /** `environment` as written (a map, a list of maps, a template): rendered per host and task. */
  environment: unknown;
  /** `connection: local`: the play's tasks run on the control machine. */
  connection: string | undefined;
  /** `vars_prompt`: answered from -e or the prompt's default (kvmplay never asks). */
  varsPrompt: VarsPrompt[];
  /**
   * Batch sizes, as Ansible's `serial`: [] means all hosts at once; [1, "50%"] means
   * one host, then half of them, the last step repeating until all hosts ran.
   */
  serial: SerialStep[];
  /** 0–100; undefined: a batch stops the rollout only when all its hosts failed (as Ansible). */
  maxFailPercentage: number | undefined;
  anyErrorsFatal: boolean;
  /** Default true, as in Ansible. */
  gatherFacts: boolean;
  /** `gather_subset`: Ansible's subset names for the play's fact gathering; undefined: all. */
  gatherSubset?: string[] | undefined;
  /** `gather_timeout` in seconds: the fact gathering's timeout; undefined (or 0): kvmplay's default. */
  gatherTimeout?: number | undefined;
  /** Play-level tags (already added to each task's `tags`). */
  tags: string[];
  /** The defaults and the vars of all the play's roles, merged in order: every task sees them (Ansible's public role variables). */
  roleDefaults: Vars;
  roleVars: Vars;
  /** pre_tasks, the roles' tasks, tasks and post_tasks, in order (block, rescue and always tasks included). */
  tasks: Task[];
  /** The same tasks as the engine runs them: blocks with their rescue and always, and where handlers flush. */
  steps: Step[];
  handlers: Task[];
  /** Folder relative paths of this play resolve from (its playbook's, or an imported one's). */
  dir: string;
  pos: SourcePosition;
}

/** What a host runs, in order: a task, a block, or the notified handlers (after pre_tasks and tasks, as Ansible flushes them). */
export type Step =
  | { kind: 'task'; task: Task }
  | { kind: 'block'; block: Step[]; rescue: Step[]; always: Step[] }
  | { kind: 'flush' };

/** One `vars_prompt` entry: the variable, and its default if any. */
export interface VarsPrompt {
  name: string;
  prompt: string | undefined;
  /** undefined: no default (the value must come from -e). */
  default: unknown;
  private: boolean;
  pos: SourcePosition;
}

export type BecomeMethod = 'sudo' | 'su';

/** The tasks of one file an include_tasks brings in, built (validated) for it. */
export interface IncludedTasks {
  /** Absolute path: what the `included:` line names. */
  file: string;
  steps: Step[];
}

/** How an include_tasks task finds its file's tasks. */
export interface IncludeSpec {
  /**
   * The tasks of the file `name` (the include's file as rendered for a host), built once
   * per name: a literal name was built with the playbook, a templated one is built when
   * first reached. Rejects with the file's problems (a ValidationError, positions in it).
   */
  tasksOf(name: string): Promise<IncludedTasks>;
}

/** A role as its tasks see it: Ansible's role defaults (lowest precedence), vars and parameters. */
export interface RoleRef {
  name: string;
  /** The role's folder: its templates/ and files/ are searched first. */
  dir: string;
  defaults: Vars;
  vars: Vars;
  /** Parameters given where the role is used (`roles: [{ role: x, port: 1 }]`, `vars:`). */
  params: Vars;
}

export interface Task {
  /** As written, may hold `{{ }}`; undefined when the task has no name. */
  name: string | undefined;
  /** Canonical module name (`ansible.builtin.copy` → `copy`). */
  module: string;
  /** The module's key as the task writes it, where that is not `module` (`ansible.builtin.copy`). */
  writtenModule?: string;
  /**
   * Raw, untemplated arguments: the module's map or free-form string (under the
   * module's `freeForm` key) merged over the task's `args:`. Strings may be templates.
   */
  args: Record<string, unknown>;
  /** All must hold (Ansible's list form); [] = always. */
  when: CompiledExpr[];
  /** `loop` / `with_<lookup>` as written (a list, or a template string); undefined: no loop. */
  loop: unknown;
  /** The lookup plugin of a `with_<lookup>` loop (`items` for with_items): its terms are `loop`. */
  loopLookup: string | undefined;
  /** `loop_control.loop_var`, default `item`. */
  loopVar: string;
  /** `loop_control.index_var`; kvmplay also always sets `index`. */
  indexVar: string | undefined;
  /** `loop_control.label`: a template shown instead of the whole item. */
  loopLabel: string | undefined;
  register: string | undefined;
  /** Handler names or `listen` topics (checked against the play's handlers). */
  notify: string[];
  /** The task's tags plus its play's. */
  tags: string[];
  ignoreErrors: boolean;
  /** undefined: the module's own `changed`; otherwise all must hold. */
  changedWhen: CompiledExpr[] | undefined;
  /** undefined: the module's own `failed`; otherwise all must hold. */
  failedWhen: CompiledExpr[] | undefined;
  until: CompiledExpr | undefined;
  /** Attempts after the first when `until` is false (Ansible's default 3). */
  retries: number;
  /** Seconds between attempts (Ansible's default 5). */
  delay: number;
  /** Seconds; undefined: `--step-timeout` (if any) applies. */
  timeout: number | undefined;
  /** `async`: seconds the task may run (with `poll` 0: in the background, command and shell only); undefined or 0: not async. */
  async: number | undefined;
  /** `poll` (Ansible's default 10): 0 starts an async task in the background and moves on. */
  poll: number;
  /** undefined: the play's (then the inventory's) decides. */
  become: boolean | undefined;
  becomeUser: string | undefined;
  becomeMethod: BecomeMethod | undefined;
  /** `environment`s as written (maps, lists of maps, templates), the enclosing blocks' first: merged in order, the play's under them. */
  environment: unknown[];
  /** `throttle`: at most this many hosts run the task at once (0: no limit). */
  throttle: number;
  /** `any_errors_fatal` of the task (undefined: the play's). */
  anyErrorsFatal: boolean | undefined;
  /** `delegate_facts`: facts a delegated facts task gathers belong to the delegate. */
  delegateFacts: boolean;
  /** `connection: local` runs the task on the control machine; undefined or ssh: the host. */
  connection: string | undefined;
  /** `loop_control.pause`: seconds between loop items. */
  loopPause: number;
  /** `loop_control.extended`: items see `ansible_loop` (index, first, last, previtem…). */
  loopExtended: boolean;
  /** `become`, `ignore_errors`, `no_log` written as templates: rendered per host before the task runs. */
  flagTemplates?: { become?: string; ignoreErrors?: string; noLog?: string };
  noLog: boolean;
  /** `delegate_to`: run the module on this host (an inventory name, or localhost: the control machine); a template. */
  delegateTo: string | undefined;
  /** `run_once`: the first host of the batch runs it; every host of the batch gets its result. */
  runOnce: boolean;
  /** `check_mode: true|false`: this task in check mode or not, whatever --check says (undefined: --check decides). */
  checkMode: boolean | undefined;
  /** `diff: true|false` over --diff. */
  diff: boolean | undefined;
  /** Task `vars`: values may be templates, rendered per host. */
  vars: Vars;
  /** Handlers only: topics this handler also answers to. */
  listen: string[];
  /** The role the task comes from (its variables, its files), if any. */
  role: RoleRef | undefined;
  /** An `include_tasks`: the file's tasks, loaded when a host reaches it. */
  include?: IncludeSpec;
  /** Variables that enclosing `include_tasks` loops set at run time (`item`…): known to the variable check. */
  includeVarNames?: readonly string[];
  pos: SourcePosition;
  /** Where argument `key` was written (its key), else the module key's position. */
  argPos(key: string): SourcePosition;
}

/** Everything a run needs, loaded and validated before any connection. */
export interface LoadedRun {
  playbooks: Playbook[];
  /** The merged `-e` values (highest precedence). */
  extraVars: Vars;
  /** Template files referenced by literal `src`s, compiled, by absolute path. */
  templates: Map<string, TemplateFile>;
  /** Where the project's `templates/` folder is looked up. */
  projectDir: string;
}
