// Secrets (passwords, secret-named variables, no_log values) never reach any output,
// `--json` and error messages included. Redaction is by value: every place a secret
// shows up (a rendered file in --diff, command output, an error) is masked on the
// way out, never in what is sent to hosts.

const MASK = '********';

// Words that make a variable name secret (the name split at `_`, `-`, `.` and
// camelCase), as Ansible's no_log heuristics and ansible-lint look for them.
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pass', 'passphrase', 'pwd', 'secret', 'secrets', 'token',
  'credential', 'credentials', 'apikey', 'privatekey',
]);
// Two adjacent words that make a name secret: `api_key`, `aws_secret_access_key`, …
const SECRET_PAIRS = new Set(['api_key', 'private_key', 'secret_key', 'access_key', 'auth_key']);
const PATH_WORDS = new Set(['file', 'path', 'dir']);

/**
 * Whether a variable's values are secrets by its name: a word from SECRET_WORDS
 * or SECRET_PAIRS anywhere in it (`ansible_become_pass`, `db_password_old`,
 * `registryToken`, `aws_secret_access_key`), or the `vault_` prefix Ansible's
 * best practices give vaulted variables; but not a name ending in `_file`, `_path`
 * or `_dir`, which holds where a secret is.
 */
export function isSecretName(name: string): boolean {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[-_.\s]+/).filter(Boolean);
  // `ansible_ssh_private_key_file`, `vault_password_file`: where a secret is, not the secret.
  if (PATH_WORDS.has(words[words.length - 1] ?? '')) return false;
  if (words[0] === 'vault' && words.length > 1) return true;
  return words.some((w, i) => SECRET_WORDS.has(w) || SECRET_PAIRS.has(`${w}_${words[i + 1] ?? ''}`));
}

export class Redactor {
  private readonly secrets = new Set<string>();
  /** The secrets longest first, so a secret containing another is masked whole; rebuilt after add. */
  private ordered: string[] | undefined;

  /**
   * Remember a value to hide, and its forms in output: each line of a multi-line
   * secret (a diff prefixes lines) and its JSON-escaped form. Short values are
   * ignored: masking "a" would mangle all output.
   */
  add(secret: string | undefined | null): void {
    if (typeof secret !== 'string') return;
    const forms = [secret, JSON.stringify(secret).slice(1, -1)];
    if (secret.includes('\n')) forms.push(...secret.split(/\r?\n/).map((l) => l.trim()));
    for (const s of forms) if (s.length >= 3) this.secrets.add(s);
    this.ordered = undefined;
  }

  /**
   * Hide a secret of any shape: each string inside a list or map, and numbers of
   * six characters or more (a YAML `pin: 123456` is a number; shorter numbers
   * would mask counts and durations everywhere).
   */
  addValue(value: unknown): void {
    if (typeof value === 'string') this.add(value);
    else if (typeof value === 'number' || typeof value === 'bigint') {
      if (String(value).length >= 6) this.add(String(value));
    } else if (Array.isArray(value)) value.forEach((v) => this.addValue(v));
    else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => this.addValue(v));
  }

  /** Hide the values of every secret-named variable, also inside maps (`db: {password: …}`). */
  addSecretVars(vars: unknown): void {
    if (Array.isArray(vars)) return vars.forEach((v) => this.addSecretVars(v));
    if (vars === null || typeof vars !== 'object') return;
    for (const [k, v] of Object.entries(vars)) {
      if (isSecretName(k)) this.addValue(v);
      else this.addSecretVars(v);
    }
  }

  redact(text: string): string {
    let out = text;
    this.ordered ??= [...this.secrets].sort((a, b) => b.length - a.length);
    for (const s of this.ordered) {
      if (out.includes(s)) out = out.split(s).join(MASK);
    }
    return out;
  }

  /** Deep copy of a JSON-like value with every string redacted. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v);
      return out as T;
    }
    return value;
  }

  /** Mask secrets in an error's message and stack (they are printed), then hand it back. */
  redactError<E>(err: E): E {
    if (err instanceof Error) {
      err.message = this.redact(err.message);
      if (err.stack !== undefined) err.stack = this.redact(err.stack);
    }
    return err;
  }
}
