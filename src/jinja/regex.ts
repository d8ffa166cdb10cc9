// User regular expressions (the `match`/`search`/`regex` tests) run on RE2's linear-time
// engine (the re2js port) rather than V8's backtracking one: a pattern such as `(a+)+$`
// against a long host output froze the whole event loop — every host and Ctrl-C — for
// minutes. RE2's syntax is Python's `re` minus backreferences and lookaround, which are
// refused with a clear message; `(?P<name>…)` and `\A`/`\z` work as in Python.
import { type Matcher, RE2JS } from 're2js';

export interface UserRegex {
  /** re.search: anywhere in the text. */
  search(text: string): boolean;
  /** re.match: at the start of the text. */
  matchStart(text: string): boolean;
  /** re.search with its groups (by number or name); null when nothing matches. */
  exec(text: string): RegexMatch | null;
  /** Every non-overlapping match, left to right (re.finditer). */
  all(text: string): RegexMatch[];
  readonly groups: UserRegexGroups;
}

export interface RegexMatch {
  /** A group's text (0: the whole match); undefined when it took no part in the match. */
  group(ref: number | string): string | undefined;
  /** UTF-16 offsets of the whole match in the text. */
  readonly start: number;
  readonly end: number;
}

export interface UserRegexGroups {
  /** Number of capturing groups, as Python's `pattern.groups`. */
  readonly count: number;
  /** `(?P<name>…)` groups by name, as Python's `pattern.groupindex`. */
  readonly names: ReadonlyMap<string, number>;
}

/** Compiles `pattern`; throws an Error whose message says why a pattern is refused. */
export function compileUserRegex(pattern: string, o: { ignoreCase?: boolean; multiline?: boolean } = {}): UserRegex {
  const flags = (o.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (o.multiline ? RE2JS.MULTILINE : 0);
  let re: RE2JS;
  try {
    // Python's \Z (the very end) is RE2's \z.
    re = RE2JS.compile(pattern.replace(/(?<!\\)((?:\\\\)*)\\Z/g, '$1\\z'), flags);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const hint = /invalid escape sequence: `\\\d|Perl syntax: `\(\?[=!<]/.test(msg)
      ? ' (backreferences and lookaround are not supported: patterns run in linear time)' : '';
    throw new Error(`${msg}${hint}`, { cause: e });
  }
  const names = new Map(Object.entries(re.namedGroups()));
  const count = re.groupCount();
  return {
    search: (text) => re.matcher(text).find(),
    matchStart: (text) => re.matcher(text).lookingAt(),
    exec(text) {
      const m = re.matcher(text);
      return m.find() ? snapshot(m, count) : null;
    },
    all(text) {
      const m = re.matcher(text);
      const out: RegexMatch[] = [];
      while (m.find()) out.push(snapshot(m, count));
      return out;
    },
    groups: { count, names },
  };
}

/** The current match of `m`, copied so that the matcher can move on. */
function snapshot(m: Matcher, count: number): RegexMatch {
  const texts: Array<string | undefined> = [];
  for (let i = 0; i <= count; i++) texts.push(m.group(i) ?? undefined);
  const names = m.namedGroups;
  return {
    start: m.start(),
    end: m.end(),
    group(ref) {
      const i = typeof ref === 'number' ? ref : Object.hasOwn(names, ref) ? names[ref] : undefined;
      return i === undefined ? undefined : texts[i];
    },
  };
}
