// `set_fact` (ansible.builtin.set_fact): new variables for the host, from a map or
// `key=value` pairs (`set_fact: a=1 b=2`, split by the playbook loader). The values
// arrive already rendered; the module only checks the names and returns them as
// `ansible_facts`, which the engine merges into the host's variables for later tasks.
// Decided on the control machine; never changed; the same in check mode.
import { z } from 'zod';
import { boolish } from '../args.js';
import { defineModule } from '../runner.js';
import { invalidVariableName, isVariableName } from './variable-name.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

export const NO_PAIRS = 'No key/value pairs provided, at least one is required for this action to succeed';

export interface SetFactArgs {
  /** Accepted as in Ansible; kvmplay keeps no fact cache, so it has no effect. */
  cacheable: boolean;
  facts: Record<string, unknown>;
}

// Any key is a variable to set, except `cacheable`; so the schema is a record, and
// names are checked here rather than as "unknown arguments".
export const SetFactArgs: z.ZodType<SetFactArgs> = z
  .record(z.string(), z.unknown())
  .superRefine((a, ctx) => {
    const names = Object.keys(a).filter((k) => k !== 'cacheable');
    if (names.length === 0) ctx.addIssue({ code: 'custom', message: NO_PAIRS });
    for (const k of names) if (!isVariableName(k)) ctx.addIssue({ code: 'custom', path: [k], message: invalidVariableName(k) });
    if ('cacheable' in a && !boolish.safeParse(a['cacheable']).success) {
      ctx.addIssue({ code: 'custom', path: ['cacheable'], message: 'must be a boolean (true/false, yes/no)' });
    }
  })
  .transform((a) => {
    const { cacheable, ...pairs } = a;
    return {
      cacheable: cacheable === undefined ? false : boolish.parse(cacheable),
      facts: Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, boolWord(v)])),
    };
  });

// Ansible (jinja2_native off, its default) turns the words true/false/yes/no into
// booleans, for `set_fact: enabled=yes` above all.
function boolWord(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const word = v.toLowerCase();
  if (word === 'true' || word === 'yes') return true;
  if (word === 'false' || word === 'no') return false;
  return v;
}

export const setFactModule = defineModule({
  names: ['set_fact'],
  args: SetFactArgs,
  gather: async () => undefined,
  plan: (a) => ({
    changes: [] as NoChange[],
    // Names only: a value may be a secret computed at run time.
    okMsg: `set ${Object.keys(a.facts).join(', ')}`,
    data: { ansible_facts: a.facts },
  }),
  ...NEVER_APPLIED,
});
