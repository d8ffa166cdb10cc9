// `loop` / `with_<lookup>` at run time: the list (rendered with the host's variables;
// for with_<lookup>, what that lookup plugin makes of it, as Ansible's query()),
// each item's variables (`item` or loop_var, `index`, index_var, `ansible_loop`) and
// its label in output. Pure.
import { ExprError } from '../jinja/index.js';
import { LOOKUP_PROVIDER, type LookupProvider } from '../jinja/lookups.js';
import type { Task } from '../playbook/index.js';
import { renderString, type JinjaCache } from '../jinja/strings.js';
import { where } from './conditions.js';
import { renderDeep, type Scope } from './scope.js';

export type LoopItems = { ok: true; items: unknown[] } | { ok: false; msg: string };

export function loopItems(task: Task, scope: Scope, cache?: JinjaCache): LoopItems {
  let value: unknown;
  try {
    value = renderDeep(task.loop, scope, `${where(task.pos)} (loop)`, cache);
  } catch (err) {
    if (err instanceof ExprError) return { ok: false, msg: err.message };
    throw err;
  }
  if (task.loopLookup !== undefined) return lookupItems(task, task.loopLookup, value, scope);
  if (!Array.isArray(value)) {
    const shown = JSON.stringify(value) ?? String(value);
    return { ok: false, msg: `${where(task.pos)}: loop must be a list, got ${value === null ? 'null' : typeof value}: ${shown.slice(0, 200)}` };
  }
  return { ok: true, items: value };
}

/** Ansible's with_<lookup>: a string or a single value becomes the one term, a list its terms. */
function lookupItems(task: Task, plugin: string, terms: unknown, scope: Scope): LoopItems {
  const provider = (scope as Record<symbol, unknown>)[LOOKUP_PROVIDER] as LookupProvider | undefined;
  const fail = (message: string): never => {
    throw new ExprError(`${where(task.pos)} (with_${plugin}): ${message}`);
  };
  if (provider === undefined) return { ok: false, msg: `${where(task.pos)}: with_${plugin} cannot run here (no lookups)` };
  try {
    return { ok: true, items: provider.run(plugin, Array.isArray(terms) ? terms : [terms], {}, fail) };
  } catch (err) {
    if (err instanceof ExprError) return { ok: false, msg: err.message.startsWith(where(task.pos)) ? err.message : `${where(task.pos)} (with_${plugin}): ${err.message}` };
    throw err;
  }
}

/** The variables one item adds on top of the task's (`ansible_loop` only with loop_control.extended, as Ansible). */
export function loopVars(task: Task, items: readonly unknown[], index: number): Record<string, unknown> {
  const item = items[index];
  const vars: Record<string, unknown> = { index, ansible_loop_var: task.loopVar };
  if (task.loopExtended) {
    vars['ansible_loop'] = {
      allitems: items,
      index: index + 1,
      index0: index,
      revindex: items.length - index,
      revindex0: items.length - index - 1,
      first: index === 0,
      last: index === items.length - 1,
      length: items.length,
      ...(index > 0 ? { previtem: items[index - 1] } : {}),
      ...(index < items.length - 1 ? { nextitem: items[index + 1] } : {}),
    };
  }
  if (task.indexVar) vars[task.indexVar] = index;
  vars[task.loopVar] = item;
  return vars;
}

/** `loop_control.label` rendered, else the item itself (strings as they are, the rest as JSON). */
export function itemLabel(task: Task, item: unknown, scope: Scope, cache?: JinjaCache): string {
  if (task.loopLabel !== undefined) {
    try {
      return String(renderString(task.loopLabel, scope, { name: `${where(task.pos)} (loop label)`, ...(cache ? { cache } : {}) }));
    } catch {
      return task.loopLabel; // a label is for display: its failure must not fail the task
    }
  }
  return typeof item === 'string' ? item : (JSON.stringify(item) ?? String(item));
}
