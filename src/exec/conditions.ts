// Conditions at run time: `when` before a task (or loop item), and after it ran
// `changed_when` / `failed_when` / `until`, which see the result both under the
// register name and as bare fields (`rc != 0` and `out.rc != 0` both work).
// An error in a condition (undefined variable, bad types) fails that host's task
// with the condition and the task's position in the message. Pure.
import type { SourcePosition } from '../errors.js';
import { ExprError, truthy, type CompiledExpr } from '../jinja/index.js';
import type { Task } from '../playbook/index.js';
import { failedResult, type Registered } from './result.js';
import { layeredVars, type Scope, type VarLayer } from './scope.js';

export type Verdict = { ok: true; holds: boolean; falseCondition?: string } | { ok: false; msg: string };

export function where(pos: SourcePosition): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

/** All must hold (Ansible's list form); stops at the first false one. */
export function judge(exprs: readonly CompiledExpr[], scope: Scope, what: string, pos: SourcePosition): Verdict {
  for (const e of exprs) {
    let value: unknown;
    try {
      value = e.evaluate(scope);
    } catch (err) {
      if (err instanceof ExprError) {
        return { ok: false, msg: `${where(pos)}: ${what} "${e.source}" cannot be evaluated: ${err.message}` };
      }
      throw err;
    }
    if (!truthy(value)) return { ok: true, holds: false, falseCondition: e.source };
  }
  return { ok: true, holds: true };
}

/** The scope after a run: the result's fields, then the result under its register name. */
export function resultScope(layers: readonly VarLayer[], r: Registered, register: string | undefined): Scope {
  return layeredVars([
    ...layers,
    { source: 'result', vars: r, templated: false },
    { source: 'register', vars: register ? { [register]: r } : {}, templated: false },
  ]);
}

/** changed_when, then failed_when (which sees the changed_when verdict), as Ansible orders them. */
export function applyResultConditions(task: Task, r: Registered, layers: readonly VarLayer[]): Registered {
  let out = r;
  if (task.changedWhen) {
    const v = judge(task.changedWhen, resultScope(layers, out, task.register), 'changed_when', task.pos);
    if (!v.ok) return failedResult(v.msg, withoutStatus(out));
    out = { ...out, changed: v.holds };
  }
  if (task.failedWhen) {
    const v = judge(task.failedWhen, resultScope(layers, out, task.register), 'failed_when', task.pos);
    if (!v.ok) return failedResult(v.msg, withoutStatus(out));
    out = { ...out, failed: v.holds, failed_when_result: v.holds };
    // A failure failed_when explains away keeps the module's message; one it declares gets a reason.
    if (v.holds && out.msg === '') out.msg = `failed_when held: ${task.failedWhen.map((e) => e.source).join(' and ')}`;
  }
  return out;
}

function withoutStatus(r: Registered): Record<string, unknown> {
  const { changed: _c, failed: _f, skipped: _s, msg: _m, ...rest } = r;
  return rest;
}
