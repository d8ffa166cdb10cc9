// Files on the control machine, as Ansible's loader reads them (_get_file_contents):
// the text, decoded as UTF-8; a vault-encrypted file decrypted with the passwords given.
import { readFileSync, statSync } from 'node:fs';
import { decryptVaultFile, isVaultFile, revealVaultValue, VaultOpenError } from '../../vault/index.js';

/** The file's text; `fail` with `unreadable(reason)` when it cannot be read (a directory, no permission). */
export function readControlFile(file: string, fail: (m: string) => never, unreadable: (reason: string) => string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(unreadable(code === 'EISDIR' ? `${file} is a directory` : `${file}: ${(err as Error).message}`));
  }
  if (!isVaultFile(bytes)) return bytes.toString('utf8');
  // A vault-encrypted file is read decrypted, as Ansible's lookups read it; its text is a secret.
  let text: string;
  try {
    text = decryptVaultFile(bytes).toString('utf8');
  } catch (err) {
    if (err instanceof VaultOpenError) return fail(unreadable(`${file}: ${err.message}`));
    throw err;
  }
  revealVaultValue(text);
  return text;
}

/** Whether `p` is a file, following symbolic links (Python's os.path.isfile). */
export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
