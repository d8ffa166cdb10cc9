// Secrets never reach any output (issue 11, item 5): values of secret-named variables
// from every source (inventory, group_vars beside the playbook, play vars, vars_files,
// -e), each string inside a list or map secret, in plain and --json output, in
// --diff and in error messages, while the hosts still get the real values.
// lab02 only echoes; lab01 gets files under /tmp/kvmplay-secrets-test/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { type CliResult, explain, kvmplay, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

// One per source; none is shorter than the Redactor's minimum.
const SECRETS = {
  extra: 'ExtraPw-123ghi',
  playVault: 'VaultPw-777abc',
  playApiKey: 'ApiKey-888xyz',
  varsFile: 'FileTok-444def',
  groupVars: 'GroupPass-222jkl',
  listLeaf: 'ListPw-999qrs',
  dictLeaf: 'DictPw-555mno',
  inventoryList: 'ListBecome-321zyx',
};

function assertNoSecret(r: CliResult): void {
  for (const [source, secret] of Object.entries(SECRETS)) {
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `the ${source} secret ${secret} was printed:\n${explain(r)}`);
  }
}

describe('secrets in the output of kvmplay run and exec over real SSH', function () {
  this.timeout(600_000);
  let lab: Lab;
  let lab01: SshHost;
  let dir: string;
  const remoteDir = `/tmp/kvmplay-secrets-test/${process.pid}`;

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    const inv = await loadInventory([lab.inventory]);
    lab01 = new SshHost(connectionFor(inv, 'lab01'), { acceptNewHostKeys: false, agentSocket: '' });
    assert.equal((await lab01.run(['mkdir', '-p', '--', remoteDir])).rc, 0);
    dir = scratchDir('secrets');
    writeFile(dir, 'secrets.yaml', `file_token: ${SECRETS.varsFile}\n`);
    mkdirSync(join(dir, 'group_vars'));
    writeFile(join(dir, 'group_vars'), 'all.yaml', `backup_passphrase: ${SECRETS.groupVars}\n`);
    writeFile(dir, 'site.yaml', [
      '- hosts: lab02',
      '  gather_facts: false',
      '  vars:',
      `    vault_password: ${SECRETS.playVault}`,
      `    api_key: ${SECRETS.playApiKey}`,
      `    db_credentials: [${SECRETS.listLeaf}, {inner: ${SECRETS.dictLeaf}}]`,
      '  vars_files: [secrets.yaml]',
      '  tasks:',
      '    - name: echo every secret',
      '      command: echo {{ extra_password }} {{ vault_password }} {{ api_key }} {{ file_token }} {{ backup_passphrase }} {{ db_credentials | to_json }}',
      '',
    ].join('\n'));
    writeFile(dir, 'diff.yaml', [
      '- hosts: lab01',
      '  gather_facts: false',
      '  vars:',
      `    api_key: ${SECRETS.playApiKey}`,
      '  tasks:',
      '    - name: a file with secrets in it',
      '      copy:',
      '        dest: "{{ dest }}"',
      '        content: "pw={{ extra_password }}\\nkey={{ api_key }}\\n"',
      '',
    ].join('\n'));
  });

  after(async () => {
    await lab01.run(['rm', '-rf', '--', remoteDir]).catch(() => undefined);
    await lab01.close();
  });

  const runSite = (...args: string[]): Promise<CliResult> =>
    kvmplay(['run', join(dir, 'site.yaml'), '-i', lab.inventory, '-e', `extra_password=${SECRETS.extra}`, ...args]);

  it('masks secrets from -e, play vars, vars_files, group_vars and list leaves in plain -v output', async () => {
    const r = await runSite('-v');
    assert.equal(r.code, 0, explain(r));
    assertNoSecret(r);
    // Seven values echoed, seven masks (banners are longer runs of stars).
    assert.equal(r.stdout.match(/(?<!\*)\*{8}(?!\*)/g)?.length, 7, explain(r));
  });

  it('masks the same secrets in --json events and still runs the command with the real values', async () => {
    const r = await runSite('--json');
    assert.equal(r.code, 0, explain(r));
    assertNoSecret(r);
    const task = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { task?: string; stdout?: string }).find((e) => e.task === 'echo every secret');
    assert.match(task?.stdout ?? '', /^\*{8} \*{8} \*{8} \*{8} \*{8} \[\*{8}, \{inner: \*{8}\}\]$/, explain(r));
    assert.equal(lastJsonLine<{ ok: boolean }>(r.stdout).ok, true);
  });

  it('masks secrets inside a rendered file in --diff, and writes the real values to the host', async () => {
    const dest = `${remoteDir}/conf`;
    const r = await kvmplay(['run', join(dir, 'diff.yaml'), '-i', lab.inventory, '--diff', '-e', `dest=${dest}`, '-e', `extra_password=${SECRETS.extra}`]);
    assert.equal(r.code, 0, explain(r));
    assertNoSecret(r);
    assert.match(r.stdout, /^\+pw=\*{8}$/m, explain(r));
    assert.match(r.stdout, /^\+key=\*{8}$/m, explain(r));
    assert.equal((await lab01.readFile(dest))?.toString('utf8'), `pw=${SECRETS.extra}\nkey=${SECRETS.playApiKey}\n`);
  });

  it('masks a password given as a list in the error that rejects it', async () => {
    const lab02 = lab.hosts.find((h) => h.name === 'lab02')!;
    const inventory = writeFile(dir, 'inventory.yaml', [
      'all:',
      '  hosts:',
      '    lab02:',
      `      ansible_host: ${lab02.address}`,
      '      ansible_user: root',
      `      ansible_ssh_private_key_file: ${join(lab.labDir, 'id_ed25519')}`,
      `      ansible_ssh_common_args: -o UserKnownHostsFile=${join(lab.labDir, 'known_hosts')} -o StrictHostKeyChecking=yes`,
      `      ansible_become_password: [${SECRETS.inventoryList}]`,
      '',
    ].join('\n'));
    const r = await kvmplay(['exec', '-i', inventory, '--', 'echo', 'hi']);
    assert.equal(r.code, 4, explain(r));
    assert.match(r.stderr, /ansible_become_password must be a string, got \["\*{8}"\]/, explain(r));
    assertNoSecret(r);
    // validate -i refuses the same inventory, masking the same way.
    const playbook = writeFile(dir, 'noop.yaml', '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: "true"\n');
    const v = await kvmplay(['validate', playbook, '-i', inventory]);
    assert.equal(v.code, 4, explain(v));
    assert.match(v.stderr, /ansible_become_password must be a string, got \["\*{8}"\]/, explain(v));
    assertNoSecret(v);
  });
});
