// `include_tasks` (ansible.builtin.include_tasks): the dynamic include. As a task it
// only says which file to include for this host (and loop item), after its `when` and
// with its arguments rendered; the engine then loads that file (validated, with its
// own positions) and runs its tasks on the host (exec/task-runner.ts, host-play.ts).
// `apply` is read by the playbook loader (keywords for the included tasks); here it is
// only accepted. Decided on the control machine; the same in check mode.
import { z } from 'zod';
import { argumentSpec } from '../args.js';
import { defineModule } from '../runner.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

export const IncludeTasksArgs = argumentSpec({
  file: z.string().min(1, { error: 'must name a task file' }),
  apply: z.record(z.string(), z.unknown(), { error: 'must be a map of task keywords' }).optional(),
}, { required: ['file'] });
export type IncludeTasksArgs = z.output<typeof IncludeTasksArgs>;

export const includeTasksModule = defineModule({
  names: ['include_tasks'],
  args: IncludeTasksArgs,
  freeForm: 'file',
  gather: async () => undefined,
  plan: (a) => ({
    changes: [] as NoChange[],
    okMsg: `included: ${a.file}`,
    // Ansible's include result: the file and the include's arguments.
    data: { include: a.file, include_args: a.apply === undefined ? {} : { apply: a.apply } },
  }),
  ...NEVER_APPLIED,
});
