// `user` planning: the probed account vs the arguments → the commands ansible-core's
// user.py would run on Linux (useradd / usermod / userdel, a home made by hand, ssh-keygen,
// chage), in its order and with its comparisons. Pure and table-tested. The password
// hash never goes into an argv: the apply sets it through `chpasswd -e` on stdin.
import type { ResultData } from '../../runner.js';
import type { UserArgs } from './user-args.js';
import type { GroupEntry, UserHostState } from './user-probe.js';

/** Ansible's stand-in for the password in results. */
export const NOT_LOGGING_PASSWORD = 'NOT_LOGGING_PASSWORD';

/** A home made by hand (Ansible's create_homedir): a copy of the skeleton, its mode from login.defs UMASK. */
export interface HomeBuild {
  home: string;
  skeleton: string;
  /** Octal mode for the home ('0755'); '' when login.defs has no UMASK. */
  mode: string;
}

/** One step, naming the account it is for (the message's). */
export type UserChange = UserStep & { user: string };

type UserStep =
  | { kind: 'userdel'; argv: string[] }
  /** error: why useradd cannot run (a missing group), said when it would run: user.py's check mode stops before it looks. */
  | { kind: 'useradd'; argv: string[]; password: string | null; build: HomeBuild | null; error?: string }
  /** argv empty: only the password changes. `fields`: what changes, for the message. */
  | { kind: 'usermod'; argv: string[]; password: string | null; fields: string[] }
  | { kind: 'mkhome'; build: HomeBuild }
  | { kind: 'sshkey'; path: string; type: string; bits: number; comment: string; force: boolean; passphrase: string | null }
  | { kind: 'chage'; argv: string[] }
  /** Not a change: re-read the account for the result (the uid useradd chose, the new home). */
  | { kind: 'readback'; existed: boolean };

export interface UserPlan {
  changes: UserChange[];
  data: ResultData;
  warnings: string[];
}

/** Python's lstrip('!'). */
const unlocked = (pw: string): string => pw.replace(/^!+/, '');

const HASH_CHARS = /[^a-zA-Z0-9./=]/;

/** Ansible's check_password_encrypted: true when the value does not look like a crypt(3) hash. */
export function looksUnhashed(pw: string): boolean {
  if (pw === '' || ['*', '!', '*************'].includes(pw)) return false;
  if ([':', '*', '!'].some((c) => pw.includes(c)) || !pw.includes('$')) return true;
  const f = pw.split('$');
  if (f.length < 3) return true;
  const last = f[f.length - 1] ?? '';
  const want: Record<string, number> = { '1': 22, '5': 43, '6': 86 };
  return HASH_CHARS.test(last) || (want[f[1] ?? ''] !== undefined && last.length !== want[f[1] ?? '']);
}

/** Python's int(): a group given as digits is looked up as a gid first. */
const asGid = (g: string): number | null => (/^\s*[+-]?\d+\s*$/.test(g) ? Number(g) : null);

/** Ansible's group_info: by gid when the text is a number with that gid, else by name. */
export function findGroup(groups: readonly GroupEntry[], g: string): GroupEntry | undefined {
  const gid = asGid(g);
  return (gid !== null ? groups.find((x) => x.gid === gid) : undefined) ?? groups.find((x) => x.name === g);
}

/** The `groups` argument as Ansible's get_groups_set sees it: joined, split at commas, stripped, non-empty. */
export function groupsSet(groups: readonly string[]): string[] {
  const out: string[] = [];
  for (const x of groups.join(',').split(',')) {
    if (x === '') continue;
    const g = x.trim();
    if (!out.includes(g)) out.push(g);
  }
  return out;
}

/** Seconds since the epoch → useradd's `-e` date (UTC, as time.gmtime). */
export function expiryDate(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 10);
}

export class PlanError extends Error {}

function mustGroup(s: UserHostState, g: string): GroupEntry {
  const found = findGroup(s.groups, g);
  if (!found) throw new PlanError(`Group ${g} does not exist`);
  return found;
}

function homeBuild(a: UserArgs, s: UserHostState, home: string): HomeBuild {
  return { home, skeleton: a.skeleton ?? '/etc/skel', mode: s.loginUmask === null ? '' : (0o777 & ~s.loginUmask).toString(8).padStart(4, '0') };
}

/** useradd's argv (without -p: the hash goes through chpasswd). */
export function useraddArgv(a: UserArgs, s: UserHostState): string[] {
  const argv = ['useradd'];
  if (a.uid !== undefined) argv.push('-u', String(a.uid), ...(a.non_unique ? ['-o'] : []));
  if (a.group !== undefined) {
    mustGroup(s, a.group);
    argv.push('-g', a.group);
  } else if (findGroup(s.groups, a.name)) {
    // A group named as the user exists: -N, or useradd (USERGROUPS_ENAB) fails to create it.
    argv.push('-N');
  }
  if (a.groups !== undefined && a.groups.join(',') !== '') {
    const set = groupsSet(a.groups);
    set.forEach((g) => mustGroup(s, g));
    argv.push('-G', set.join(','));
  }
  if (a.comment !== undefined) argv.push('-c', a.comment);
  if (a.home !== undefined) argv.push('-d', a.home);
  if (a.shell !== undefined) argv.push('-s', a.shell);
  if (a.expires !== undefined) argv.push('-e', a.expires < 0 ? '' : expiryDate(a.expires));
  if (a.create_home) {
    argv.push('-m');
    if (a.skeleton !== undefined) argv.push('-k', a.skeleton);
    if (a.umask !== undefined) argv.push('-K', `UMASK=${a.umask}`);
  } else argv.push('-M');
  if (a.system) argv.push('-r');
  argv.push(a.name);
  return argv;
}

