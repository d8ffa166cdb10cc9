// Vault-encrypted files and inline `!vault` values in the loaders and the CLI, with the
// fixtures Debian's ansible-vault made (test/fixtures/vault/, throwaway passwords).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVarsFile } from './vars-files.js';
import { loadDataText, toValue } from './yaml-load.js';
import { VaultText } from './py-values.js';
import { ValidationError } from '../errors.js';
import { explain, kvmplay, repoRoot, scratchDir, writeFile } from '../../test/support/cli.js';
import { resetVault, setVaultSecrets, watchVaultPlaintexts, type VaultSecret } from '../vault/index.js';

const FIXTURES = join(repoRoot, 'test/fixtures/vault');
const fixture = (name: string): string => join(FIXTURES, name);
const secret = (id: string, password: string): VaultSecret => ({ id, password: Buffer.from(password), source: 'test' });
const ONE = secret('default', 'fixture-pass-one');
const PROD = secret('prod', 'fixture-pass-prod');
const PLAIN = { db_password: 'Vaulted-Db-Pw-41', port: 5432, users: ['alice', 'bob'] };

async function loadError(file: string): Promise<ValidationError> {
  const err = await loadVarsFile(file).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
  return err;
}

describe('vault-encrypted vars files', () => {
  afterEach(resetVault);

  it('decrypts format 1.1 with the default password', async () => {
    setVaultSecrets([ONE]);
    assert.deepEqual(await loadVarsFile(fixture('vars-1.1.yml')), PLAIN);
  });

  it('decrypts format 1.2 with the password of its vault id, whatever the order given', async () => {
    setVaultSecrets([ONE, PROD]);
    assert.deepEqual(await loadVarsFile(fixture('vars-1.2.yml')), PLAIN);
    // Ansible tries the other secrets too: a 1.2 file opens with a password given for another id.
    setVaultSecrets([secret('default', 'fixture-pass-prod')]);
    assert.deepEqual(await loadVarsFile(fixture('vars-1.2.yml')), PLAIN);
  });

  it('names the file and line when no password opens it', async () => {
    setVaultSecrets([PROD]);
    const err = await loadError(fixture('vars-1.1.yml'));
    assert.equal(err.message, `${fixture('vars-1.1.yml')}:1:1: Decryption failed (no vault secrets were found that could decrypt)`);
  });

  it('refuses a tampered HMAC as a wrong password would be', async () => {
    setVaultSecrets([ONE]);
    assert.match((await loadError(fixture('tampered-hmac.yml'))).message, /tampered-hmac\.yml:1:1: Decryption failed \(no vault secrets/);
  });

  it('explains malformed envelopes and unknown ciphers', async () => {
    setVaultSecrets([ONE]);
    assert.match((await loadError(fixture('malformed.yml'))).message, /malformed\.yml:1:1: Vault format error: malformed vault payload: not hexadecimal/);
    assert.match((await loadError(fixture('unknown-cipher.yml'))).message, /unknown-cipher\.yml:1:1: unknown vault cipher "AES128"/);
  });

  it('asks for a password when none was given', async () => {
    assert.match((await loadError(fixture('vars-1.1.yml'))).message, /vars-1\.1\.yml:1:1: vault-encrypted, and no vault password was given/);
  });

  it('gives positions in the decrypted text, named as the file', () => {
    setVaultSecrets([ONE]);
    const root = loadDataText(readFileSync(fixture('vars-1.1.yml'), 'utf8'), 'group_vars/all/vault.yml');
    assert.ok(root?.kind === 'map');
    assert.deepEqual(root.entries[2]!.keyPos, { file: 'group_vars/all/vault.yml', line: 3, col: 1 });
  });
});

describe('inline !vault values', () => {
  afterEach(resetVault);
  const inline = (): string => readFileSync(fixture('inline.yml'), 'utf8');

  it('become their decrypted text, each with its own vault id', () => {
    setVaultSecrets([ONE, PROD]);
    const v = toValue(loadDataText(inline(), 'inline.yml')!);
    assert.deepEqual(v, { plain_name: 'visible', api_token: 'Inline-Secret-77', prod_token: 'Prod-Inline-88', motd_line: 'Hidden-Motd-Line-5' });
  });

  it('stay encrypted without a password, so reading files needs none', () => {
    const v = toValue(loadDataText(inline(), 'inline.yml')!) as Record<string, unknown>;
    assert.ok(v['api_token'] instanceof VaultText);
    assert.equal(v['plain_name'], 'visible');
  });

  // Ansible decrypts an inline value where it is used: one no password opens fails there.
  it('stay sealed where no password given opens them, the others decrypted', () => {
    setVaultSecrets([ONE]);
    const v = toValue(loadDataText(inline(), 'inline.yml')!) as Record<string, unknown>;
    assert.ok(v['prod_token'] instanceof VaultText);
    assert.equal(v['api_token'], 'Inline-Secret-77');
  });

  it('and decrypted files are handed to the redactors as secrets', async () => {
    setVaultSecrets([ONE, PROD]);
    const seen: unknown[] = [];
    loadDataText(inline(), 'inline.yml');
    watchVaultPlaintexts((v) => seen.push(v));
    await loadVarsFile(fixture('vars-1.1.yml'));
    assert.deepEqual(seen, ['Inline-Secret-77', 'Prod-Inline-88', 'Hidden-Motd-Line-5', PLAIN]);
  });
});

describe('vault options of the CLI', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = scratchDir('vault-cli');
    mkdirSync(join(dir, 'group_vars', 'all'), { recursive: true });
    copyFileSync(fixture('vars-1.1.yml'), join(dir, 'group_vars', 'all', 'vault.yml'));
    copyFileSync(fixture('inline.yml'), join(dir, 'group_vars', 'all', 'inline.yml'));
    writeFile(dir, 'hosts.yml', 'all:\n  hosts:\n    web1:\n      ansible_host: 127.0.0.1\n');
    writeFile(dir, 'site.yml', '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: "{{ api_token }}"}\n');
  });

  // Every string of a decrypted file is a secret, not only the secret-named ones.
  it('inventory --host shows decrypted values masked', async () => {
    const r = await kvmplay(['inventory', '-i', join(dir, 'hosts.yml'), '--host', 'web1',
      '--vault-password-file', fixture('password.txt'), '--vault-id', `prod@${fixture('prod-password.txt')}`]);
    assert.equal(r.code, 0, explain(r));
    const vars = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(vars, {
      ansible_host: '127.0.0.1', plain_name: 'visible', api_token: '********', prod_token: '********', motd_line: '********',
      db_password: '********', port: 5432, users: ['********', '********'],
    });
  });

  it('reads a vault-encrypted inventory, every value of it masked', async () => {
    const r = await kvmplay(['inventory', '-i', fixture('inventory.yml'), '--host', 'db1', '--vault-password-file', fixture('password-script.sh')]);
    assert.equal(r.code, 0, explain(r));
    assert.deepEqual(JSON.parse(r.stdout), { ansible_host: '********', backup_target: '********' });
  });

  it('a wrong password for a vault-encrypted file is a validation error naming the file', async () => {
    const r = await kvmplay(['inventory', '-i', join(dir, 'hosts.yml'), '--vault-password-file', fixture('prod-password.txt')]);
    assert.equal(r.code, 4, explain(r));
    assert.match(r.stderr, /group_vars\/all\/vault\.yml:1:1: Decryption failed \(no vault secrets were found that could decrypt\)/);
  });

  it('reads a vault-encrypted playbook with its password', async () => {
    const r = await kvmplay(['validate', fixture('playbook.yml'), '--vault-password-file', fixture('password.txt')]);
    assert.equal(r.code, 0, explain(r));
    assert.equal(r.stdout, 'ok: 1 plays, 1 tasks\n');
    const wrong = await kvmplay(['validate', fixture('playbook.yml'), '--vault-password-file', fixture('prod-password.txt')]);
    assert.equal(wrong.code, 4, explain(wrong));
    assert.match(wrong.stderr, /playbook\.yml:1:1: Decryption failed/);
  });

  it('takes vault_password_file from the ansible.cfg in force, relative to its folder', async () => {
    const dir = scratchDir('vault-cfg');
    copyFileSync(fixture('password.txt'), join(dir, 'pass.txt'));
    const cfg = writeFile(dir, 'ansible.cfg', '[defaults]\nvault_password_file = pass.txt\n');
    const r = await kvmplay(['validate', fixture('playbook.yml')], { env: { ...process.env, ANSIBLE_CONFIG: cfg } });
    assert.equal(r.code, 0, explain(r));
    const none = await kvmplay(['validate', fixture('playbook.yml')], { env: { ...process.env, ANSIBLE_CONFIG: writeFile(dir, 'empty.cfg', '[defaults]\n') } });
    assert.equal(none.code, 4, explain(none));
  });

  it('validate reads inline vault values without a password', async () => {
    const r = await kvmplay(['validate', join(dir, 'site.yml')]);
    assert.equal(r.code, 0, explain(r));
  });

  it('--ask-vault-pass without a terminal fails clearly', async () => {
    const r = await kvmplay(['validate', join(dir, 'site.yml'), '--ask-vault-pass']);
    assert.equal(r.code, 5, explain(r));
    assert.match(r.stderr, /--ask-vault-pass and --vault-id …@prompt need a terminal/);
  });
});
