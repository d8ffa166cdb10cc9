// Ansible Vault: decrypting vault files and `!vault` values with the passwords given.
export { isVaultText, parseEnvelope, VaultFormatError, VAULT_HEADER, type VaultEnvelope } from './envelope.js';
export { decryptAes256 } from './aes256.js';
export {
  decryptVaultFile, decryptVaultText, decryptVaultValue, hasVaultSecrets, isVaultFile, resetVault, revealVaultValue, setVaultSecrets, watchVaultPlaintexts, VaultOpenError, type VaultSecret,
} from './keyring.js';
export { readVaultSecrets, vaultSources, type VaultOptions } from './passwords.js';
