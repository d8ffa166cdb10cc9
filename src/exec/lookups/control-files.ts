// Files on the control machine, as Ansible's loader reads them (_get_file_contents):
// the text, decoded as UTF-8. A vault-encrypted file is an error here, since kvmplay
// has no vault password to decrypt it with.
import { readFileSync, statSync } from 'node:fs';

const VAULT_HEADER = '$ANSIBLE_VAULT;';

/** The file's text; `fail` with `unreadable(reason)` when it cannot be read (a directory, no permission). */
export function readControlFile(file: string, fail: (m: string) => never, unreadable: (reason: string) => string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(unreadable(code === 'EISDIR' ? `${file} is a directory` : `${file}: ${(err as Error).message}`));
  }
  if (text.startsWith(VAULT_HEADER)) return fail(unreadable(`${file} is vault-encrypted, which kvmplay cannot decrypt`));
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
