// `group` (ansible.builtin.group) on Linux: groupadd / groupmod / groupdel as group.py
// runs them. One probe reads the group's line; the plan is pure; the result is read back.
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { argumentSpec, boolish } from '../args.js';
import { pythonInt } from '../engine/pause.js';
import type { ModuleContext } from '../module.js';
import { runOptions } from '../remote.js';
import { defineModule, type Plan, type ResultData } from '../runner.js';
import { accountName, refuseArgs } from './user/user-args.js';

export const GroupArgs = argumentSpec(
  {
    name: accountName,
    gid: pythonInt.optional(),
    state: z.enum(['present', 'absent']).default('present'),
    system: boolish.default(false),
    non_unique: boolish.default(false),
    // ansible-core ≥ 2.15: delete a group that is still some user's primary group (groupdel -f).
    force: boolish.default(false),
    local: boolish.optional(),
  },
  { required: ['name'], requiredIf: [['non_unique', true, ['gid']]] },
).superRefine(refuseArgs([]));
export type GroupArgs = z.infer<typeof GroupArgs>;

export interface GroupState {
  /** The group's gid; null when there is no such group. */
  gid: number | null;
}

export type GroupChange = { kind: 'groupadd' | 'groupmod' | 'groupdel'; argv: string[]; name: string } | { kind: 'readback'; name: string };

/** What group.py registers for the group as it is (state present: system and gid). */
function groupData(a: GroupArgs, gid: number | null): ResultData {
  return { name: a.name, state: a.state, ...(gid !== null ? { system: a.system, gid } : {}) };
}

export function planGroup(a: GroupArgs, s: GroupState): Plan<GroupChange> {
  const changes: GroupChange[] = [];
  const g = (argv: string[]): string[] => [...argv, a.name];
  const unique = a.non_unique ? ['-o'] : [];
  if (a.state === 'absent') {
    if (s.gid !== null) changes.push({ kind: 'groupdel', argv: g(['groupdel', ...(a.force ? ['-f'] : [])]), name: a.name });
  } else if (s.gid === null) {
    changes.push({ kind: 'groupadd', argv: g(['groupadd', ...(a.gid !== undefined ? ['-g', String(a.gid), ...unique] : []), ...(a.system ? ['-r'] : [])]), name: a.name });
  } else if (a.gid !== undefined && a.gid !== s.gid) {
    changes.push({ kind: 'groupmod', argv: g(['groupmod', '-g', String(a.gid), ...unique]), name: a.name });
  }
  if (changes.length === 0) return { changes, data: groupData(a, s.gid), okMsg: `group ${a.name} ${a.state === 'absent' ? 'absent' : 'up to date'}` };
  // A group to create or delete: check mode registers only `changed`, as group.py exits early.
  const early = changes[0]?.kind !== 'groupmod';
  return { changes: [...changes, { kind: 'readback', name: a.name }], data: early ? {} : groupData(a, s.gid) };
}

async function readGroup(host: Host, name: string, ctx: ModuleContext): Promise<GroupState> {
  // getent: 0 found, 2 not found; anything else is an error.
  const r = await host.run(['getent', 'group', name], runOptions(ctx));
  if (r.rc === 2) return { gid: null };
  const gid = Number(r.stdout.split('\n')[0]?.split(':')[2]);
  if (r.rc !== 0 || !Number.isInteger(gid)) throw new TaskError(ctx.hostName, `reading group ${name} failed: ${r.stderr.trim() || r.stdout.trim()}`, { rc: r.rc, stderr: r.stderr });
  return { gid };
}

const DESCRIBE: Record<GroupChange['kind'], string> = { groupadd: 'create group', groupmod: 'change the gid of group', groupdel: 'remove group', readback: 'read group' };

export const groupModule = defineModule({
  names: ['group'],
  args: GroupArgs,
  gather: (host, a, ctx) => readGroup(host, a.name, ctx),
  plan: planGroup,
  describe: (c: GroupChange) => `${DESCRIBE[c.kind]} ${c.name}`,
  counts: (c: GroupChange) => c.kind !== 'readback',
  async apply(host, a, c, ctx) {
    if (c.kind === 'readback') return { noop: true, data: groupData(a, (await readGroup(host, a.name, ctx)).gid) };
    const r = await host.run(c.argv, runOptions(ctx));
    // group.py fails with the command's stderr as the message.
    if (r.rc !== 0) throw new TaskError(ctx.hostName, r.stderr.trim() || `${c.argv[0] ?? c.kind} failed (rc=${r.rc ?? 'none'})`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
    return { ...(r.stdout ? { stdout: r.stdout } : {}), ...(r.stderr ? { stderr: r.stderr } : {}) };
  },
});
