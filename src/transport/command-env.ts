// A task's `environment` as shell text, shared by the SSH and local transports. The
// variables are exported by the shell that runs the command, after sudo or su: sudo
// resets the environment it was given, and SSH servers refuse most `env` requests.
// Pure, so it is unit-tested without a host.

import { quoteShellCommand, quoteShellWord } from '../util/shell-quote.js';

// What `export NAME=…` accepts in every POSIX shell.
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why these variables cannot be set (names that are no shell identifier, NUL bytes); null when they can. */
export function envProblem(env: Readonly<Record<string, string>> | undefined): string | null {
  if (!env) return null;
  const badNames = Object.keys(env).filter((n) => !SHELL_NAME.test(n));
  if (badNames.length > 0) {
    const list = badNames.map((n) => JSON.stringify(n)).join(', ');
    return `environment: ${list} ${badNames.length === 1 ? 'is not a valid variable name' : 'are not valid variable names'} (letters, digits and _, not starting with a digit)`;
  }
  const withNul = Object.keys(env).filter((n) => typeof env[n] !== 'string' || env[n].includes('\0'));
  if (withNul.length > 0) return `environment: the value of ${withNul.join(', ')} is not a string without NUL bytes`;
  return null;
}

/** `export A='x y' B=z; ` (empty without variables). Throws TypeError on what envProblem refuses. */
export function envExports(env: Readonly<Record<string, string>> | undefined): string {
  const problem = envProblem(env);
  if (problem) throw new TypeError(problem);
  const names = Object.keys(env ?? {});
  if (names.length === 0) return '';
  return `export ${names.map((n) => `${n}=${quoteShellWord(env?.[n] ?? '')}`).join(' ')}; `;
}

/** The shell text that replaces the shell with the command: an argv quoted word by word, a string through `sh -c`. */
export function execText(command: string | readonly string[]): string {
  return typeof command === 'string' ? `exec sh -c ${quoteShellWord(command)}` : `exec ${quoteShellCommand(command)}`;
}
