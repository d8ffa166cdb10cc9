// `group_by` (ansible.builtin.group_by): the host joins the group `key` names (its
// arguments arrive rendered with this host's variables: `key: os_{{ ansible_distribution }}`),
// under `parents` (default `all`). As Ansible's action plugin (plugins/action/group_by.py)
// the module returns `add_group` and `parent_groups`, spaces turned into dashes; the
// engine changes the inventory and decides `changed` (exec/inventory-changes.ts).
// Decided on the control machine; the same in check mode.
import { z } from 'zod';
import { argumentSpec } from '../args.js';
import { defineModule } from '../runner.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

const GroupName = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).replace(/ /g, '-'))
  .refine((v) => v !== '', { message: 'Invalid empty/false group name provided' });

export const GroupByArgs = argumentSpec({
  key: GroupName,
  parents: z.union([GroupName, z.array(GroupName)]).optional(),
}, { required: ['key'] }).transform((a) => ({
  key: a.key,
  parents: a.parents === undefined ? ['all'] : typeof a.parents === 'string' ? [a.parents] : [...new Set(a.parents)],
}));
export type GroupByArgs = z.output<typeof GroupByArgs>;

export const groupByModule = defineModule({
  names: ['group_by'],
  args: GroupByArgs,
  gather: async () => undefined,
  plan: (a) => ({
    changes: [] as NoChange[],
    okMsg: `group ${a.key}`,
    data: { add_group: a.key, parent_groups: a.parents },
  }),
  ...NEVER_APPLIED,
});
