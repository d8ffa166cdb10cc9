// `debug` (ansible.builtin.debug): show a message or a variable while a play runs. It
// runs on the control machine — the host is never contacted — is never changed, and
// gives its real result in check mode. `var` is read as Ansible reads it: a variable
// name or a bare Jinja expression, evaluated against the task's variables, registered
// under its own text (`{"item.name": "web"}`); an undefined one is "VARIABLE IS NOT
// DEFINED!". With `verbosity: N` the task is skipped unless the run has N or more `-v`.
import { z } from 'zod';
import { compileExpr, ExprError } from '../../jinja/index.js';
import { argumentSpec } from '../args.js';
import type { ModuleResult, RunModuleContext } from '../module.js';
import { defineModule, type Module } from '../runner.js';
import { messageOf, messageText } from './message.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

export const HELLO = 'Hello world!';
export const NOT_DEFINED = 'VARIABLE IS NOT DEFINED!';
export const VERBOSITY_NOT_MET = 'Verbosity threshold not met.';

// Ansible does int(verbosity): `debug: msg=x verbosity=2` gives the text "2".
const wholeNumber = z
  .union([z.number().int(), z.string().regex(/^\s*[+-]?\d+\s*$/, { message: 'must be a whole number' })])
  .transform(Number);

// A `var` that is text must be an expression; a template (`{{ … }}`) is checked after
// rendering, and a list or map is legal (Ansible shows it as not defined).
const varArg = z.unknown().superRefine((v, ctx) => {
  if (typeof v !== 'string' || v.includes('{{')) return;
  try {
    compileExpr(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a variable name or expression: ${err instanceof Error ? err.message : String(err)}` });
  }
});

export const DebugArgs = argumentSpec(
  {
    msg: z.unknown().optional(),
    var: varArg.optional(),
    verbosity: wholeNumber.optional(),
  },
  { mutuallyExclusive: [['msg', 'var']] },
);
export type DebugArgs = z.output<typeof DebugArgs>;

/** What the task shows: the result's message and registered data. */
export interface Shown {
  text: string;
  data: Record<string, unknown>;
}

/** `msg`, `var` or the greeting, as the task's result. */
export function debugOutput(a: DebugArgs, vars: Record<string, unknown>, verbosity: number): Shown {
  if (a.var !== undefined) {
    const { key, value } = readVar(a.var, vars, verbosity);
    return { text: `${key}: ${messageText(value)}`, data: Object.fromEntries([[key, value]]) };
  }
  return messageOf(a.msg === undefined ? HELLO : a.msg);
}

/** A `var`'s value under the key Ansible registers it with. */
export function readVar(v: unknown, vars: Record<string, unknown>, verbosity: number): { key: string; value: unknown } {
  // Ansible evaluates only text; anything else (a rendered list or map) is "not defined".
  if (typeof v !== 'string') return { key: pythonKey(v), value: NOT_DEFINED };
  try {
    return { key: v, value: compileExpr(v).evaluate(vars) };
  } catch (err) {
    if (err instanceof ExprError && isUndefinedError(err)) {
      return { key: v, value: verbosity > 0 ? `${NOT_DEFINED}: ${err.detail}` : NOT_DEFINED };
    }
    throw new Error(`cannot evaluate var "${v}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

// Undefined values surface with the reasons the evaluator gives them (jinja/lookup.ts):
// other evaluation errors (bad types, a failing filter) fail the task, as in Ansible.
function isUndefinedError(err: ExprError): boolean {
  return /^undefined variable '|^'[^]*' is undefined: /.test(err.detail);
}

// Python's str() of the key Ansible uses for a non-text var: the type for a list or map.
function pythonKey(v: unknown): string {
  if (Array.isArray(v)) return "<class 'list'>";
  if (v !== null && typeof v === 'object') return "<class 'dict'>";
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  return String(v);
}

const shownModule = defineModule({
  names: ['debug'],
  args: DebugArgs,
  gather: async (_host, a, ctx) => debugOutput(a, ctx.vars, ctx.verbosity ?? 0),
  plan: (_a, shown: Shown) => ({ changes: [] as NoChange[], okMsg: shown.text, data: shown.data }),
  ...NEVER_APPLIED,
});

const SKIPPED: ModuleResult = { changed: false, skipped: true, msg: VERBOSITY_NOT_MET, data: { skipped_reason: VERBOSITY_NOT_MET } };

/** Skipped below its `verbosity`, as Ansible's debug; otherwise the lifecycle above. */
export const debugModule: Module = {
  ...shownModule,
  run: (host, parsedArgs, ctx: RunModuleContext) => {
    const wanted = (parsedArgs as DebugArgs).verbosity ?? 0;
    return wanted <= (ctx.verbosity ?? 0) ? shownModule.run(host, parsedArgs, ctx) : Promise.resolve({ ...SKIPPED, data: { ...SKIPPED.data } });
  },
};
