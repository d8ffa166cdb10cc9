// zod schemas for the keywords of plays and tasks (not the module key: a task's
// module is found and checked in task.ts and module-args.ts). Messages are written
// for a YAML author; `keywordProblems` turns zod's issues into problems placed on
// the YAML node each issue's path leads to.
import { z } from 'zod';
import type { PNode } from '../data/yaml-load.js';
import { badSubsetMessage, gatherSubsetList, unknownSubset } from '../modules/system/facts/gather-subset.js';
import type { Problem } from './problems.js';
import { formatPath, nodeAt, positionAt, type PathKey } from './position.js';
import { didYouMean } from './suggest.js';

const Bool = z.boolean({ error: 'must be true or false' });
/** The play's `gather_subset`: Ansible's subset names (a list, or a string of them separated by commas). */
const GatherSubset = z.union([z.string(), z.array(z.string())], { error: 'must be a subset name or a list of them' })
  .superRefine((v, ctx) => {
    gatherSubsetList(v).forEach((name, i) => {
      if (unknownSubset([name]) === undefined) return;
      ctx.addIssue({ code: 'custom', message: `names an unknown subset: ${badSubsetMessage(name)}`, path: typeof v === 'string' ? [] : [i] });
    });
  });
/** A boolean keyword Ansible also takes as a template (`become: "{{ need_root }}"`). */
const BoolOrTemplate = z.union([
  z.boolean({ error: 'must be true or false' }),
  z.string().regex(/\{\{|\{%/, { error: 'must be true or false (or a template)' }),
], { error: 'must be true or false' });
const Text = z.union([z.string(), z.number()], { error: 'must be a string' });
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const Identifier = z.string({ error: 'must be a variable name' })
  .regex(IDENTIFIER, { error: 'must be a variable name (letters, digits and _, not starting with a digit)' });
const Condition = z.union([z.string(), z.boolean(), z.number()], { error: 'must be an expression' });
const Conditions = z.union([Condition, z.array(Condition)], { error: 'must be an expression or a list of expressions' });
const Names = z.union([z.string(), z.array(z.string())], { error: 'must be a name or a list of names' });
const Tags = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))], {
  error: 'must be a tag or a list of tags',
});
const VarsMap = z.record(z.string(), z.unknown(), { error: 'must be a map of variables' }).nullable();
const LoopValue = z.union([z.string(), z.array(z.unknown())], {
  error: 'must be a list, or a template that gives one ("{{ vms }}")',
});
const Percent = z.string().regex(/^\d+(\.\d+)?%$/);
const SerialStep = z.union([z.int().min(0), Percent, z.string().regex(/^\d+$/)]);

