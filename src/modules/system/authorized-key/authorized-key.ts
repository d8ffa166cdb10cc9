// `authorized_key` (ansible.posix.authorized_key): one probe reads the account and its
// authorized_keys file, the pure edit (authorized-keys.ts) decides the new content, and
// the write goes through put-file.ts (staged, renamed) as the account's, mode 0600,
// after making ~/.ssh (0700, the account's) when manage_dir asks for it.
import { posix } from 'node:path';
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import type { Host } from '../../../transport/host.js';
import { unifiedDiff } from '../../../util/text.js';
import { absPath, argumentSpec, boolish } from '../../args.js';
import { putFile } from '../../files/put-file.js';
import type { ModuleContext } from '../../module.js';
import { SECTION_FN, splitSections } from '../../probe-sections.js';
import { mustRun, runOptions, script } from '../../remote.js';
import { defineModule, type ResultData } from '../../runner.js';
import { accountName } from '../user/user-args.js';
import { editKeys, KeyParseError } from './authorized-keys.js';

export const AuthorizedKeyArgs = argumentSpec(
  {
    user: accountName,
    // Keys, one a line. Ansible fetches a key starting with "http" as a URL; kvmplay's
    // modules do not reach the network from the host: the key's text must be given.
    key: z.string().refine((k) => !k.startsWith('http'), {
      message: 'a key URL is not supported by kvmplay (the host fetches nothing from the network): give the keys themselves, e.g. with lookup(\'file\', …)',
    }),
    path: absPath.optional(),
    manage_dir: boolish.default(true),
    state: z.enum(['present', 'absent']).default('present'),
    key_options: z.string().optional(),
    exclusive: boolish.default(false),
    // Only used for a key URL, which is refused: accepted and ignored.
    validate_certs: boolish.default(true),
    comment: z.string().optional(),
    follow: boolish.default(false),
  },
  { required: ['user', 'key'] },
);
export type AuthorizedKeyArgs = z.infer<typeof AuthorizedKeyArgs>;

export interface KeyFileState {
  /** The account: null when there is none. */
  account: { uid: number; gid: number; home: string } | null;
  /** The file the module names (`keyfile` in the result); null when it cannot be known (no account, no path). */
  keyfile: string | null;
  /** Where a write goes: the keyfile, or with follow the path it resolves to. */
  target: string | null;
  /** The file's content ('' when it is no regular file, as the module reads it). */
  content: string;
  /** What Ansible adds to a result that has a `path` which exists (AnsibleModule.add_path_info). */
  pathInfo: ResultData | null;
}

// $1 user, $2 path or '', $3 yes: resolve the path (follow).
export const KEY_FILE_PROBE = [
  SECTION_FN,
  'user=$1 path=$2 follow=$3',
  'sec passwd; ent=$(getent passwd "$user") && printf "%s\\n" "$ent"',
  'kf=$path; if [ -z "$kf" ] && [ -n "$ent" ]; then kf=$(printf %s "$ent" | cut -d: -f6)/.ssh/authorized_keys; fi',
  '[ -n "$kf" ] || exit 0',
  'sec keyfile; printf "%s\\n" "$kf"',
  'sec target; if [ "$follow" = yes ]; then readlink -m -- "$kf"; else printf "%s\\n" "$kf"; fi',
  'sec content; if [ -f "$kf" ]; then base64 < "$kf" | tr -d "\\n"; fi',
  // add_path_info: lstat's owner, mode and size; the kind (a target with several links is "hard").
  'if [ -n "$path" ] && [ -e "$path" ]; then',
  '  sec pathinfo; set -- $(stat -c "%u %g %a %s" -- "$path"); echo "$@"',
  '  getent passwd "$1" | cut -d: -f1; getent group "$2" | cut -d: -f1',
  '  if [ -L "$path" ]; then echo link; elif [ -d "$path" ]; then echo directory; elif [ "$(stat -L -c %h -- "$path")" -gt 1 ]; then echo hard; else echo file; fi',
  'fi',
].join('\n');

export function parseKeyFileProbe(stdout: string): KeyFileState {
  const s = splitSections(stdout);
  const line = (k: string): string => (s.get(k) ?? '').split('\n').find((l) => l !== '') ?? '';
  const f = line('passwd').split(':');
  return {
    account: f.length >= 7 ? { uid: Number(f[2]), gid: Number(f[3]), home: f[5]! } : null,
    keyfile: s.has('keyfile') ? line('keyfile') : null,
    target: s.has('target') ? line('target') : null,
    // Read as Python's text mode reads it: universal newlines.
    content: Buffer.from(line('content'), 'base64').toString('utf8').replace(/\r\n?/g, '\n'),
    pathInfo: s.has('pathinfo') ? parsePathInfo(s.get('pathinfo') ?? '') : null,
  };
}

