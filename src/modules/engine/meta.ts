// `meta` (ansible.builtin.meta): an instruction to the engine, not to the host. The
// host's task loop (exec/host-play.ts) carries out flush_handlers, noop, end_host,
// end_play, clear_host_errors and reset_connection before this module would run; the module only
// checks the action at validation and is what a run would reach for anything else.
import { z } from 'zod';
import { argumentSpec } from '../args.js';
import { defineModule } from '../runner.js';
import { NEVER_APPLIED } from './no-change.js';

/** The actions kvmplay carries out; Ansible's others are refused by name. */
export const META_ACTIONS = ['flush_handlers', 'noop', 'end_host', 'end_play', 'end_batch', 'clear_host_errors', 'reset_connection'] as const;
export type MetaAction = (typeof META_ACTIONS)[number];

const NOT_SUPPORTED: Readonly<Record<string, string>> = {
  refresh_inventory: 'kvmplay reads the inventory once, before the run',
  clear_facts: 'kvmplay keeps no fact cache between runs',
  end_role: 'roles are run as lists of tasks',
};

export const MetaArgs = argumentSpec({
  action: z.string().refine((a) => (META_ACTIONS as readonly string[]).includes(a), {
    error: (issue) => {
      const a = String(issue.input);
      const why = NOT_SUPPORTED[a];
      return why !== undefined ? `meta: ${a} is not supported: ${why}` : `meta: unknown action "${a}" (kvmplay has ${META_ACTIONS.join(', ')})`;
    },
  }),
}, { required: ['action'] });
export type MetaArgs = z.output<typeof MetaArgs>;

export const metaModule = defineModule({
  names: ['meta'],
  args: MetaArgs,
  freeForm: 'action',
  gather: async () => undefined,
  plan: (a) => ({ changes: [], okMsg: `meta: ${a.action}` }),
  ...NEVER_APPLIED,
});
