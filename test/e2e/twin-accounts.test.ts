// user, group and authorized_key against Ansible (test/support/twin.ts): the playbook
// runs with ansible-playbook on lab02 and with kvmplay on lab03; the accounts are
// compared as `getent passwd/group/shadow` lines (nothing masked: both tools get the
// same hashes), with the homes and key files under each tool's root. Accounts are
// host-wide (every kvtw-* name is removed before and after); the root is replaced by
// ROOT in the lines that name it (passwd's home field). Generated ssh keys are random:
// their files' digests are the only thing left out.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { kvmplay, repoRoot } from '../support/cli.js';
import { TwinLab } from '../support/twin.js';

const playbook = join(repoRoot, 'test', 'fixtures', 'twin-modules', 'accounts', 'accounts.yaml');
const ANSIBLE_HOST = 'lab02';
const KVMPLAY_HOST = 'lab03';
const USERS = ['kvtw-alice', 'kvtw-bob', 'kvtw-carol', 'kvtw-dave', 'kvtw-erin', 'kvtw-frank', 'kvtw-nogroup', 'kvtw-secret'];
const GROUPS = ['kvtw-staff', 'kvtw-dev', 'kvtw-sys', 'kvtw-gone', ...USERS];
const HASH1 = '$6$kvtwsalt1$FJcnnCxvW80iX16oFzdWwuUg/12PVcO2NADv5zuZtVI4Nx.gJ/dWWWGcb8guqDE3ZlHSwpqHqPHAeyKhzWwt7/';

// Every kvtw-* account and group, their homes outside the roots (bob's is made by
// create_home's default in /home) and their mail spools.
const CLEANUP = `for u in ${USERS.join(' ')}; do userdel -f "$u" 2>/dev/null; rm -rf "/home/$u" "/var/mail/$u"; done
for g in ${GROUPS.join(' ')}; do groupdel "$g" 2>/dev/null; done; exit 0`;

const ACCOUNTS = `for u in ${USERS.join(' ')}; do getent passwd "$u" || echo "no passwd $u"; getent shadow "$u" || echo "no shadow $u"; done
for g in ${GROUPS.join(' ')}; do getent group "$g" || echo "no group $g"; done`;

describe('user, group and authorized_key against ansible-playbook', function () {
  let lab: TwinLab;
  const cleanup = async (): Promise<void> => {
    for (const h of [ANSIBLE_HOST, KVMPLAY_HOST]) await lab.sh(h, CLEANUP);
  };
  before(async () => {
    lab = await TwinLab.open('accounts');
    await cleanup();
  });
  after(async () => {
    await cleanup();
    await lab.close();
  });

  /** The accounts, bob's home in /home, the root's tree; the root named ROOT, generated keys' digests left out. */
  async function state(host: string, root: string): Promise<string> {
    const tree = await lab.fileTree(host, root);
    const bobHome = await lab.fileTree(host, '/home/kvtw-bob');
    const saved = await lab.sh(host, 'cd "$1" 2>/dev/null && for f in out/*; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 0', root);
    const text = `${await lab.sh(host, ACCOUNTS)}--- ROOT\n${tree}--- /home/kvtw-bob\n${bobHome}${saved}`;
    return text.split(root).join('ROOT').replace(/^(\S*\.ssh\/id_ed25519(?:\.pub)?\s+f \d+ \S+) sha256:\w+$/gm, '$1 (generated key)');
  }

  it('creates, changes and removes accounts, groups and keys as Ansible does', async () => {
    const r = await lab.twin({ playbook, ansibleHost: ANSIBLE_HOST, kvmplayHost: KVMPLAY_HOST, state });
    assert.deepEqual(r.problems, []);
    // The playbook did what it is for (both tools agreed on it).
    for (const line of ['user: changed', 'authorized_key: changed', 'group: changed']) assert.ok(r.outcomes.includes(line), r.outcomes.join('\n'));
    const accounts = await lab.sh(KVMPLAY_HOST, ACCOUNTS);
    assert.match(accounts, /^kvtw-alice:x:3811:3801:Alice L\.:\/srv\/\S+\/home\/kvtw-alice:\/bin\/bash$/m);
    assert.match(accounts, /^kvtw-alice:!\$6\$kvtwsalt1\$/m);
    assert.match(accounts, /^kvtw-sys:x:3803:kvtw-alice$/m);
  });

  it('never prints the password hash, whatever the verbosity, with --diff and on failure', async () => {
    const pb = join(repoRoot, 'test', 'fixtures', 'twin-modules', 'accounts', 'secret.yaml');
    for (const extra of [['-vvv', '--diff'], ['--check', '--diff'], ['--json', '-v']]) {
      const k = await kvmplay(['run', pb, '-i', lab.lab.inventory, '--limit', KVMPLAY_HOST, ...extra], { timeoutMs: 300_000 });
      assert.ok(k.code === 0 || k.code === 2, `${k.code}: ${k.stderr}`);
      assert.ok(!`${k.stdout}${k.stderr}`.includes(HASH1), `the hash is in kvmplay's output (${extra.join(' ')})`);
      assert.ok(!`${k.stdout}${k.stderr}`.includes('kvtwsalt1'), `the salt is in kvmplay's output (${extra.join(' ')})`);
      assert.match(k.stdout, /NOT_LOGGING_PASSWORD/);
    }
    assert.match(await lab.sh(KVMPLAY_HOST, 'getent shadow kvtw-secret'), /^kvtw-secret:\$6\$kvtwsalt1\$/);
  });
});
