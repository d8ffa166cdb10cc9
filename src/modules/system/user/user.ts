// `user` (ansible.builtin.user) on Linux: gather the account in one probe, plan the
// shadow tools' commands as user.py does (user-plan.ts), apply them, then read the
// account back for the result (the uid useradd chose, the moved home, the new key).
// The password hash is a secret: it reaches the host on stdin (`chpasswd -e`), never in
// an argv, a message, the result (`NOT_LOGGING_PASSWORD`, as Ansible) or an error.
import { TaskError } from '../../../errors.js';
import type { Host, RunResult } from '../../../transport/host.js';
import type { ModuleContext } from '../../module.js';
import { runOptions, script } from '../../remote.js';
import { defineModule, type StepResult } from '../../runner.js';
import { UserArgs } from './user-args.js';
import { describeUserChange, PlanError, planUser, presentData, type HomeBuild, type UserChange } from './user-plan.js';
import { parseUserProbe, userProbeArgv, type UserHostState } from './user-probe.js';

/** The key file user.py defaults to: `.ssh/id_<type>` in the home. */
export function sshKeyFile(a: UserArgs): string | undefined {
  return a.generate_ssh_key === true ? (a.ssh_key_file ?? `.ssh/id_${a.ssh_key_type}`) : undefined;
}

