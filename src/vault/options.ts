// The vault options every command that reads playbooks or inventories takes, and the
// step that turns them into the process's vault passwords before the command runs.
import type { Command } from 'commander';
import { setVaultSecrets } from './keyring.js';
import { readVaultSecrets, vaultSources, type VaultOptions } from './passwords.js';

const add = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addVaultOptions(cmd: Command): Command {
  return cmd
    .option('--vault-password-file <file>', 'vault password file; an executable one is run and prints it (repeatable)', add, [])
    .option('--vault-id <[label@]source>', 'vault password for a vault id: a file, or "prompt" (repeatable)', add, [])
    .option('-J, --ask-vault-pass', 'ask for the vault password on the terminal');
}

/** Read the passwords the options (and ANSIBLE_VAULT_* variables) name; none is fine. */
export async function setupVault(o: VaultOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (vaultSources(o, env).length === 0) return;
  setVaultSecrets(await readVaultSecrets(o, env));
}
