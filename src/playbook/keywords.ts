// Which keys a play and a task may have. Ansible keywords kvmplay does not implement
// are named with a reason, so `ignore_unreachable:` is "not supported yet" rather than
// taken for an unknown module.

export const PLAY_KEYWORDS = [
  'name', 'hosts', 'vars', 'vars_files', 'become', 'become_user', 'become_method', 'serial', 'max_fail_percentage',
  'any_errors_fatal', 'gather_facts', 'gather_subset', 'gather_timeout', 'tasks', 'handlers', 'tags', 'pre_tasks', 'post_tasks', 'roles',
  'environment', 'connection', 'vars_prompt',
] as const;

export const TASK_KEYWORDS = [
  'name', 'when', 'loop', 'loop_control', 'register', 'notify', 'tags', 'ignore_errors',
  'changed_when', 'failed_when', 'timeout', 'retries', 'delay', 'until', 'become', 'become_user',
  'become_method', 'no_log', 'args', 'vars', 'listen', 'check_mode', 'diff', 'delegate_to', 'run_once',
  'environment', 'throttle', 'any_errors_fatal', 'delegate_facts', 'connection', 'async', 'poll',
] as const;

const NOT_YET = 'is not supported by kvmplay yet';

/** Ansible play keywords kvmplay refuses, with why or what to do instead. */
export const UNSUPPORTED_PLAY_KEYS: ReadonlyMap<string, string> = new Map([
  ['strategy', `"strategy" is not supported: kvmplay runs each host through its tasks independently`],
  ['remote_user', `"remote_user" is not supported in a play: set "user" in the inventory`],
  ['port', `"port" is not supported in a play: set it in the inventory`],
  ['ignore_errors', `"ignore_errors" is not supported on a play: set it on the tasks`],
  ['ignore_unreachable', `"ignore_unreachable" ${NOT_YET}`],
  ['order', `"order" ${NOT_YET}`],
  ['check_mode', `"check_mode" on a play ${NOT_YET}: use --check`],
  ['diff', `"diff" on a play ${NOT_YET}: use --diff`],
  ['collections', `"collections" is not supported: kvmplay has its own modules`],
  ['module_defaults', `"module_defaults" ${NOT_YET}`],
  ['force_handlers', `"force_handlers" ${NOT_YET}`],
  ['debugger', `"debugger" is not supported`],
  ['no_log', `"no_log" on a play ${NOT_YET}: set it on the tasks`],
  ['delegate_to', `"delegate_to" is not supported: kvmplay runs every task on the host itself`],
]);

/** Ansible task keywords (and task-like modules) kvmplay refuses. */
export const UNSUPPORTED_TASK_KEYS: ReadonlyMap<string, string> = new Map([
  ['throttle', `"throttle" ${NOT_YET}: use --forks`],
  ['become_flags', `"become_flags" is not supported`],
  ['remote_user', `"remote_user" is not supported on a task: set "user" in the inventory`],
  ['ignore_unreachable', `"ignore_unreachable" ${NOT_YET}`],
  ['module_defaults', `"module_defaults" ${NOT_YET}`],
  ['collections', `"collections" is not supported: kvmplay has its own modules`],
  ['debugger', `"debugger" is not supported`],
  ['import_playbook', `"import_playbook" is only allowed at the top level of a playbook, not in tasks`],
]);

/**
 * Refused keys that stand where a module would (so "task has no module" would only be
 * noise). Blocks, imports, action and local_action never get here: the task list and
 * the task reader take them first.
 */
export const ACTION_LIKE_KEYS: ReadonlySet<string> = new Set(['import_playbook']);

/** The lookup plugin behind a `with_<lookup>` loop key (`with_items` → items), or undefined. */
export function withLoopPlugin(key: string): string | undefined {
  return key.startsWith('with_') ? key.slice('with_'.length) : undefined;
}
