// `shell` (SPEC 6): the command string runs through `sh -c` (or `executable -c`), so
// pipes, redirections and expansions work, exactly as written by the task's author.
import { z } from 'zod';
import type { Host } from '../exec/host.js';
import { boolish } from './args.js';
import { runCommandTask } from './command-run.js';
import type { Module, ModuleContext, ModuleResult } from './module.js';

const ShellArgs = z
  .object({
    cmd: z.string().min(1),
    creates: z.string().min(1).optional(),
    removes: z.string().min(1).optional(),
    chdir: z.string().min(1).optional(),
    executable: z.string().min(1).optional(),
    stdin: z.string().optional(),
    stdin_add_newline: boolish.default(true),
    strip_empty_ends: boolish.default(true),
  })
  .strict();
export type ShellArgs = z.infer<typeof ShellArgs>;

export const shellModule: Module<ShellArgs> = {
  name: 'shell',
  args: ShellArgs,
  freeForm: 'cmd',
  async run(host: Host, a: ShellArgs, ctx: ModuleContext): Promise<ModuleResult> {
    return runCommandTask(host, ctx, {
      argv: [a.executable ?? '/bin/sh', '-c', a.cmd],
      display: a.cmd,
      stdinAddNewline: a.stdin_add_newline,
      stripEmptyEnds: a.strip_empty_ends,
      ...(a.creates !== undefined ? { creates: a.creates } : {}),
      ...(a.removes !== undefined ? { removes: a.removes } : {}),
      ...(a.chdir !== undefined ? { chdir: a.chdir } : {}),
      ...(a.stdin !== undefined ? { stdin: a.stdin } : {}),
    });
  },
};
