// `command` (SPEC 6): run a program with arguments, never through a shell. The
// free-form string is split into words like Python's shlex.split (quotes, backslashes),
// with no expansion of any kind: `$HOME`, `*`, `;` and `>` are plain characters.
import { z } from 'zod';
import type { Host } from '../../transport/host.js';
import { shlexSplit, ShlexError } from '../../util/shlex.js';
import { runCommandTask, sharedCommandArgs, sharedCommandSpec } from './command-run.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../module.js';

const CommandArgs = z
  .object({
    cmd: z.string().optional(),
    argv: z.array(z.union([z.string(), z.number()]).transform(String)).min(1).optional(),
    ...sharedCommandArgs,
  })
  .strict()
  .refine((a) => (a.cmd === undefined) !== (a.argv === undefined), { message: 'exactly one of cmd (the free-form command) or argv is required' });
export type CommandArgs = z.infer<typeof CommandArgs>;

export const commandModule: LegacyModule<CommandArgs> = {
  name: 'command',
  args: CommandArgs,
  freeForm: 'cmd',
  async run(host: Host, a: CommandArgs, ctx: ModuleContext): Promise<ModuleResult> {
    let argv: string[];
    try {
      argv = a.argv ?? shlexSplit(a.cmd ?? '', { comments: false });
    } catch (err) {
      if (err instanceof ShlexError) return { changed: false, failed: true, msg: `cannot split the command: ${err.message}`, data: { cmd: a.cmd } };
      throw err;
    }
    if (argv.length === 0) return { changed: false, failed: true, msg: 'no command given', data: { cmd: a.cmd } };
    return runCommandTask(host, ctx, {
      argv,
      display: argv,
      ...sharedCommandSpec(a),
    });
  },
};