/** usermod's argv for what differs (without the name; empty when nothing does), the hash to set, and what changes. */
export function usermodPlan(a: UserArgs, s: UserHostState): { argv: string[]; password: string | null; fields: string[] } {
  const u = s.user;
  if (!u) throw new Error('usermodPlan needs an existing account');
  const argv: string[] = [];
  const fields: string[] = [];
  if (a.uid !== undefined && u.uid !== a.uid) {
    argv.push('-u', String(a.uid), ...(a.non_unique ? ['-o'] : []));
    fields.push('uid');
  }
  if (a.group !== undefined) {
    const g = mustGroup(s, a.group);
    if (u.gid !== g.gid) {
      argv.push('-g', String(g.gid));
      fields.push('group');
    }
  }
  if (a.groups !== undefined) {
    const current = s.groups.filter((g) => g.members.includes(a.name)).map((g) => g.name);
    let wanted: string[] = [];
    let need = false;
    if (a.groups.join(',') === '') need = current.length > 0 && !a.append;
    else {
      wanted = groupsSet(a.groups);
      wanted.forEach((g) => mustGroup(s, g));
      const diff = new Set([...current.filter((g) => !wanted.includes(g)), ...wanted.filter((g) => !current.includes(g))]);
      if (diff.size > 0) {
        if (a.append) {
          if (wanted.some((g) => diff.has(g))) {
            argv.push('-a');
            need = true;
          }
        } else need = true;
      }
    }
    if (need) {
      argv.push('-G', wanted.join(','));
      fields.push('groups');
    }
  }
  if (a.comment !== undefined && u.comment !== a.comment) {
    argv.push('-c', a.comment);
    fields.push('comment');
  }
  if (a.home !== undefined && u.home !== a.home) {
    argv.push('-d', a.home, ...(a.move_home ? ['-m'] : []));
    fields.push(a.move_home ? 'home (moved)' : 'home');
  }
  if (a.shell !== undefined && u.shell !== a.shell) {
    argv.push('-s', a.shell);
    fields.push('shell');
  }
  if (a.expires !== undefined) {
    const current = s.shadow?.expire ?? -1;
    if (a.expires < 0) {
      if (current >= 0) {
        argv.push('-e', '');
        fields.push('expiry');
      }
    } else if (current < 0 || expiryDate(current * 86400) !== expiryDate(a.expires)) {
      argv.push('-e', expiryDate(a.expires));
      fields.push('expiry');
    }
  }
  // The passwd field when it holds the hash itself, else the shadow one (user.py's user_info).
  const pw = u.passwordField.length > 1 ? u.passwordField : (s.shadow?.password ?? '');
  let lock: '-L' | '-U' | null = null;
  if (a.password_lock === true && !pw.startsWith('!')) lock = '-L';
  else if (a.password_lock === false && pw.startsWith('!')) lock = '-U';
  let password: string | null = null;
  if (a.update_password === 'always' && a.password !== undefined && unlocked(pw) !== unlocked(a.password)) {
    // Setting the hash also sets the lock (usermod's -p with '!'): no -L/-U then.
    lock = null;
    password = a.password_lock === true ? `!${a.password}` : a.password;
  }
  if (lock) {
    argv.push(lock);
    fields.push(lock === '-L' ? 'password locked' : 'password unlocked');
  }
  if (password !== null) fields.push('password');
  return { argv, password, fields };
}

/** The key's comment: Ansible's default names the host. */
export function sshComment(a: UserArgs, s: UserHostState): string {
  return a.ssh_key_comment ?? `ansible-generated on ${s.hostname}`;
}

/** What generate_ssh_key would do with the key files found (user.py's ssh_key_gen): generate, or skip with a warning. */
function sshKeyStep(a: UserArgs, s: UserHostState): { change: UserStep | null; warnings: string[] } {
  const k = s.ssh;
  if (!k) return { change: null, warnings: [] };
  const change: UserStep = {
    kind: 'sshkey', path: k.path, type: a.ssh_key_type, bits: a.ssh_key_bits, comment: sshComment(a, s), force: a.force,
    passphrase: a.ssh_key_passphrase ?? null,
  };
  if (!k.dirExists) return { change, warnings: [] };
  const warnings: string[] = [];
  if (k.keyExists) {
    if (!a.force) return { change: null, warnings: [`Found existing ssh key private file "${k.path}", no force, so skipping ssh-keygen generation`] };
    warnings.push(`Overwriting existing ssh key private file "${k.path}"`);
  }
  if (k.pubExists) {
    if (!a.force) return { change: null, warnings: [`Found existing ssh key public file "${k.path}.pub", no force, so skipping ssh-keygen generation`] };
    warnings.push(`Overwriting existing ssh key public file "${k.path}.pub"`);
  }
  return { change, warnings };
}

