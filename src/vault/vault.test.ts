// Ansible Vault decryption and passwords against files Debian's ansible-vault made
// (test/fixtures/vault/, throwaway passwords). The loaders using it: src/data/vault-load.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';
import { repoRoot, scratchDir, writeFile } from '../../test/support/cli.js';
import {
  decryptVaultFile, decryptVaultText, decryptVaultValue, isVaultFile, parseEnvelope, readVaultSecrets, resetVault, setVaultSecrets,
  VaultOpenError, type VaultSecret,
} from './index.js';

const FIXTURES = join(repoRoot, 'test/fixtures/vault');
const fixture = (name: string): string => join(FIXTURES, name);
const secret = (id: string, password: string): VaultSecret => ({ id, password: Buffer.from(password), source: 'test' });
const PLAIN = 'db_password: Vaulted-Db-Pw-41\nport: 5432\nusers: [alice, bob]\n';
const at = (file: string) => ({ file, line: 1, col: 1 });
const decryptFixture = (name: string): string => decryptVaultText(readFileSync(fixture(name), 'utf8'), at(name));

describe('vault envelopes', () => {
  it('reads the 1.1 and 1.2 headers', () => {
    const v11 = parseEnvelope(readFileSync(fixture('vars-1.1.yml'), 'utf8'));
    assert.deepEqual([v11.version, v11.cipher, v11.vaultId, v11.salt.length, v11.hmac.length], ['1.1', 'AES256', 'default', 32, 32]);
    const v12 = parseEnvelope(readFileSync(fixture('vars-1.2.yml'), 'utf8'));
    assert.deepEqual([v12.version, v12.vaultId], ['1.2', 'prod']);
  });
});

describe('vault decryption', () => {
  afterEach(resetVault);

  it('decrypts format 1.1 and 1.2, trying the password of the named vault id first', () => {
    setVaultSecrets([secret('default', 'fixture-pass-one'), secret('prod', 'fixture-pass-prod')]);
    assert.equal(decryptFixture('vars-1.1.yml'), PLAIN);
    assert.equal(decryptFixture('vars-1.2.yml'), PLAIN);
  });

  it('says which file no password opens, in Ansible\'s words', () => {
    setVaultSecrets([secret('default', 'wrong-password')]);
    assert.throws(() => decryptFixture('vars-1.2.yml'),
      (e: unknown) => e instanceof ValidationError && e.message === 'vars-1.2.yml:1:1: Decryption failed (no vault secrets were found that could decrypt)');
  });

  it('checks the HMAC before decrypting', () => {
    setVaultSecrets([secret('default', 'fixture-pass-one')]);
    assert.throws(() => decryptFixture('tampered-hmac.yml'), /tampered-hmac\.yml:1:1: Decryption failed/);
  });

  it('leaves an inline value no password opens sealed (null), but not a broken one', () => {
    setVaultSecrets([secret('default', 'wrong-password')]);
    assert.equal(decryptVaultValue(readFileSync(fixture('vars-1.1.yml'), 'utf8'), at('x.yml')), null);
    assert.throws(() => decryptVaultValue(readFileSync(fixture('malformed.yml'), 'utf8'), at('x.yml')), /Vault format error/);
    setVaultSecrets([secret('default', 'fixture-pass-one')]);
    assert.equal(decryptVaultValue(readFileSync(fixture('vars-1.1.yml'), 'utf8'), at('x.yml')), PLAIN);
  });

  it('decrypts a vault-encrypted file to its bytes (a binary archive too)', () => {
    const archive = readFileSync(fixture('files-play/files/bundle.tar.gz'));
    assert.ok(isVaultFile(archive));
    assert.ok(!isVaultFile(Buffer.from('$ANSIBLE_VAULTED plain text')));
    assert.throws(() => decryptVaultFile(archive), (e: unknown) => e instanceof VaultOpenError && e.sealed && /no vault password was given/.test(e.message));
    setVaultSecrets([secret('default', 'fixture-pass-one')]);
    const plain = decryptVaultFile(archive);
    assert.deepEqual([...plain.subarray(0, 2)], [0x1f, 0x8b], 'a gzip stream');
  });
});

describe('vault passwords', () => {
  const noEnv = {};

  it('reads a password file, stripping its line end', async () => {
    const [s] = await readVaultSecrets({ vaultPasswordFile: [fixture('password.txt')] }, noEnv);
    assert.deepEqual([s!.id, s!.password.toString()], ['default', 'fixture-pass-one']);
  });

  it('runs an executable password file and takes its output', async () => {
    const [s] = await readVaultSecrets({ vaultPasswordFile: [fixture('password-script.sh')] }, noEnv);
    assert.equal(s!.password.toString(), 'fixture-pass-one');
  });

  it('takes --vault-id label@file, ANSIBLE_VAULT_IDENTITY_LIST and ANSIBLE_VAULT_PASSWORD_FILE in Ansible\'s order', async () => {
    const env = { ANSIBLE_VAULT_PASSWORD_FILE: fixture('password.txt'), ANSIBLE_VAULT_IDENTITY_LIST: `prod@${fixture('prod-password.txt')}` };
    const got = await readVaultSecrets({ vaultId: [fixture('password-script.sh')] }, env);
    assert.deepEqual(got.map((s) => [s.id, s.password.toString()]),
      [['prod', 'fixture-pass-prod'], ['default', 'fixture-pass-one'], ['default', 'fixture-pass-one']]);
  });

  it('refuses a missing or empty password file', async () => {
    await assert.rejects(readVaultSecrets({ vaultPasswordFile: [fixture('nope.txt')] }, noEnv), /vault password file .*nope\.txt was not found/);
    const dir = scratchDir('vault-empty');
    await assert.rejects(readVaultSecrets({ vaultPasswordFile: [writeFile(dir, 'empty', '\n')] }, noEnv), /Invalid vault password was provided from file/);
  });
});
