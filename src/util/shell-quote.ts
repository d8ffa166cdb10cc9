// POSIX shell quoting for commands sent to hosts (SPEC 6: "commands quote every value").
// Single quotes are the only quoting in which a POSIX shell expands nothing at all,
// so every word is wrapped in them and an embedded ' becomes '\'' (close, escaped
// quote, reopen). Words made only of safe characters are left bare so commands stay
// readable in logs.

// '=' is not safe: a bare first word FOO=bar would become a variable assignment.
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

/** Quote one word so that `sh` sees exactly `word` as a single argument. */
export function quoteShellWord(word: string): string {
  if (word.includes('\0')) {
    // No shell argument can carry a NUL byte; failing loudly beats truncation.
    throw new TypeError('a shell argument cannot contain a NUL byte');
  }
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Join an argv into one command line for `sh -c`. */
export function quoteShellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('cannot run an empty argv');
  return argv.map(quoteShellWord).join(' ');
}
