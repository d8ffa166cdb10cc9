// The Ansible Vault envelope: a `$ANSIBLE_VAULT;<version>;<cipher>[;<vault-id>]` header
// line, then the hexlified payload wrapped at 80 columns. The payload, once unhexlified,
// is three lines: hex salt, hex HMAC-SHA256 and hex ciphertext.

export const VAULT_HEADER = '$ANSIBLE_VAULT';
const VERSIONS = new Set(['1.1', '1.2']);
export const DEFAULT_VAULT_ID = 'default';

export interface VaultEnvelope {
  version: string;
  cipher: string;
  /** The vault id the header names (format 1.2), else `default`. */
  vaultId: string;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

/** A broken envelope or payload: no password can help. */
export class VaultFormatError extends Error {}

/** Whether text is vault-encrypted data (what Ansible's is_encrypted tests). */
export function isVaultText(text: string): boolean {
  return text.startsWith(`${VAULT_HEADER};`);
}

export function parseEnvelope(text: string): VaultEnvelope {
  const lines = text.split(/\r?\n|\r/);
  const header = lines[0]!.trim().split(';').map((s) => s.trim());
  if (header[0] !== VAULT_HEADER || header.length < 3) throw new VaultFormatError('malformed vault header (want $ANSIBLE_VAULT;1.1;AES256)');
  const [, version, cipher, vaultId] = header as [string, string, string, string?];
  if (!VERSIONS.has(version)) throw new VaultFormatError(`unsupported vault format version ${JSON.stringify(version)} (kvmplay reads 1.1 and 1.2)`);
  const payload = unhex(lines.slice(1).map((l) => l.trim()).join(''), 'payload').toString('latin1');
  const parts = payload.split('\n');
  if (parts.length < 3) throw new VaultFormatError('malformed vault payload: want salt, HMAC and ciphertext');
  const [salt, hmac, ...rest] = parts as [string, string, ...string[]];
  return {
    version,
    cipher,
    vaultId: vaultId || DEFAULT_VAULT_ID,
    salt: unhex(salt, 'salt'),
    hmac: unhex(hmac, 'HMAC'),
    ciphertext: unhex(rest.join('\n'), 'ciphertext'),
  };
}

/** Strict hex (Buffer.from(…, 'hex') silently stops at the first bad digit). */
function unhex(hex: string, what: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new VaultFormatError(`malformed vault ${what}: not hexadecimal`);
  if (hex.length === 0) throw new VaultFormatError(`malformed vault ${what}: empty`);
  return Buffer.from(hex, 'hex');
}
