// sudo "become" (SPEC 7): the command prefix and the reading of sudo's own chatter.
// Pure, so it is unit-tested without a host.
//
// The password only ever travels on the channel's stdin, after sudo has printed our
// prompt marker: never on a command line (visible in `ps`) nor in the environment.
// Waiting for the prompt (rather than writing the password blindly first) also means
// that when sudo asks for nothing (NOPASSWD, already root) the password does not
// leak into the command's own stdin.

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
 * Whether sudo is needed at all: becoming the user we already log in as (root → root
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

/** What we saw of sudo before the command started (or did not start). */
export interface SudoTranscript {
  /** How many times sudo printed our prompt. */
  prompts: number;
  passwordGiven: boolean;
  /** sudo's messages (stderr before the command started), markers removed. */
  chatter: string;
}

/**
 * Why become failed, when the command never started. A second prompt means the first
 * password was refused: that test does not depend on the host's language, unlike
 * sudo's "Sorry, try again." which is only used to recognise the same case in text.
 */
export function describeBecomeFailure(loginUser: string, becomeUser: string, t: SudoTranscript): string {
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

function lastSudoLine(chatter: string): string {
  const lines = chatter.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const line = lines[lines.length - 1] ?? '';
  return line.replace(/^sudo: /, '');
}
