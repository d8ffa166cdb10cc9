// An authorized_keys file as ansible.posix.authorized_key reads and rewrites it, pure:
// lines parsed into (key, type, options, comment, rank), keyed by the key's base64
// (a line that is no key: by the line itself, kept as is), the wanted keys merged in,
// then written back ordered by rank. Its quirks are kept, because a file rewritten
// differently would be "changed" by one tool and not by the other: every key line it
// rewrites is normalised ("opts type key comment", a trailing space when there is no
// comment), lines that repeat collapse into the last one, a key whose comment or
// options differ moves to the end.

/** Key types the module recognises (the first of a line's words that is one starts the key). */
export const KEY_TYPES: ReadonlySet<string> = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com', 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com', 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521-cert-v01@openssh.com', 'sk-ssh-ed25519@openssh.com', 'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com', 'ssh-dss', 'ssh-rsa', 'ssh-xmss@openssh.com', 'ssh-xmss-cert-v01@openssh.com',
  'rsa-sha2-256', 'rsa-sha2-512', 'ssh-rsa-cert-v01@openssh.com', 'rsa-sha2-256-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com',
]);

/** Key options in order; a name may repeat (`permitopen` twice). null: a flag without value. */
export type KeyOptions = Array<[string, string | null]>;

export interface KeyEntry {
  /** The key's base64, or the whole line for a line that is not a key. */
  id: string;
  /** The key type; 'skipped' for a line kept as is (comment, blank, unknown). */
  type: string;
  options: KeyOptions;
  comment: string;
  rank: number;
}

export class KeyParseError extends Error {}

/** The option string split at commas outside quotes (the module's regex, with re.split's separators). */
export function parseOptions(options: string): KeyOptions {
  const out: KeyOptions = [];
  if (options === '') return out;
  const re = /(?:[^,"']|"[^"]*"|'[^']*')+/g;
  const parts: string[] = [];
  let last = 0;
  let first = true;
  for (let m = re.exec(options); m !== null; m = re.exec(options)) {
    if (!first) parts.push(options.slice(last, m.index));
    parts.push(m[0]);
    last = m.index + m[0].length;
    first = false;
  }
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq >= 0) out.push([part.slice(0, eq), part.slice(eq + 1)]);
    else if (part !== ',') out.push([part, null]);
  }
  return out;
}

/** Python's str.split() of shlex with whitespace_split and no quotes: words between blanks. */
const words = (s: string): string[] => s.split(/[ \t\r\n]+/).filter((w) => w !== '');

/** One line (or one wanted key): a KeyEntry, or null when it has no key type. */
export function parseKey(raw: string, rank: number): KeyEntry | null {
  const line = raw.split('\\#').join('#');
  const parts = words(line);
  if (parts[0] === '#') return { id: line, type: 'skipped', options: [], comment: '', rank };
  const at = parts.findIndex((p) => KEY_TYPES.has(p));
  if (at < 0) return null;
  const key = parts[at + 1];
  // The module dies with an IndexError here; kvmplay says what is wrong.
  if (key === undefined) throw new KeyParseError(`invalid key specified: ${raw.trim()} (no key after its type)`);
  return { id: key, type: parts[at]!, options: at > 0 ? parseOptions(parts.slice(0, at).join(' ')) : [], comment: parts.slice(at + 2).join(' '), rank };
}

/** Python's splitlines(keepends=True). */
export function splitLinesKeep(text: string): string[] {
  return text.match(/[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])|[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+$/g) ?? [];
}

/** The file's entries by id, in first-seen order, a repeated id keeping its last line (a dict's assignment). */
export function parseKeyFile(content: string): Map<string, KeyEntry> {
  const keys = new Map<string, KeyEntry>();
  splitLinesKeep(content).forEach((line, rank) => {
    const e = parseKey(line, rank) ?? { id: line, type: 'skipped', options: [], comment: '', rank };
    keys.set(e.id, e);
  });
  return keys;
}

/** Options as the module compares them: a dict of name → values (order of names does not count). */
function sameOptions(a: KeyOptions, b: KeyOptions): boolean {
  const group = (o: KeyOptions): Map<string, Array<string | null>> => {
    const m = new Map<string, Array<string | null>>();
    for (const [k, v] of o) m.set(k, [...(m.get(k) ?? []), v]);
    return m;
  };
  const ga = group(a);
  const gb = group(b);
  if (ga.size !== gb.size) return false;
  for (const [k, v] of ga) {
    const w = gb.get(k);
    if (!w || w.length !== v.length || w.some((x, i) => x !== v[i])) return false;
  }
  return true;
}

const sameEntry = (a: KeyEntry, b: KeyEntry): boolean => a.id === b.id && a.type === b.type && a.comment === b.comment && sameOptions(a.options, b.options);

export function serializeKeys(keys: ReadonlyMap<string, KeyEntry>): string {
  // A stable sort: entries of the same rank stay in the map's order.
  return [...keys.values()].sort((a, b) => a.rank - b.rank).map((e) => {
    if (e.type === 'skipped') return e.id;
    const opts = e.options.length ? `${e.options.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join(',')} ` : '';
    return `${opts}${e.type} ${e.id} ${e.comment}\n`;
  }).join('');
}

export interface KeyWant {
  /** The `key` argument: one key a line; blank lines and lines starting with # are left out. */
  key: string;
  state: 'present' | 'absent';
  keyOptions?: string | undefined;
  comment?: string | undefined;
  exclusive: boolean;
}

/** The file's new content, or null when it stays as it is. Throws KeyParseError for a line of `key` that is no key. */
export function editKeys(content: string, want: KeyWant): string | null {
  const wanted = want.key.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/).filter((s) => s !== '' && !s.startsWith('#'));
  const existing = parseKeyFile(content);
  const maxRank = existing.size;
  const keep: string[] = [];
  let write = false;
  wanted.forEach((line, rank) => {
    let k = parseKey(line, rank);
    if (!k) throw new KeyParseError(`invalid key specified: ${line}`);
    if (want.keyOptions !== undefined) k = { ...k, options: parseOptions(want.keyOptions) };
    if (want.comment !== undefined) k = { ...k, comment: want.comment };
    const old = existing.get(k.id);
    const matched = old !== undefined && (want.state !== 'present' || sameEntry(k, old));
    if (want.state === 'present') {
      keep.push(k.id);
      if (old !== undefined && !matched) {
        existing.delete(old.id);
        write = true;
      }
      if (!matched) {
        existing.set(k.id, { ...k, rank: maxRank + k.rank });
        write = true;
      }
    } else if (matched) {
      existing.delete(k.id);
      write = true;
    }
  });
  if (want.state === 'present' && want.exclusive) {
    for (const id of [...existing.keys()]) {
      if (!keep.includes(id)) {
        existing.delete(id);
        write = true;
      }
    }
  }
  return write ? serializeKeys(existing) : null;
}
