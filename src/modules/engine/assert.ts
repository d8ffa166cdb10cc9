// `assert` (ansible.builtin.assert): stop a host when a condition does not hold.
// Each of `that` is a bare Jinja expression (as `when`), evaluated on the control
// machine against the task's variables, in order, stopping at the first false one.
// Conditions are compiled when the arguments are checked, so `kvmplay validate`
// reports one that does not parse. Never changed; check mode gives the real verdict.
import { z } from 'zod';
import { compileExpr, ExprError, truthy } from '../../jinja/index.js';
import { argumentSpec, boolish } from '../args.js';
import { defineModule } from '../runner.js';
import { messageOf } from './message.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

export const ASSERTION_FAILED = 'Assertion failed';
export const ALL_PASSED = 'All assertions passed';

// A condition is text; a template rendered to a boolean (`that: "{{ ok }}"`) is one too.
type Condition = string | boolean;
const condition = z.union([z.string(), z.boolean()]);

const thatArg = z.union([condition, z.array(condition)]).superRefine((that, ctx) => {
  const list = Array.isArray(that) ? that : [that];
  list.forEach((c, i) => {
    const problem = compileProblem(c);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: Array.isArray(that) ? [i] : [] });
  });
});

// A template (`{{ … }}`) is checked once rendered, at run time.
function compileProblem(c: Condition): string | undefined {
  if (typeof c !== 'string' || c.includes('{{')) return undefined;
  try {
    compileExpr(c);
    return undefined;
  } catch (err) {
    return `condition "${c}" does not compile: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const messageArg = z.union([z.string(), z.array(z.string())]);

export const AssertArgs = argumentSpec(
  {
    that: thatArg.optional(),
    fail_msg: messageArg.optional(),
    success_msg: messageArg.optional(),
    quiet: boolish.optional(),
  },
  { aliases: { fail_msg: ['msg'] }, required: ['that'] },
);
export type AssertArgs = z.output<typeof AssertArgs>;

/** The first condition that does not hold, or null when all do. */
export function firstFalse(that: Condition | Condition[], vars: Record<string, unknown>): Condition | null {
  for (const c of Array.isArray(that) ? that : [that]) if (!holds(c, vars)) return c;
  return null;
}

function holds(c: Condition, vars: Record<string, unknown>): boolean {
  if (typeof c === 'boolean') return c;
  try {
    return truthy(compileExpr(c).evaluate(vars));
  } catch (err) {
    if (err instanceof ExprError) throw new Error(`The conditional check '${c}' failed. The error was: ${err.message}`);
    throw err;
  }
}

export const assertModule = defineModule({
  names: ['assert'],
  args: AssertArgs,
  gather: async (_host, a, ctx) => firstFalse(a.that, ctx.vars),
  plan(a, failed: Condition | null) {
    if (failed === null) {
      const ok = messageOf(a.success_msg ?? ALL_PASSED);
      return { changes: [] as NoChange[], okMsg: ok.text, data: ok.data };
    }
    const fail = messageOf(a.fail_msg ?? ASSERTION_FAILED);
    return { fail: fail.text, data: { assertion: failed, evaluated_to: false, ...fail.data } };
  },
  ...NEVER_APPLIED,
});
