// Ansible Vault over real SSH (issue 15, point 5): group_vars beside the playbook hold a
// vault-encrypted file and inline `!vault` values (fixtures made with ansible-vault);
// `kvmplay run --vault-password-file …` writes the decrypted values into a file on lab01,
// and none of them is printed, not even with -v and --diff.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { type CliResult, explain, kvmplay, repoRoot, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

const FIXTURES = join(repoRoot, 'test/fixtures/vault');
// The decrypted values of the fixtures (see their README).
const SECRETS = ['Vaulted-Db-Pw-41', 'Inline-Secret-77', 'Prod-Inline-88', 'Hidden-Motd-Line-5'];

function assertNoSecret(r: CliResult): void {
  for (const s of SECRETS) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `the vault value ${s} was printed:\n${explain(r)}`);
}

describe('Ansible Vault in kvmplay run over real SSH', function () {
  this.timeout(600_000);
  let lab: Lab;
  let lab01: SshHost;
  let dir: string;
  const remoteDir = `/tmp/kvmplay-vault-test/${process.pid}`;
  const dest = `${remoteDir}/app.conf`;
  const passwords = ['--vault-password-file', join(FIXTURES, 'password.txt'), '--vault-id', `prod@${join(FIXTURES, 'prod-password.txt')}`];

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    const inv = await loadInventory([lab.inventory]);
    lab01 = new SshHost(connectionFor(inv, 'lab01'), { acceptNewHostKeys: false, agentSocket: '' });
    assert.equal((await lab01.run(['mkdir', '-p', '--', remoteDir])).rc, 0);
    dir = scratchDir('vault');
    mkdirSync(join(dir, 'group_vars', 'all'), { recursive: true });
    copyFileSync(join(FIXTURES, 'vars-1.1.yml'), join(dir, 'group_vars', 'all', 'vault.yml'));
    copyFileSync(join(FIXTURES, 'inline.yml'), join(dir, 'group_vars', 'all', 'inline.yml'));
    // The same data through vars_files (format 1.2, vault id prod) and include_vars.
    copyFileSync(join(FIXTURES, 'vars-1.2.yml'), join(dir, 'play-vault.yml'));
    copyFileSync(join(FIXTURES, 'vars-1.1.yml'), join(dir, 'included-vault.yml'));
    writeFile(dir, 'site.yaml', [
      '- hosts: lab01',
      '  gather_facts: false',
      '  vars_files: [play-vault.yml]',
      '  tasks:',
      '    - include_vars: {file: included-vault.yml, name: included}',
      '    - name: a file made of vault values',
      '      copy:',
      `        dest: ${dest}`,
      '        content: "db={{ db_password }}\\ntoken={{ api_token }}\\nprod={{ prod_token }}\\nmotd={{ motd_line }}\\ninc={{ included.db_password }}\\n"',
      '    - name: echo a vault value with a name nobody would call secret',
      '      command: echo {{ motd_line }}',
      '      changed_when: false',
      '    - debug: {var: motd_line}',
      '',
    ].join('\n'));
  });

  after(async () => {
    await lab01.run(['rm', '-rf', '--', remoteDir]).catch(() => undefined);
    await lab01.close();
  });

  it('writes the decrypted values to the host and prints none of them with -v and --diff', async () => {
    const r = await kvmplay(['run', join(dir, 'site.yaml'), '-i', lab.inventory, '-v', '--diff', ...passwords]);
    assert.equal(r.code, 0, explain(r));
    assertNoSecret(r);
    assert.match(r.stdout, /^\+motd=\*{8}$/m, explain(r));
    assert.equal((await lab01.readFile(dest))?.toString('utf8'),
      'db=Vaulted-Db-Pw-41\ntoken=Inline-Secret-77\nprod=Prod-Inline-88\nmotd=Hidden-Motd-Line-5\ninc=Vaulted-Db-Pw-41\n');
  });

  it('takes a password script from ANSIBLE_VAULT_PASSWORD_FILE, and the second run changes nothing', async () => {
    const r = await kvmplay(['run', join(dir, 'site.yaml'), '-i', lab.inventory, '-vv', '--diff', '--json',
      '--vault-id', `prod@${join(FIXTURES, 'prod-password.txt')}`], { env: { ANSIBLE_VAULT_PASSWORD_FILE: join(FIXTURES, 'password-script.sh') } });
    assert.equal(r.code, 0, explain(r));
    assertNoSecret(r);
    assert.match(r.stdout, /"changed":0/, explain(r));
  });

  it('refuses a wrong password before connecting, naming the file', async () => {
    const r = await kvmplay(['run', join(dir, 'site.yaml'), '-i', lab.inventory, '--vault-password-file', join(FIXTURES, 'prod-password.txt')]);
    assert.equal(r.code, 4, explain(r));
    assert.match(r.stderr, /group_vars\/all\/(inline|vault)\.yml:\d+:\d+: Decryption failed \(no vault secrets were found that could decrypt\)/, explain(r));
    assertNoSecret(r);
  });

  it('without a password, a task that uses an inline vault value fails naming the argument, and sends nothing', async () => {
    const inline = scratchDir('vault-inline');
    mkdirSync(join(inline, 'group_vars', 'all'), { recursive: true });
    copyFileSync(join(FIXTURES, 'inline.yml'), join(inline, 'group_vars', 'all', 'inline.yml'));
    writeFile(inline, 'site.yaml', ['- hosts: lab01', '  gather_facts: false', '  tasks:',
      '    - name: uses a sealed value', '      command: echo {{ motd_line }}', '    - name: uses none', '      command: echo plain', ''].join('\n'));
    const r = await kvmplay(['run', join(inline, 'site.yaml'), '-i', lab.inventory, '--json']);
    assert.equal(r.code, 2, explain(r));
    const events = r.stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as { task: string; status: string; msg: string });
    const sealed = events.find((e) => e.task === 'uses a sealed value');
    assert.equal(sealed?.status, 'failed');
    assert.match(sealed?.msg ?? '', /vault-encrypted value .*no vault password opened it: give --vault-password-file/);
    assert.equal(events.find((e) => e.task === 'uses none')?.status, undefined, 'the host stopped at the failed task');
    assertNoSecret(r);
  });
});
