// Vault-encrypted sources against Ansible (issue 15, point 5): copy (a file and a folder),
// template (vault id prod), script, unarchive and the file lookup read them decrypted,
// `decrypt: false` sends one as it is (test/fixtures/vault/files-play, made with
// ansible-vault). Both tools on lab01, each under its own root: the same statuses and
// the same files; kvmplay prints none of the secrets, even with -v and --diff. Without
// a password that opens a source, the task using it fails, not the run at load.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { explain, kvmplay, repoRoot, type CliResult } from '../support/cli.js';
import { TwinLab } from '../support/twin.js';

const FIXTURES = join(repoRoot, 'test/fixtures/vault');
const PLAYBOOK = join(FIXTURES, 'files-play', 'site.yaml');
const PASSWORDS = ['--vault-password-file', join(FIXTURES, 'password.txt'), '--vault-id', `prod@${join(FIXTURES, 'prod-password.txt')}`];
// The plaintexts of the encrypted sources (the fixtures' README).
const SECRETS = ['Copied-File-Secret-12', 'Copied-Line-Two', 'Tree-Secret-Key-64', 'Template-Secret-31', 'Bundle-Secret-55'];

interface TaskEvent { event: string; task: string; status: string; msg?: string }

function events(r: CliResult): TaskEvent[] {
  return r.stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task');
}

function assertNoSecret(r: CliResult): void {
  for (const s of SECRETS) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `the vault plaintext ${s} was printed:\n${explain(r)}`);
}

describe('vault-encrypted sources of copy, template, script, unarchive and lookup, against Ansible', function () {
  this.timeout(900_000);
  let lab: TwinLab;

  before(async () => {
    lab = await TwinLab.open('vault-files');
  });
  after(async () => {
    await lab?.close();
  });

  it('sends the decrypted files as ansible-playbook does, and prints no plaintext with --diff', async () => {
    const r = await lab.twin({
      playbook: PLAYBOOK, ansibleHost: 'lab01', kvmplayHost: 'lab01', args: [...PASSWORDS, '--diff'],
      state: async (host, dir) => `${await lab.fileTree(host, dir)}${await lab.read(host, `${dir}/secret.txt`)}`,
    });
    assert.deepEqual(r.problems, []);
    assertNoSecret(r.kvmplay);
    assert.match(r.kvmplay.stdout, /diff withheld: the new content of \S+\/secret\.txt comes from a vault-encrypted file/);
    assert.ok(r.outcomes.every((o) => !o.endsWith(': failed')), r.outcomes.join('\n'));
    const kRoot = (await lab.sh('lab01', `ls -d ${lab.base}/*-kvmplay`)).trim();
    assert.equal(await lab.read('lab01', `${kRoot}/app.conf`), 'listen=8443\nkey=Template-Secret-31\n');
    assert.equal(await lab.read('lab01', `${kRoot}/tree/key.txt`), 'tree-key=Tree-Secret-Key-64\n');
    assert.equal(await lab.read('lab01', `${kRoot}/bundled.txt`), 'bundled=Bundle-Secret-55\n');
    assert.equal(await lab.read('lab01', `${kRoot}/looked-up.txt`), 'api-key=Copied-File-Secret-12\nsecond=Copied-Line-Two\n');
    assert.match(await lab.read('lab01', `${kRoot}/sealed.txt`), /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  });

  it('fails the task whose source no password opens (the template), and loads the playbook', async () => {
    const r = await kvmplay(['run', PLAYBOOK, '-i', lab.lab.inventory, '--limit', 'lab01', '-e', `root=${lab.base}/sealed`, '--json',
      '--vault-password-file', join(FIXTURES, 'password.txt')]);
    assert.equal(r.code, 2, explain(r));
    const byTask = new Map(events(r).map((e) => [e.task, e]));
    assert.equal(byTask.get('a folder holding a vault-encrypted file')?.status, 'changed', explain(r));
    const template = byTask.get('a vault-encrypted template');
    assert.equal(template?.status, 'failed', explain(r));
    assert.match(template?.msg ?? '', /Decryption failed \(no vault secrets were found that could decrypt\)/);
    assertNoSecret(r);
  });

  it('without any password the first encrypted source fails its task, naming what to give', async () => {
    const r = await kvmplay(['run', PLAYBOOK, '-i', lab.lab.inventory, '--limit', 'lab01', '-e', `root=${lab.base}/none`, '--json']);
    assert.equal(r.code, 2, explain(r));
    const copy = events(r).find((e) => e.task === 'a vault-encrypted file, decrypted');
    assert.equal(copy?.status, 'failed', explain(r));
    assert.match(copy?.msg ?? '', /cannot read src secret\.txt: vault-encrypted, and no vault password was given \(--vault-password-file/);
  });
});
