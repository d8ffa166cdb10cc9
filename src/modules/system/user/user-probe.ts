// What `user` needs to know of a host, in one round trip: the account (passwd and
// shadow lines), every group with its members, the host's name (the default ssh key
// comment), login.defs' UMASK (a home made by hand gets its mode), the paths the plan
// looks at, and the ssh key the account may have. A fact = command + typed parse (STYLE 6).
import { SECTION_FN, splitSections } from '../../probe-sections.js';
import { script } from '../../remote.js';

export interface PasswdEntry {
  name: string;
  /** passwd's own password field ('x' when the hash is in shadow). */
  passwordField: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

export interface ShadowEntry {
  /** The password field as stored ('!…' when locked); never shown anywhere. */
  password: string;
  /** Days since the epoch; -1 when unset (getspnam's value for an empty field). */
  expire: number;
  min: number;
  max: number;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface SshKeyState {
  /** The private key's path (a relative ssh_key_file joined to the home). */
  path: string;
  dirExists: boolean;
  keyExists: boolean;
  pubExists: boolean;
  /** `ssh-keygen -l -f KEY` output (trimmed); '' when the key is missing or unreadable. */
  fingerprint: string;
  /** The .pub file's content, trimmed; null when missing. */
  publicKey: string | null;
}

export interface UserHostState {
  user: PasswdEntry | null;
  /** null: the shadow entry cannot be read (not root) or is missing. */
  shadow: ShadowEntry | null;
  groups: GroupEntry[];
  hostname: string;
  /** login.defs UMASK (the last one, as Ansible's loop leaves it); null when none. */
  loginUmask: number | null;
  /** The base of new homes (`useradd -D`'s HOME). */
  homeBase: string;
  /** The home the account has or will have (wanted, else current, else the default) exists. */
  homeExists: boolean;
  /** The wanted home's parent is a directory (useradd -m cannot make parents). */
  homeParentIsDir: boolean;
  /** The account's current home exists (usermod -m moves it to the wanted one). */
  curHomeExists: boolean;
  ssh: SshKeyState | null;
}

// $1 name, $2 wanted home or '', $3 ssh key file (relative to the home) or '' when no key is wanted.
export const USER_PROBE_SCRIPT = [
  SECTION_FN,
  'name=$1 want=$2 key=$3',
  'sec passwd; pw=$(getent passwd "$name") && printf "%s\\n" "$pw"',
  'sec shadow; getent shadow "$name" 2>/dev/null',
  'sec groups; getent group',
  'sec host; hostname 2>/dev/null || uname -n',
  'sec umask; grep -E "^UMASK[[:space:]]+[0-9]+$" /etc/login.defs 2>/dev/null',
  'base=$(useradd -D 2>/dev/null | sed -n "s/^HOME=//p"); [ -n "$base" ] || base=/home',
  'sec base; printf "%s\\n" "$base"',
  'cur=$(printf "%s" "$pw" | cut -d: -f6); home=${want:-${cur:-$base/$name}}',
  'sec paths',
  'if [ -e "$home" ]; then echo home yes; else echo home no; fi',
  'if [ -d "$(dirname -- "$home")" ]; then echo parent yes; else echo parent no; fi',
  'if [ -n "$cur" ] && [ -e "$cur" ]; then echo cur yes; else echo cur no; fi',
  'if [ -n "$key" ]; then',
  '  case $key in /*) f=$key;; *) f=$home/$key;; esac',
  '  sec ssh; printf "%s\\n" "$f"',
  '  d=$(dirname -- "$f"); if [ -e "$d" ]; then echo yes; else echo no; fi',
  '  if [ -e "$f" ]; then echo yes; else echo no; fi',
  '  if [ -e "$f.pub" ]; then echo yes; else echo no; fi',
  '  sec fingerprint; [ -e "$f" ] && ssh-keygen -l -f "$f" 2>/dev/null',
  '  sec pub; [ -e "$f.pub" ] && base64 < "$f.pub" | tr -d "\\n"',
  'fi',
  'exit 0',
].join('\n');

export function userProbeArgv(name: string, wantHome: string | undefined, sshKeyFile: string | undefined): string[] {
  return script(USER_PROBE_SCRIPT, name, wantHome ?? '', sshKeyFile ?? '');
}

const int = (s: string | undefined, dflt: number): number => (s === undefined || s.trim() === '' ? dflt : Number(s));

export function parsePasswd(line: string): PasswdEntry | null {
  const f = line.split(':');
  if (f.length < 7) return null;
  return { name: f[0]!, passwordField: f[1]!, uid: Number(f[2]), gid: Number(f[3]), comment: f[4]!, home: f[5]!, shell: f.slice(6).join(':') };
}

export function parseShadow(line: string): ShadowEntry | null {
  const f = line.split(':');
  if (f.length < 8) return null;
  return { password: f[1]!, min: int(f[3], -1), max: int(f[4], -1), expire: int(f[7], -1) };
}

export function parseGroups(text: string): GroupEntry[] {
  return text.split('\n').filter((l) => l.includes(':')).map((l) => {
    const [name = '', , gid = '', members = ''] = l.split(':');
    return { name, gid: Number(gid), members: members.split(',').filter((m) => m !== '') };
  });
}

export function parseUserProbe(stdout: string): UserHostState {
  const s = splitSections(stdout);
  const text = (k: string): string => (s.get(k) ?? '').replace(/^\n+|\n+$/g, '');
  const passwdLine = text('passwd');
  const paths = new Map(text('paths').split('\n').map((l) => l.split(' ') as [string, string]));
  const umaskLines = text('umask').split('\n').filter(Boolean);
  const lastUmask = umaskLines.length ? /(\d+)$/.exec(umaskLines[umaskLines.length - 1]!)?.[1] : undefined;
  let ssh: SshKeyState | null = null;
  if (s.has('ssh')) {
    const [path = '', dir, key, pub] = text('ssh').split('\n');
    const pubB64 = text('pub');
    ssh = {
      path,
      dirExists: dir === 'yes',
      keyExists: key === 'yes',
      pubExists: pub === 'yes',
      fingerprint: text('fingerprint').trim(),
      publicKey: pub === 'yes' ? Buffer.from(pubB64, 'base64').toString('utf8').trim() : null,
    };
  }
  return {
    user: passwdLine ? parsePasswd(passwdLine) : null,
    shadow: text('shadow') ? parseShadow(text('shadow')) : null,
    groups: parseGroups(text('groups')),
    hostname: text('host').trim(),
    loginUmask: lastUmask === undefined ? null : parseInt(lastUmask, 8),
    homeBase: text('base').trim() || '/home',
    homeExists: paths.get('home') === 'yes',
    homeParentIsDir: paths.get('parent') === 'yes',
    curHomeExists: paths.get('cur') === 'yes',
    ssh,
  };
}