function chageArgv(a: UserArgs, s: UserHostState, created: boolean): string[] | null {
  // user.py compares with the shadow entry; none to read (not root): nothing to do, as there.
  const sh = created ? null : s.shadow;
  if (!created && !sh) return null;
  const argv = ['chage'];
  if (a.password_expire_min !== undefined && (created || a.password_expire_min !== sh?.min)) argv.push('-m', String(a.password_expire_min));
  if (a.password_expire_max !== undefined && (created || a.password_expire_max !== sh?.max)) argv.push('-M', String(a.password_expire_max));
  return argv.length > 1 ? [...argv, a.name] : null;
}

/** What Ansible registers for an account that exists after the task (state present). */
export function presentData(a: UserArgs, s: UserHostState, existed: boolean): ResultData {
  const data: ResultData = { name: a.name, state: a.state };
  if (existed) Object.assign(data, { append: a.append, move_home: a.move_home });
  else Object.assign(data, { system: a.system, create_home: a.create_home });
  if (a.password !== undefined) data['password'] = NOT_LOGGING_PASSWORD;
  const u = s.user;
  if (u) {
    Object.assign(data, { uid: u.uid, group: u.gid, comment: u.comment, home: u.home, shell: u.shell });
    if (a.groups !== undefined) data['groups'] = a.groups.join(',');
    if (a.generate_ssh_key === true && s.ssh) {
      Object.assign(data, { ssh_fingerprint: s.ssh.fingerprint, ssh_key_file: s.ssh.path, ssh_public_key: s.ssh.publicKey });
    }
  }
  return data;
}

export function planUser(a: UserArgs, s: UserHostState): UserPlan {
  const warnings: string[] = [];
  if (a.password !== undefined && looksUnhashed(a.password)) {
    warnings.push("The input password appears not to have been hashed. The 'password' argument must be encrypted for this module to work properly.");
  }
  if (a.groups === undefined && a.append) {
    warnings.push("'append' is set, but no 'groups' are specified. Use 'groups' for appending new groups.This will change to an error in Ansible 2.14.");
  }
  const u = s.user;
  if (a.state === 'absent') {
    if (!u) return { changes: [], data: { name: a.name, state: a.state }, warnings };
    const argv = ['userdel', ...(a.force ? ['-f'] : []), ...(a.remove ? ['-r'] : []), a.name];
    // Check mode registers only `changed` (user.py exits early); the step adds the rest.
    return { changes: [{ kind: 'userdel', argv, user: a.name }], data: {}, warnings };
  }
  const changes: UserStep[] = [];
  if (!u) {
    const needsParents = a.home !== undefined && a.create_home && !s.homeParentIsDir;
    let argv: string[] = [];
    let error: string | undefined;
    try {
      argv = useraddArgv(a, s);
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      error = err.message;
    }
    changes.push({
      kind: 'useradd',
      argv,
      ...(error !== undefined ? { error } : {}),
      password: a.password === undefined ? null : a.password_lock === true ? `!${a.password}` : a.password,
      build: needsParents && a.home !== undefined ? homeBuild(a, s, a.home) : null,
    });
  } else {
    const mod = usermodPlan(a, s);
    if (mod.argv.length > 0 || mod.password !== null) changes.push({ kind: 'usermod', argv: mod.argv.length ? ['usermod', ...mod.argv, a.name] : [], password: mod.password, fields: mod.fields });
    const home = a.home ?? u.home;
    const moved = a.move_home && a.home !== undefined && a.home !== u.home && s.curHomeExists;
    if (a.create_home && !s.homeExists && !moved) changes.push({ kind: 'mkhome', build: homeBuild(a, s, home) });
  }
  if (a.generate_ssh_key === true) {
    const step = sshKeyStep(a, s);
    warnings.push(...step.warnings);
    if (step.change) changes.push(step.change);
  }
  const chage = chageArgv(a, s, !u);
  if (chage) changes.push({ kind: 'chage', argv: chage });
  // A new account: check mode registers only `changed`, as user.py's early exit.
  const data = u ? presentData(a, s, true) : {};
  if (changes.length > 0) changes.push({ kind: 'readback', existed: u !== null });
  return { changes: changes.map((c) => ({ ...c, user: a.name })), data, warnings };
}

export function describeUserChange(c: UserChange): string {
  const name = c.user;
  switch (c.kind) {
    case 'userdel': return `remove user ${name}${c.argv.includes('-r') ? ' and its home' : ''}`;
    case 'useradd': return `create user ${name}`;
    case 'usermod': return `change ${c.fields.join(', ')} of user ${name}`;
    case 'mkhome': return `create home ${c.build.home}`;
    case 'sshkey': return `generate ssh key ${c.path}`;
    case 'chage': return `set password ageing of user ${name}`;
    case 'readback': return `read user ${name}`;
  }
}
