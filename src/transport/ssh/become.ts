// "become" (SPEC 7) through sudo or su: the command prefix and the reading of their
// chatter. Pure, so it is unit-tested without a host.
//
// The password only ever travels on the channel's stdin, after sudo has printed our
// prompt marker (or su its own prompt): never on a command line (visible in `ps`) nor
// in the environment. Waiting for the prompt (rather than writing the password blindly
// first) also means that when nothing is asked (NOPASSWD, su from root, already that
// user) the password does not leak into the command's own stdin.

import { quoteShellWord } from '../../util/shell-quote.js';

/** Who to become; null = run as the login user. */
export interface BecomeTarget {
  user: string;
  password?: string;
}

/**
 * sudo -S reads one line: whatever follows a line break in the password would be left
 * in the channel for the command to read as its stdin. Such a password is refused.
 */
export function hasLineBreak(password: string | undefined): boolean {
  return password !== undefined && /[\r\n]/.test(password);
}

/**
 * Why a become user name cannot be used, or null. Empty names and names starting with
 * `-` (which su would take for an option) are refused, as are blanks and control
 * characters no account name has.
 */
export function becomeUserProblem(user: string): string | null {
  if (user === '') return 'the become user is empty';
  if (user.startsWith('-')) return `the become user ${JSON.stringify(user)} starts with "-"`;
  if (/[\s\x00-\x1f\x7f]/.test(user)) return `the become user ${JSON.stringify(user)} contains blanks or control characters`;
  return null;
}

/**
 * Whether sudo (or su) is needed at all: becoming the user we already log in as (root → root
 * being the common case) runs the command directly, so it works on hosts without sudo.
 */
export function needsSudo(loginUser: string, becomeUser: string): boolean {
  return loginUser !== becomeUser;
}

/**
 * `sudo -S -H -p PROMPT -u USER --`: -S reads the password from stdin, -p replaces the
 * localized prompt with our marker (no `%` in it, which sudo would expand), -H gives
 * the command the target user's HOME as `sudo -i`-less Ansible does.
 */
export function sudoPrefix(becomeUser: string, promptMarker: string): string {
  if (promptMarker.includes('%')) throw new TypeError('a sudo prompt marker cannot contain %');
  return ['sudo', '-S', '-H', '-p', promptMarker, '-u', becomeUser, '--'].map(quoteShellWord).join(' ');
}

/**
 * `su -s /bin/sh -c SCRIPT USER`, Ansible's su become (`su USER -c CMD`, no login `-`:
 * a login shell would read profiles that may print) with `-s /bin/sh`: the script is
 * POSIX sh whatever the user's login shell is (a csh would misread it), and root can
 * become accounts whose shell is nologin, as with sudo. su does not let us choose its
 * prompt: its own is recognised (isSuPrompt). su may refuse -s when not run by root
 * and the target's shell is not in /etc/shells; then its login shell runs, as it says.
 */
export function suArgv(becomeUser: string, script: string): string[] {
  const problem = becomeUserProblem(becomeUser);
  if (problem) throw new TypeError(problem);
  return ['su', '-s', '/bin/sh', '-c', script, becomeUser];
}

/** suArgv as one shell command line. */
export function suCommand(becomeUser: string, script: string): string {
  return suArgv(becomeUser, script).map(quoteShellWord).join(' ');
}

// "Password" as PAM prints it in common languages (su's prompt comes from PAM and
// follows the host's locale); optionally preceded by "NAME's ". A colon, ASCII or
// full-width, ends it.
const PASSWORD_WORDS = [
  'Password', 'Passwort', 'Mot de passe', 'Contraseña', 'Contrasenya', 'Senha', 'Wachtwoord',
  'Lösenord', 'Adgangskode', 'Passord', 'Salasana', 'Hasło', 'Heslo', 'Jelszó', 'Parola',
  'Parool', 'Pasahitza', 'Sandi', 'Mật khẩu', 'Пароль', 'Парола', 'Лозинка', 'ססמה',
  'パスワード', '암호', '密码', '密碼', '口令',
];
const SU_PROMPT = new RegExp(`^(?:\\S+'s )?(?:${PASSWORD_WORDS.join('|')}) ?[:：] ?$`, 'iu');

