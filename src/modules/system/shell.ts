// `shell` (SPEC 6): the command string runs through `sh -c` (or `executable -c`), so
// pipes, redirections and expansions work, exactly as written by the task's author.
import { z } from 'zod';
import { describeCommand, gatherCommand, planCommand, runCommand, sharedCommandArgs, sharedCommandSpec, type CommandSpec } from './command-run.js';
import { defineModule } from '../runner.js';

export const ShellArgs = z
  .object({
    cmd: z.string().min(1),
    ...sharedCommandArgs,
    executable: z.string().min(1).optional(),
  })
  .strict();
export type ShellArgs = z.infer<typeof ShellArgs>;

export const shellModule = defineModule({
  names: ['shell'],
  args: ShellArgs,
  freeForm: 'cmd',
  gather: (host, a, ctx) => gatherCommand(host, sharedCommandSpec(a), ctx),
  plan: (a, state) => planCommand({ argv: [a.executable ?? '/bin/sh', '-c', a.cmd], display: a.cmd, ...sharedCommandSpec(a) }, state),
  describe: (spec: CommandSpec) => describeCommand(spec),
  apply: (host, _a, spec, ctx) => runCommand(host, ctx, spec),
});