function parsePathInfo(text: string): ResultData {
  const [stat = '', owner = '', group = '', kind = ''] = text.split('\n').filter((l, i) => i > 0 || l !== '');
  const [uid = '', gid = '', mode = '', size = ''] = stat.split(' ');
  return {
    uid: Number(uid), gid: Number(gid), owner: owner || uid, group: group || gid,
    mode: `0${parseInt(mode, 8).toString(8).padStart(3, '0')}`, state: kind, size: Number(size),
  };
}

async function probeKeyFile(host: Host, a: AuthorizedKeyArgs, ctx: ModuleContext): Promise<KeyFileState> {
  const r = await mustRun(host, script(KEY_FILE_PROBE, a.user, a.path ?? '', a.follow ? 'yes' : 'no'), ctx, `reading the authorized keys of ${a.user}`);
  return parseKeyFileProbe(r.stdout);
}

export type KeyChange = KeyWrite | { kind: 'readback' };

export interface KeyWrite {
  kind: 'write';
  target: string;
  content: string;
  uid: number;
  gid: number;
  /** The directory made the account's and 0700 first (manage_dir); null: left alone. */
  sshDir: string | null;
}

/**
 * What ansible.posix.authorized_key registers: its parameters and the key file, and, as
 * for any result with a `path` that exists, that path's owner, mode, size and kind (which
 * replaces `state`: Ansible's add_path_info).
 */
function keyData(a: AuthorizedKeyArgs, keyfile: string | null, pathInfo: ResultData | null): ResultData {
  return {
    user: a.user, key: a.key, path: a.path ?? null, manage_dir: a.manage_dir, state: a.state, key_options: a.key_options ?? null,
    exclusive: a.exclusive, comment: a.comment ?? null, validate_certs: a.validate_certs, follow: a.follow, keyfile,
    ...(a.path !== undefined ? pathInfo : {}),
  };
}

// $1 the directory, $2 uid:gid: authorized_key's manage_dir (mkdir 0700, then owner and mode every time it writes).
const SSH_DIR_SCRIPT = [
  'if [ ! -e "$1" ]; then mkdir -m 0700 -- "$1" || { echo "Failed to create directory $1" >&2; exit 1; }; fi',
  'chown -- "$2" "$1" && chmod 0700 -- "$1"',
].join('\n');

export const authorizedKeyModule = defineModule({
  names: ['authorized_key', 'ansible.posix.authorized_key'],
  args: AuthorizedKeyArgs,
  gather: probeKeyFile,
  plan(a, s) {
    if (!s.account || s.keyfile === null || s.target === null) {
      // The module looks the account up even with a path (to own the file): it fails the same way.
      return { fail: `Failed to lookup user ${a.user}: "getpwnam(): name not found: '${a.user}'"` };
    }
    let after: string | null;
    try {
      after = editKeys(s.content, { key: a.key, state: a.state, keyOptions: a.key_options, comment: a.comment, exclusive: a.exclusive });
    } catch (err) {
      if (err instanceof KeyParseError) return { fail: err.message };
      throw err;
    }
    const data = keyData(a, s.keyfile, s.pathInfo);
    if (after === null) return { changes: [], data, okMsg: `${s.keyfile} up to date` };
    const sshDir = a.manage_dir ? posix.dirname(s.keyfile) : null;
    const change: KeyWrite = { kind: 'write', target: s.target, content: after, uid: s.account.uid, gid: s.account.gid, sshDir };
    const before = s.content;
    const keyfile = s.keyfile;
    // A path's attributes are registered as they are after the write: read again.
    const changes: KeyChange[] = a.path !== undefined ? [change, { kind: 'readback' }] : [change];
    return { changes, data, diff: () => unifiedDiff(keyfile, before, after) };
  },
  describe: (c: KeyChange) => (c.kind === 'write' ? `rewrite ${c.target}` : 'read the key file'),
  counts: (c: KeyChange) => c.kind === 'write',
  async apply(host, a, c, ctx) {
    if (c.kind === 'readback') {
      const s = await probeKeyFile(host, a, ctx);
      return { noop: true, data: keyData(a, s.keyfile, s.pathInfo) };
    }
    const owner = `${c.uid}:${c.gid}`;
    if (c.sshDir !== null) {
      const r = await host.run(script(SSH_DIR_SCRIPT, c.sshDir, owner), runOptions(ctx));
      if (r.rc !== 0) throw new TaskError(ctx.hostName, r.stderr.trim() || `cannot set up ${c.sshDir}`, { rc: r.rc, stderr: r.stderr });
    }
    await putFile(host, ctx, { path: c.target, content: Buffer.from(c.content, 'utf8'), mode: 0o600, chown: owner, keepOwner: null, backupTo: null, makeParent: true });
  },
});