async function probeUser(host: Host, a: UserArgs, ctx: ModuleContext): Promise<UserHostState> {
  const r = await host.run(userProbeArgv(a.name, a.home, sshKeyFile(a)), runOptions(ctx));
  if (r.rc !== 0) throw new TaskError(ctx.hostName, `reading user ${a.name} failed: ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  return parseUserProbe(r.stdout);
}

// $1 name, $2 yes: set the hash read from stdin (chpasswd -e), $3 yes: build the home by
// hand first (user.py's create_homedir: a copy of the skeleton, its mode) and chown it to
// the account afterwards, $4 home, $5 skeleton, $6 mode; the rest: the command (may be empty).
export const ACCOUNT_SCRIPT = [
  'name=$1 setpw=$2 build=$3 home=$4 skel=$5 mode=$6; shift 6',
  'pw=; if [ "$setpw" = yes ]; then IFS= read -r pw || :; fi',
  'if [ "$build" = yes ] && [ ! -e "$home" ]; then',
  '  if [ -e "$skel" ]; then mkdir -p -- "$(dirname -- "$home")" && cp -RP --preserve=mode,timestamps -- "$skel" "$home" || exit 1',
  '  else mkdir -p -- "$home" || exit 1; fi',
  '  if [ -n "$mode" ]; then chmod -- "$mode" "$home" || exit 1; fi',
  '  echo "kvmplay:built"',
  'fi',
  'if [ $# -gt 0 ]; then "$@" || exit $?; fi',
  'if [ "$setpw" = yes ]; then printf "%s:%s\\n" "$name" "$pw" | chpasswd -e || exit $?; fi',
  'if [ "$build" = yes ]; then chown -R -- "$name:" "$home" || exit 1; fi',
].join('\n');

export function accountArgv(name: string, opts: { password: boolean; build: HomeBuild | null; command: readonly string[] }): string[] {
  const b = opts.build;
  return script(ACCOUNT_SCRIPT, name, opts.password ? 'yes' : 'no', b ? 'yes' : 'no', b?.home ?? '', b?.skeleton ?? '', b?.mode ?? '', ...opts.command);
}

// $1 name, $2 key file (relative: in the home), $3 type, $4 bits (0: ssh-keygen's default),
// $5 comment, $6 force, $7 yes: the passphrase comes on stdin (given to ssh-keygen by an
// SSH_ASKPASS helper, so it is in no argv). user.py's ssh_key_gen, decided again here.
export const SSH_KEY_SCRIPT = [
  'name=$1 file=$2 type=$3 bits=$4 comment=$5 force=$6 ask=$7',
  'ent=$(getent passwd "$name") || { echo "user $name does not exist" >&2; exit 1; }',
  'uid=$(printf %s "$ent" | cut -d: -f3) gid=$(printf %s "$ent" | cut -d: -f4) home=$(printf %s "$ent" | cut -d: -f6)',
  'case $file in /*) ;; *) [ -e "$home" ] || { echo "User $name home directory does not exist" >&2; exit 1; }; file=$home/$file;; esac',
  'd=$(dirname -- "$file")',
  'if [ ! -e "$d" ]; then mkdir -m 0700 -- "$d" && chown -- "$uid:$gid" "$d" || { echo "Failed to create $d" >&2; exit 1; }; fi',
  'for f in "$file" "$file.pub"; do if [ -e "$f" ]; then [ "$force" = yes ] || { echo "kvmplay:skipped"; exit 0; }; rm -f -- "$f" || exit 1; fi; done',
  'if [ "$bits" -gt 0 ]; then set -- -b "$bits"; else set --; fi',
  'if [ "$ask" = yes ]; then',
  '  IFS= read -r KVMPLAY_KEY_PASS || :; export KVMPLAY_KEY_PASS',
  '  ap=$(mktemp) || exit 1; trap \'rm -f -- "$ap"\' EXIT',
  '  printf \'#!/bin/sh\\nprintf "%%s\\\\n" "$KVMPLAY_KEY_PASS"\\n\' > "$ap" && chmod 700 "$ap" || exit 1',
  '  SSH_ASKPASS=$ap SSH_ASKPASS_REQUIRE=force ssh-keygen -q -t "$type" "$@" -C "$comment" -f "$file" </dev/null || exit $?',
  'else',
  '  ssh-keygen -q -t "$type" "$@" -C "$comment" -f "$file" -N "" </dev/null || exit $?',
  'fi',
  'chown -- "$uid:$gid" "$file" "$file.pub"',
].join('\n');

function failed(ctx: ModuleContext, name: string, r: RunResult, what: string): TaskError {
  // user.py fails with the command's stderr as the message.
  const msg = r.stderr.trim() || r.stdout.trim() || `${what} failed (rc=${r.rc ?? 'none'})`;
  return new TaskError(ctx.hostName, msg, { rc: r.rc, stdout: r.stdout, stderr: r.stderr, data: { name } });
}

/** Output of the command for the result: the script's own marker lines left out. */
function commandOutput(r: RunResult): { stdout?: string; stderr?: string } {
  const stdout = r.stdout.split('\n').filter((l) => l !== 'kvmplay:built').join('\n');
  return { ...(stdout ? { stdout } : {}), ...(r.stderr ? { stderr: r.stderr } : {}) };
}

async function applyUserChange(host: Host, a: UserArgs, c: UserChange, ctx: ModuleContext): Promise<StepResult | void> {
  const run = (argv: string[], stdin?: string): Promise<RunResult> => host.run(argv, runOptions(ctx, stdin === undefined ? {} : { stdin }));
  switch (c.kind) {
    case 'userdel': {
      const r = await run(c.argv);
      if (r.rc !== 0) throw failed(ctx, a.name, r, 'userdel');
      return { ...commandOutput(r), data: { name: a.name, state: a.state, force: a.force, remove: a.remove } };
    }
    case 'useradd':
    case 'usermod': {
      // user.py's "Group x does not exist" has no name in its result.
      if (c.kind === 'useradd' && c.error !== undefined) throw new TaskError(ctx.hostName, c.error);
      const build = c.kind === 'useradd' ? c.build : null;
      const argv = accountArgv(a.name, { password: c.password !== null, build, command: c.argv });
      const r = await run(argv, c.password === null ? undefined : `${c.password}\n`);
      if (r.rc !== 0) throw failed(ctx, a.name, r, c.kind);
      return commandOutput(r);
    }
    case 'mkhome': {
      const r = await run(accountArgv(a.name, { password: false, build: c.build, command: [] }));
      if (r.rc !== 0) throw failed(ctx, a.name, r, 'creating the home');
      return r.stdout.includes('kvmplay:built') ? {} : { noop: true };
    }
    case 'sshkey': {
      const ask = c.passphrase !== null;
      const argv = script(SSH_KEY_SCRIPT, a.name, sshKeyFile(a) ?? '', c.type, String(c.bits), c.comment, c.force ? 'yes' : 'no', ask ? 'yes' : 'no');
      const r = await run(argv, ask ? `${c.passphrase ?? ''}\n` : undefined);
      if (r.rc !== 0) throw failed(ctx, a.name, r, 'ssh-keygen');
      return r.stdout.includes('kvmplay:skipped') ? { noop: true } : {};
    }
    case 'chage': {
      const r = await run(c.argv);
      if (r.rc !== 0) throw failed(ctx, a.name, r, 'chage');
      return;
    }
    case 'readback': {
      const s = await probeUser(host, a, ctx);
      return { noop: true, data: presentData(a, s, c.existed) };
    }
  }
}

export const userModule = defineModule({
  names: ['user'],
  args: UserArgs,
  gather: probeUser,
  plan(a, s) {
    try {
      const p = planUser(a, s);
      const data = { ...p.data, ...(p.warnings.length ? { warnings: p.warnings } : {}) };
      return { changes: p.changes, data, okMsg: a.state === 'absent' ? `user ${a.name} absent` : `user ${a.name} up to date` };
    } catch (err) {
      if (err instanceof PlanError) return { fail: err.message };
      throw err;
    }
  },
  describe: (c: UserChange) => describeUserChange(c),
  // The read-back changes nothing: never reported as a change.
  counts: (c: UserChange) => c.kind !== 'readback',
  apply: (host, a, c, ctx) => applyUserChange(host, a, c, ctx),
});

