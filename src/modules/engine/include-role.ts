// `include_role` (ansible.builtin.include_role): the dynamic role include. As a task it
// only names the role for this host (and loop item), after its `when` and with its
// arguments rendered; the engine then builds the role (validated, with its files'
// positions) and runs its tasks on the host. The other arguments (tasks_from, apply, …)
// are read by the playbook loader. Decided on the control machine; the same in check mode.
import { z } from 'zod';
import { argumentSpec, boolish } from '../args.js';
import { defineModule } from '../runner.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

const fileName = z.string().min(1, { error: 'must name a file of the role' });

export const IncludeRoleArgs = argumentSpec({
  name: z.string().min(1, { error: 'must name a role' }),
  tasks_from: fileName.optional(),
  vars_from: fileName.optional(),
  defaults_from: fileName.optional(),
  handlers_from: fileName.optional(),
  public: boolish.optional(),
  allow_duplicates: boolish.optional(),
  apply: z.record(z.string(), z.unknown(), { error: 'must be a map of task keywords' }).optional(),
}, { required: ['name'] });
export type IncludeRoleArgs = z.output<typeof IncludeRoleArgs>;

export const includeRoleModule = defineModule({
  names: ['include_role'],
  args: IncludeRoleArgs,
  gather: async () => undefined,
  plan: (a) => ({
    changes: [] as NoChange[],
    okMsg: '',
    data: { include: a.name, include_role: true },
  }),
  ...NEVER_APPLIED,
});
