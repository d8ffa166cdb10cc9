// The vault passwords of this kvmplay process, set once by the CLI before anything is
// loaded, and the decryption every loader uses. Every plaintext it hands out is also
// handed to the watchers (the redactors), so no decrypted value reaches any output.
import { ValidationError, type SourcePosition } from '../errors.js';
import { decryptAes256 } from './aes256.js';
import { parseEnvelope, VaultFormatError } from './envelope.js';

export interface VaultSecret {
  /** The vault id (label) this password is for: `default` unless given as label@source. */
  id: string;
  password: Buffer;
  /** Where it came from, for messages: a file name or `prompt`. */
  source: string;
}

const CIPHERS: Record<string, typeof decryptAes256> = { AES256: decryptAes256 };

let secrets: readonly VaultSecret[] = [];
const revealed: unknown[] = [];
const watchers: ((value: unknown) => void)[] = [];

export function setVaultSecrets(list: readonly VaultSecret[]): void {
  secrets = [...list];
}

export function hasVaultSecrets(): boolean {
  return secrets.length > 0;
}

/** Forget passwords, plaintexts and watchers (tests). */
export function resetVault(): void {
  secrets = [];
  revealed.length = 0;
  watchers.length = 0;
}

/** Call `watch` with every decrypted value so far and every later one. */
export function watchVaultPlaintexts(watch: (value: unknown) => void): void {
  for (const v of revealed) watch(v);
  watchers.push(watch);
}

/** Mark a value that came out of a vault (a string, or a whole decrypted file's data) as secret. */
export function revealVaultValue(value: unknown): void {
  revealed.push(value);
  for (const w of watchers) w(value);
}

/**
 * Decrypt vault text found at `pos`, trying the secret whose vault id the envelope
 * names first, then every other one (Ansible's default, DEFAULT_VAULT_ID_MATCH off).
 * Errors are ValidationErrors naming the file and line.
 */
export function decryptVaultText(text: string, pos: SourcePosition): string {
  let plain: Buffer | null = null;
  try {
    const env = parseEnvelope(text);
    const cipher = CIPHERS[env.cipher];
    if (!cipher) throw new ValidationError(pos, `unknown vault cipher ${JSON.stringify(env.cipher)} (kvmplay decrypts AES256)`);
    if (secrets.length === 0) {
      throw new ValidationError(pos, 'vault-encrypted, and no vault password was given (--vault-password-file, --vault-id or --ask-vault-pass)');
    }
    const ordered = [...secrets.filter((s) => s.id === env.vaultId), ...secrets.filter((s) => s.id !== env.vaultId)];
    for (const s of ordered) {
      plain = cipher(env, s.password);
      if (plain) break;
    }
  } catch (e) {
    if (e instanceof VaultFormatError) throw new ValidationError(pos, `Vault format error: ${e.message}`, { cause: e });
    throw e;
  }
  if (!plain) throw new ValidationError(pos, 'Decryption failed (no vault secrets were found that could decrypt)');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch (e) {
    throw new ValidationError(pos, 'the decrypted vault data is not UTF-8 text', { cause: e });
  }
}
