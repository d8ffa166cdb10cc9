// Python's shlex.split(line, comments=True) in POSIX mode, which Ansible's INI plugin
// uses to cut a host line into `host key=value ...` tokens (ansible.utils.shlex.shlex_split).
// Quotes are removed, backslash escapes outside single quotes, `#` starts a comment
// even inside a word (`a#b` is `a`). Comments can be off (ssh argument strings).

const WHITESPACE = ' \t\r\n';
const QUOTES = `'"`;

export class ShlexError extends Error {}

export function shlexSplit(line: string, opts: { comments?: boolean } = {}): string[] {
  const comments = opts.comments ?? true;
  const tokens: string[] = [];
  let i = 0;
  for (;;) {
    const r = nextToken(line, i, comments);
    i = r.end;
    if (r.token === null) return tokens;
    tokens.push(r.token);
  }
}

/** One pass of shlex.read_token: returns null at end of input. */
function nextToken(s: string, start: number, comments: boolean): { token: string | null; end: number } {
  let state: string = ' ';
  let escapedState = 'a';
  let token = '';
  let i = start;
  for (;;) {
    const c = i < s.length ? s[i]! : '';
    i++;
    if (state === ' ') {
      if (!c) return { token: null, end: i };
      if (WHITESPACE.includes(c)) continue;
      if (comments && c === '#') return { token: null, end: s.length + 1 }; // the rest is a comment
      if (c === '\\') {
        escapedState = 'a';
        state = c;
      } else if (QUOTES.includes(c)) {
        state = c;
      } else {
        token = c;
        state = 'a';
      }
    } else if (QUOTES.includes(state)) {
      if (!c) throw new ShlexError('No closing quotation');
      if (c === state) {
        state = 'a';
      } else if (c === '\\' && state === '"') {
        escapedState = state;
        state = c;
      } else {
        token += c;
      }
    } else if (state === '\\') {
      if (!c) throw new ShlexError('No escaped character');
      // Inside double quotes only the quote itself or the backslash can be escaped.
      if (QUOTES.includes(escapedState) && c !== state && c !== escapedState) token += state;
      token += c;
      state = escapedState;
    } else {
      // state 'a': inside a word (entered with a character or a quote, so token is due)
      if (!c) return { token, end: i };
      if (WHITESPACE.includes(c)) return { token, end: i };
      if (comments && c === '#') return { token, end: s.length + 1 };
      if (QUOTES.includes(c)) {
        state = c;
      } else if (c === '\\') {
        escapedState = 'a';
        state = c;
      } else {
        token += c;
      }
    }
  }
}
