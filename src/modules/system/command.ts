// `command` (SPEC 6): run a program with arguments, never through a shell. The
// free-form string is split into words like Python's shlex.split (quotes, backslashes),
// with no expansion of any kind: `$HOME`, `*`, `;` and `>` are plain characters.
import { z } from 'zod';
import { shlexSplit, ShlexError } from '../../util/shlex.js';
import { describeCommand, gatherCommand, planCommand, runCommand, sharedCommandArgs, sharedCommandSpec, type CommandSpec } from './command-run.js';
import { defineModule } from '../runner.js';

export const CommandArgs = z
  .object({
    cmd: z.string().optional(),
    argv: z.array(z.union([z.string(), z.number()]).transform(String)).min(1).optional(),
    ...sharedCommandArgs,
  })
  .strict()
  .refine((a) => (a.cmd === undefined) !== (a.argv === undefined), { message: 'exactly one of cmd (the free-form command) or argv is required' });
export type CommandArgs = z.infer<typeof CommandArgs>;

export const commandModule = defineModule({
  names: ['command'],
  args: CommandArgs,
  freeForm: 'cmd',
  gather: (host, a, ctx) => gatherCommand(host, sharedCommandSpec(a), ctx),
  plan(a, state) {
    let argv: string[];
    try {
      argv = a.argv ?? shlexSplit(a.cmd ?? '', { comments: false });
    } catch (err) {
      if (err instanceof ShlexError) return { fail: `cannot split the command: ${err.message}`, data: { cmd: a.cmd } };
      throw err;
    }
    if (argv.length === 0) return { fail: 'no command given', data: { cmd: a.cmd } };
    return planCommand({ argv, display: argv, ...sharedCommandSpec(a) }, state);
  },
  describe: (spec: CommandSpec) => describeCommand(spec),
  apply: (host, _a, spec, ctx) => runCommand(host, ctx, spec),
});
