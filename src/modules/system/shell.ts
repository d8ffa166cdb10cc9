// `shell` (SPEC 6): the command string runs through `sh -c` (or `executable -c`), so
// pipes, redirections and expansions work, exactly as written by the task's author.
import { z } from 'zod';
import type { Host } from '../../transport/host.js';
import { runCommandTask, sharedCommandArgs, sharedCommandSpec } from './command-run.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../module.js';

const ShellArgs = z
  .object({
    cmd: z.string().min(1),
    ...sharedCommandArgs,
    executable: z.string().min(1).optional(),
  })
  .strict();
export type ShellArgs = z.infer<typeof ShellArgs>;

export const shellModule: LegacyModule<ShellArgs> = {
  name: 'shell',
  args: ShellArgs,
  freeForm: 'cmd',
  async run(host: Host, a: ShellArgs, ctx: ModuleContext): Promise<ModuleResult> {
    return runCommandTask(host, ctx, {
      argv: [a.executable ?? '/bin/sh', '-c', a.cmd],
      display: a.cmd,
      ...sharedCommandSpec(a),
    });
  },
};
