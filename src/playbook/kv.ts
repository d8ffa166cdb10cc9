// Ansible's `key=value key2='a b'` form (parse_kv / split_args in
// ansible/parsing/splitter.py), used by `-e` and by modules written as
// `file: path=/tmp/x state=touch`. Words are split on whitespace except inside
// quotes and inside `{{ }}`, `{% %}`, `{# #}`; each word is cut at its first `=`
// that is not escaped as `\=`; the value loses one pair of surrounding quotes.
// Values stay strings, as in Ansible.

export interface KeyValues {
  /** key → value, in order; a repeated key keeps the last value. */
  pairs: Record<string, string>;
  /** Words without `=` (Ansible's `_raw_params`), in order. */
  raw: string[];
}

const OPENERS: Readonly<Record<string, string>> = { '{{': '}}', '{%': '%}', '{#': '#}' };

/** Split into words; unbalanced quotes or braces keep the rest as one word. */
export function splitArgs(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  const closers: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const two = text.slice(i, i + 2);
    if (quote === null && closers.length === 0 && /\s/.test(c)) {
      if (word) words.push(word);
      word = '';
      continue;
    }
    if (quote === null && OPENERS[two] !== undefined) {
      closers.push(OPENERS[two]!);
      word += two;
      i++;
      continue;
    }
    if (quote === null && closers.length > 0 && two === closers[closers.length - 1]) {
      closers.pop();
      word += two;
      i++;
      continue;
    }
    if (c === '\\' && i + 1 < text.length) {
      word += c + text[i + 1]!;
      i++;
      continue;
    }
    if (closers.length === 0 && (c === '"' || c === "'")) {
      if (quote === null) quote = c;
      else if (quote === c) quote = null;
    }
    word += c;
  }
  if (word) words.push(word);
  return words;
}

/** One pair of matching surrounding quotes removed (Ansible's unquote). */
export function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1);
  return s;
}

export function parseKeyValues(text: string): KeyValues {
  const pairs: Record<string, string> = {};
  const raw: string[] = [];
  for (const word of splitArgs(text)) {
    const eq = findEquals(word);
    if (eq <= 0) {
      raw.push(word);
      continue;
    }
    const key = word.slice(0, eq).trim();
    const value = unquote(word.slice(eq + 1).trim());
    Object.defineProperty(pairs, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return { pairs, raw };
}

function findEquals(word: string): number {
  for (let i = 0; i < word.length; i++) {
    if (word[i] === '\\') i++;
    else if (word[i] === '=') return i;
    else if (word[i] === '"' || word[i] === "'") return -1; // a quoted word before any `=` is not key=value
  }
  return -1;
}

/** Does the string look like `k=v …` (every word a key=value pair with a name-like key)? */
export function isKeyValueForm(text: string): boolean {
  const words = splitArgs(text);
  return words.length > 0 && words.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
}
