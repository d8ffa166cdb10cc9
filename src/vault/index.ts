// Ansible Vault: decrypting vault files and `!vault` values with the passwords given.
export { isVaultText, parseEnvelope, VaultFormatError, VAULT_HEADER, type VaultEnvelope } from './envelope.js';
export { decryptAes256 } from './aes256.js';
export {
  decryptVaultText, hasVaultSecrets, resetVault, revealVaultValue, setVaultSecrets, watchVaultPlaintexts, type VaultSecret,
} from './keyring.js';
export { readVaultSecrets, vaultSources, type VaultOptions } from './passwords.js';
