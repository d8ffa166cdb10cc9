// `fail` (ansible.builtin.fail): end the host's run with a message, e.g. under a
// `when`. Decided on the control machine without contacting the host; it fails in
// check mode too, as in Ansible.
import { z } from 'zod';
import { argumentSpec } from '../args.js';
import { defineModule } from '../runner.js';
import { messageOf } from './message.js';
import { NEVER_APPLIED } from './no-change.js';

export const FAILED_AS_REQUESTED = 'Failed as requested from task';

export const FailArgs = argumentSpec({ msg: z.unknown().optional() });
export type FailArgs = z.output<typeof FailArgs>;

export const failModule = defineModule({
  names: ['fail'],
  args: FailArgs,
  gather: async () => undefined,
  plan(a) {
    const m = messageOf(a.msg === undefined ? FAILED_AS_REQUESTED : a.msg);
    return { fail: m.text, data: m.data };
  },
  ...NEVER_APPLIED,
});
