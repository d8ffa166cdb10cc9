// Secrets (passwords, no_log values) never reach any output, `--json` included.

const MASK = '********';

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remember a value to hide. Short values are ignored: masking "a" would mangle all output. */
  add(secret: string | undefined | null): void {
    if (typeof secret === 'string' && secret.length >= 3) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is masked whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
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
}