const LOOP_CONTROL_KEYS = ['loop_var', 'index_var', 'label', 'extended', 'pause'] as const;
const BecomeMethod = z.enum(['sudo', 'su'], { error: 'must be sudo or su (the become methods kvmplay has)' });
/** `environment`: a map of variables, a list of maps (merged in order), or a template giving one. */
const Environment = z.union([
  z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown())), z.string(),
], { error: 'must be a map of environment variables (or a list of maps, or a template)' }).nullable();
/** Ansible's connection plugins kvmplay has: its SSH connection (ssh, smart, paramiko) and the control machine (local). */
export const CONNECTIONS = ['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'local'] as const;
const Connection = z.enum(CONNECTIONS, { error: `must be one of ${CONNECTIONS.join(', ')} (the connections kvmplay has)` });

// Every task is parsed once, in a short-lived process: zod's generated parser (z.compile)
// runs valid input about 3x faster than the generic one before the JIT warms up. Input it
// rejects goes to the ordinary parser, so issues and messages are unchanged.
export const TaskKeywords = z.compile(z.object({
  name: Text.optional(),
  when: Conditions.optional(),
  loop: LoopValue.optional(),
  loop_control: z.object({
    loop_var: Identifier.optional(),
    index_var: Identifier.optional(),
    label: z.string({ error: 'must be a string (a template)' }).optional(),
    extended: Bool.optional(),
    pause: z.number({ error: 'must be a number of seconds' }).min(0, { error: 'must be 0 or more' }).optional(),
  } satisfies Record<(typeof LOOP_CONTROL_KEYS)[number], z.ZodType>, {
    error: `must be a map (${LOOP_CONTROL_KEYS.join(', ')})`,
  }).strict().optional(),
  register: Identifier.optional(),
  notify: Names.optional(),
  listen: Names.optional(),
  tags: Tags.optional(),
  ignore_errors: BoolOrTemplate.optional(),
  changed_when: Conditions.optional(),
  failed_when: Conditions.optional(),
  until: Condition.optional(),
  timeout: z.number({ error: 'must be a number of seconds' }).positive({ error: 'must be more than 0 seconds' }).optional(),
  async: z.int({ error: 'must be a whole number of seconds' }).min(0, { error: 'must be 0 or more' }).optional(),
  poll: z.int({ error: 'must be a whole number of seconds' }).min(0, { error: 'must be 0 or more' }).optional(),
  retries: z.int({ error: 'must be a whole number' }).min(0, { error: 'must be 0 or more' }).optional(),
  delay: z.number({ error: 'must be a number of seconds' }).min(0, { error: 'must be 0 or more' }).optional(),
  become: BoolOrTemplate.optional(),
  become_user: z.string({ error: 'must be a user name' }).optional(),
  become_method: BecomeMethod.optional(),
  no_log: BoolOrTemplate.optional(),
  check_mode: Bool.optional(),
  delegate_to: z.string({ error: 'must be a host name (a template)' }).optional(),
  delegate_facts: Bool.optional(),
  run_once: Bool.optional(),
  environment: Environment.optional(),
  throttle: z.int({ error: 'must be a whole number' }).min(0, { error: 'must be 0 or more' }).optional(),
  any_errors_fatal: Bool.optional(),
  connection: Connection.optional(),
  diff: Bool.optional(),
  args: z.record(z.string(), z.unknown(), { error: 'must be a map of module arguments' }).nullable().optional(),
  vars: VarsMap.optional(),
}).strict());
export type TaskKeywords = z.infer<typeof TaskKeywords>;

export const PlayKeywords = z.object({
  name: Text.optional(),
  hosts: z.union([z.string().min(1), z.array(z.union([z.string(), z.number()])).min(1)], {
    error: 'must be a host pattern or a list of them',
  }),
  vars: VarsMap.optional(),
  vars_files: z.union([z.string(), z.array(z.string())], {
    error: 'must be a file path or a list of file paths (lists of alternatives are not supported)',
  }).nullable().optional(),
  become: Bool.optional(),
  become_user: z.string({ error: 'must be a user name' }).optional(),
  become_method: BecomeMethod.optional(),
  environment: Environment.optional(),
  connection: Connection.optional(),
  vars_prompt: z.array(z.object({
    name: Identifier,
    prompt: z.string().optional(),
    default: z.unknown().optional(),
    private: Bool.optional(),
    confirm: Bool.optional(),
    encrypt: z.string().optional(),
    salt_size: z.int().optional(),
    unsafe: Bool.optional(),
  }, { error: 'must be a map (name, prompt, default, private, …)' }).strict(), { error: 'must be a list of prompts' }).optional(),
  serial: z.union([SerialStep, z.array(SerialStep).min(1)], { error: 'must be a number or a percentage' }).optional(),
  max_fail_percentage: z.union([z.number().min(0).max(100), Percent], {
    error: 'must be a percentage between 0 and 100',
  }).optional(),
  any_errors_fatal: Bool.optional(),
  gather_facts: Bool.optional(),
  gather_subset: GatherSubset.optional(),
  gather_timeout: z.int({ error: 'must be a whole number of seconds' }).min(0, { error: 'must be 0 or more' }).optional(),
  tasks: z.array(z.unknown(), { error: 'must be a list of tasks' }).nullable().optional(),
  handlers: z.array(z.unknown(), { error: 'must be a list of handlers' }).nullable().optional(),
  pre_tasks: z.array(z.unknown(), { error: 'must be a list of tasks' }).nullable().optional(),
  post_tasks: z.array(z.unknown(), { error: 'must be a list of tasks' }).nullable().optional(),
  roles: z.array(z.unknown(), { error: 'must be a list of roles (names or maps with "role")' }).nullable().optional(),
  tags: Tags.optional(),
}).strict();
export type PlayKeywords = z.infer<typeof PlayKeywords>;

/** Parse `value` (the keyword part of `node`), or return problems positioned in `node`. */
export function parseKeywords<T>(schema: z.ZodType<T>, value: Record<string, unknown>, node: PNode):
  { ok: true; data: T } | { ok: false; problems: Problem[] } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, data: r.data };
  return { ok: false, problems: r.error.issues.flatMap((i) => issueProblems(i, node)) };
}

function issueProblems(issue: z.core.$ZodIssue, node: PNode): Problem[] {
  const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
  const label = formatPath(path);
  if (issue.code === 'unrecognized_keys') {
    const valid = validKeys(path);
    return issue.keys.map((k) => ({
      pos: positionAt(node, [...path, k], true),
      detail: `unknown key "${k}" in ${label}${didYouMean(k, valid)}`,
    }));
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && nodeAt(node, path) === undefined) {
    return [{ pos: positionAt(node, path), detail: `"${label}" is required` }];
  }
  return [{ pos: positionAt(node, path), detail: `"${label}" ${issue.message}` }];
}

// The keys of the one nested strict object (loop_control), for suggestions.
function validKeys(path: readonly PathKey[]): string[] {
  return path.length === 1 && path[0] === 'loop_control' ? [...LOOP_CONTROL_KEYS] : [];
}
