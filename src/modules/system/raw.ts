// `raw` (ansible.builtin.raw): the string runs through the login shell as is (or
// `executable -c`), the way Ansible runs it before Python exists on a host. Always
// `changed` when it runs; skipped in check mode, as Ansible's (raw supports no check
// mode); a non-zero rc fails it. Result: rc, stdout, stderr and their *_lines.
import { z } from 'zod';
import { describeCommand, planCommand, runCommand, type CommandSpec } from './command-run.js';
import { defineModule } from '../runner.js';

export const RawArgs = z.object({
  cmd: z.string().min(1, { error: 'raw needs a command' }),
  executable: z.string().min(1).optional(),
}).strict();
export type RawArgs = z.infer<typeof RawArgs>;

export const rawModule = defineModule({
  names: ['raw'],
  args: RawArgs,
  freeForm: 'cmd',
  gather: async () => ({}),
  plan: (a, state) => planCommand({
    argv: [a.executable ?? '/bin/sh', '-c', a.cmd], display: a.cmd, stdinAddNewline: false, stripEmptyEnds: false,
  }, state),
  describe: (spec: CommandSpec) => describeCommand(spec),
  apply: (host, _a, spec, ctx) => runCommand(host, ctx, spec),
});
