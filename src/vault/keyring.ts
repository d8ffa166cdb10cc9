// The vault passwords of this kvmplay process, set once by the CLI before anything is
// loaded, and the decryption every loader uses. Every plaintext it hands out is also
// handed to the watchers (the redactors), so no decrypted value reaches any output.
import { ValidationError, type SourcePosition } from '../errors.js';
import { decryptAes256 } from './aes256.js';
import { parseEnvelope, VaultFormatError, VAULT_HEADER } from './envelope.js';

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

/** Why vault data did not open: `sealed` when no password given opens it (a broken envelope is not sealed). */
export class VaultOpenError extends Error {
  constructor(message: string, readonly sealed: boolean) {
    super(message);
  }
}

export const NO_VAULT_PASSWORD = 'vault-encrypted, and no vault password was given (--vault-password-file, --vault-id or --ask-vault-pass)';
export const NO_VAULT_SECRET = 'Decryption failed (no vault secrets were found that could decrypt)';

/**
 * The plaintext of vault data, trying the secret whose vault id the envelope names
 * first, then every other one (Ansible's default, DEFAULT_VAULT_ID_MATCH off).
 * Throws VaultOpenError.
 */
function openVault(text: string): Buffer {
  let env;
  try {
    env = parseEnvelope(text);
  } catch (e) {
    if (e instanceof VaultFormatError) throw new VaultOpenError(`Vault format error: ${e.message}`, false);
    throw e;
  }
  const cipher = CIPHERS[env.cipher];
  if (!cipher) throw new VaultOpenError(`unknown vault cipher ${JSON.stringify(env.cipher)} (kvmplay decrypts AES256)`, false);
  if (secrets.length === 0) throw new VaultOpenError(NO_VAULT_PASSWORD, true);
  const ordered = [...secrets.filter((s) => s.id === env.vaultId), ...secrets.filter((s) => s.id !== env.vaultId)];
  for (const s of ordered) {
    const plain = cipher(env, s.password);
    if (plain) return plain;
  }
  throw new VaultOpenError(NO_VAULT_SECRET, true);
}

/** Decrypt vault text found at `pos` as UTF-8 text; errors are ValidationErrors naming the file and line. */
export function decryptVaultText(text: string, pos: SourcePosition): string {
  let plain: Buffer;
  try {
    plain = openVault(text);
  } catch (e) {
    if (e instanceof VaultOpenError) throw new ValidationError(pos, e.message, { cause: e });
    throw e;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch (e) {
    throw new ValidationError(pos, 'the decrypted vault data is not UTF-8 text', { cause: e });
  }
}

/**
 * An inline vault value's text, or null when no password given opens it: Ansible
 * decrypts such a value only where it is used, so it fails there, not at load.
 */
export function decryptVaultValue(text: string, pos: SourcePosition): string | null {
  try {
    return decryptVaultText(text, pos);
  } catch (e) {
    if (e instanceof ValidationError && e.cause instanceof VaultOpenError && e.cause.sealed) return null;
    throw e;
  }
}

/** Whether a file's bytes are vault-encrypted (Ansible's is_encrypted_file). */
export function isVaultFile(content: Buffer): boolean {
  return content.subarray(0, VAULT_HEADER.length + 1).toString('latin1') === `${VAULT_HEADER};`;
}

/**
 * A vault-encrypted local file's plaintext bytes (a copy/template/script source,
 * a lookup's file), as Ansible's DataLoader.get_real_file gives them. Throws
 * VaultOpenError.
 */
export function decryptVaultFile(content: Buffer): Buffer {
  return openVault(content.toString('latin1'));
}