/**
 * Is this unfinished stderr line (no newline yet) su's password prompt? Only a whole
 * "Password: " counts: "su:" alone (the start of a message) must not, or the password
 * could be written to a command that su went on to start.
 */
export function isSuPrompt(fragment: string): boolean {
  return SU_PROMPT.test(fragment);
}

/** What we saw of sudo or su before the command started (or did not start). */
export interface BecomeTranscript {
  /** How many times sudo printed our prompt (su its own). */
  prompts: number;
  passwordGiven: boolean;
  /** sudo's or su's messages (stderr before the command started), markers removed. */
  chatter: string;
}

export type SudoTranscript = BecomeTranscript;

/**
 * Why become failed, when the command never started. A second prompt means the first
 * password was refused: that test does not depend on the host's language, unlike
 * sudo's "Sorry, try again." which is only used to recognise the same case in text.
 */
export function describeBecomeFailure(loginUser: string, becomeUser: string, t: BecomeTranscript): string {
  const said = lastSudoLine(t.chatter);
  const suffix = said ? ` (sudo: ${said})` : '';
  const who = `sudo as ${loginUser} to ${becomeUser}`;
  if (t.prompts > 1 || (t.passwordGiven && /incorrect password|Sorry, try again/i.test(t.chatter))) {
    return `become failed: incorrect sudo password for ${loginUser} (${who})`;
  }
  if (t.prompts > 0 && !t.passwordGiven) {
    return `become failed: sudo asks ${loginUser} for a password and none is set (become_password)${suffix}`;
  }
  if (/a password is required/i.test(t.chatter)) {
    return `become failed: sudo requires a password for ${loginUser} (${who})${suffix}`;
  }
  if (/command not found|sudo: not found|No such file/i.test(t.chatter) && !/^sudo: /m.test(t.chatter)) {
    return `become failed: sudo is not installed on the host${suffix}`;
  }
  return `become failed: ${who} was refused${suffix}`;
}

/**
 * Why su failed, when the command never started. su asks for the TARGET user's
 * password (root's, to become root), reads it from stdin when it has no terminal
 * (util-linux, busybox) and says "Authentication failure" when it is wrong.
 */
export function describeSuFailure(loginUser: string, becomeUser: string, t: BecomeTranscript): string {
  const said = lastLine(t.chatter, 'su: ');
  const suffix = said ? ` (su: ${said})` : '';
  const who = `su as ${loginUser} to ${becomeUser}`;
  if (/must be run from a terminal|no tty|not a tty/i.test(t.chatter)) {
    return `become failed: su on this host reads the password from a terminal only, which kvmplay does not open (${who})${suffix}; use become_method sudo, or log in as root`;
  }
  if (t.prompts > 0 && !t.passwordGiven) {
    return `become failed: su asks for ${becomeUser}'s password and none is set (become_password is the target user's password with su)${suffix}`;
  }
  if (t.prompts > 1 || (t.prompts > 0 && /Authentication failure|incorrect password|Sorry/i.test(t.chatter))) {
    return `become failed: incorrect su password for ${becomeUser} (${who}; su wants the target user's password)${suffix}`;
  }
  if (/command not found|su: not found|No such file/i.test(t.chatter) && !/^su: /m.test(t.chatter)) {
    return `become failed: su is not installed on the host${suffix}`;
  }
  return `become failed: ${who} was refused${suffix}`;
}

function lastSudoLine(chatter: string): string {
  return lastLine(chatter, 'sudo: ');
}

function lastLine(chatter: string, prefix: string): string {
  const lines = chatter.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const line = lines[lines.length - 1] ?? '';
  return line.startsWith(prefix) ? line.slice(prefix.length) : line;
}
