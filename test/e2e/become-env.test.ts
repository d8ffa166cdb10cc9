// Per-call become_user, become_method (sudo, su) and environment (Ansible's task
// keywords) through the real SshHost against the lab's sshd, and file writes with
// become landing as the become user. The lab has root and kvp (sudo with a password);
// each run adds a user of its own with a password (for su) and removes it after.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TaskError } from '../../src/errors.js';
import { putFile } from '../../src/modules/files/put-file.js';
import type { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { withRunDefaults } from '../../src/transport/task-host.js';
import { fakeContext } from '../support/module-context.js';
import { rejection, useSshTestbed } from '../support/ssh-testbed.js';

const HOST = 'lab02';

describe('become user, become method and environment per call, over real sshd', function () {
  this.timeout(120_000);
  const bed = useSshTestbed('kvmplay-become-env-e2e-');
  const user = `kvpbe${randomBytes(4).toString('hex')}`;
  // Blanks and quotes: su reads it as one line from stdin, nothing is parsed.
  const password = `pw 'q" ${randomBytes(6).toString('hex')}`;
  const awkward = { SPACED: '  two  spaces ', QUOTES: `it's "quoted" $(id) \`id\` \\n ;&|`, EMPTY: '' };
  const printAwkward = 'printf "%s|" "$SPACED" "$QUOTES" "${EMPTY-unset}"';
  const awkwardOut = `  two  spaces |it's "quoted" $(id) \`id\` \\n ;&|||`;

  const asRoot = (): SshHost => bed.hostFor(HOST);
  const asKvp = (becomePassword = bed.becomePassword): SshHost => bed.hostFor(HOST, { user: 'kvp', becomePassword });

  /** Is a process still running (zombies are dead) on the host? */
  async function running(host: SshHost, pid: string): Promise<boolean> {
    const r = await host.run(`test -r /proc/${pid}/stat && ! grep -q ') Z ' /proc/${pid}/stat`);
    return r.rc === 0;
  }

  before(async function () {
    this.timeout(900_000);
    // The testbed's own before hook (ensureLab) has run: hooks run in registration order.
    const root = bed.hostFor(HOST);
    try {
      const add = await root.run(['useradd', '-m', '-s', '/bin/sh', user]);
      assert.equal(add.rc, 0, add.stderr);
      const pw = await root.run(['chpasswd'], { stdin: `${user}:${password}\n` });
      assert.equal(pw.rc, 0, pw.stderr);
    } finally {
      await root.close();
    }
  });

  after(async () => {
    const root = bed.hostFor(HOST);
    try {
      await root.run(['userdel', '-r', '-f', user]);
    } finally {
      await root.close();
    }
  });

  describe('sudo', () => {
    it('runs as the call\'s become user instead of the host\'s (root login, no password)', async () => {
      const h = asRoot();
      assert.deepEqual(await h.run(['id', '-un'], { become: true, becomeUser: 'nobody' }), { rc: 0, stdout: 'nobody\n', stderr: '' });
      assert.equal((await h.run(['id', '-un'], { become: true, becomeUser: user })).stdout, `${user}\n`);
      assert.equal((await h.run(['id', '-un'], { becomeUser: user })).stdout, 'root\n', 'become_user without become changes nothing');
    });

    it('feeds kvp\'s sudo password and runs as the asked user, stdin intact', async () => {
      const r = await asKvp().run('id -un; cat', { become: true, becomeUser: user, becomeMethod: 'sudo', stdin: 'only this\n' });
      assert.deepEqual(r, { rc: 0, stdout: `${user}\nonly this\n`, stderr: '' });
    });

    it('ends a timed-out command run as the become user', async () => {
      const h = asRoot();
      const pidFile = `/tmp/kvp-e2e-be-sudo-${user}`;
      const r = await h.run(`echo $$ > ${pidFile}; exec sleep 3011`, { become: true, becomeUser: user, timeoutMs: 1000 });
      assert.equal(r.timedOut, true);
      const pid = (await h.run(['cat', pidFile])).stdout.trim();
      assert.match(pid, /^[0-9]+$/);
      assert.equal(await running(h, pid), false);
      await h.run(['rm', '-f', pidFile]);
    });
  });

  describe('su', () => {
    it('becomes another user from root without a password, nologin accounts included', async () => {
      const h = asRoot();
      assert.deepEqual(await h.run(['id', '-un'], { become: true, becomeUser: user, becomeMethod: 'su' }), { rc: 0, stdout: `${user}\n`, stderr: '' });
      assert.equal((await h.run(['id', '-un'], { become: true, becomeUser: 'nobody', becomeMethod: 'su' })).stdout, 'nobody\n');
    });

    it('answers su\'s prompt with the target user\'s password, the command\'s stdin intact', async () => {
      const r = await asKvp(password).run('id -un; cat', { become: true, becomeUser: user, becomeMethod: 'su', stdin: 'after the password\n' });
      assert.deepEqual(r, { rc: 0, stdout: `${user}\nafter the password\n`, stderr: '' });
    });

    it('fails clearly on a wrong su password, without showing it', async () => {
      const err = await rejection(asKvp('not-the-password').run(['id'], { become: true, becomeUser: user, becomeMethod: 'su' }));
      assert.ok(err instanceof TaskError);
      assert.match(err.message, new RegExp(`become failed: incorrect su password for ${user}`));
      assert.doesNotMatch(err.message + (err.stderr ?? ''), /not-the-password/);
    });

    it('fails clearly when su asks for a password and none is set', async () => {
      const err = await rejection(bed.hostFor(HOST, { user: 'kvp' }).run(['id'], { become: true, becomeUser: user, becomeMethod: 'su' }));
      assert.ok(err instanceof TaskError);
      assert.match(err.message, new RegExp(`su asks for ${user}'s password and none is set`));
    });

    it('ends a timed-out command run through su, with or without a password', async () => {
      for (const [h, tag] of [[asRoot(), 'root'], [asKvp(password), 'kvp']] as const) {
        const pidFile = `/tmp/kvp-e2e-be-su-${tag}-${user}`;
        const r = await h.run(`echo $$ > ${pidFile}; exec sleep 3012`, { become: true, becomeUser: user, becomeMethod: 'su', timeoutMs: 1500 });
        assert.equal(r.timedOut, true, tag);
        const root = asRoot();
        const pid = (await root.run(['cat', pidFile])).stdout.trim();
        assert.match(pid, /^[0-9]+$/);
        assert.equal(await running(root, pid), false, `${tag}: the command as ${user} still runs`);
        await root.run(['rm', '-f', pidFile]);
      }
    });
  });

  describe('environment', () => {
    it('arrives intact without become', async () => {
      const r = await asRoot().run(printAwkward, { env: awkward });
      assert.deepEqual(r, { rc: 0, stdout: awkwardOut, stderr: '' });
    });

    it('arrives intact through sudo, which resets the environment it is given', async () => {
      const r = await asKvp().run(['sh', '-c', `id -un; ${printAwkward}`], { become: true, env: awkward });
      assert.equal(r.stdout, `root\n${awkwardOut}`);
    });

    it('arrives intact through su, with and without a password', async () => {
      const opts = { become: true, becomeUser: user, becomeMethod: 'su' as const, env: awkward };
      assert.equal((await asRoot().run(printAwkward, opts)).stdout, awkwardOut);
      assert.equal((await asKvp(password).run(printAwkward, opts)).stdout, awkwardOut);
    });

    it('refuses a name that is no shell identifier, running nothing', async () => {
      const marker = `/tmp/kvp-e2e-be-env-${user}`;
      const err = await rejection(asRoot().run(['touch', marker], { env: { 'A B': 'x' } }));
      assert.ok(err instanceof TaskError);
      assert.match(err.message, /"A B" is not a valid variable name.*nothing was run/);
      assert.equal((await asRoot().run(['test', '-e', marker])).rc, 1);
    });
  });

  describe('files written with become', () => {
    for (const method of ['sudo', 'su'] as const) {
      it(`belong to the become user (${method}), the task defaults applied by withRunDefaults`, async () => {
        const host = withRunDefaults(asRoot(), { becomeUser: user, becomeMethod: method, env: { KVP_UNUSED: 'x y' } });
        const path = `/home/${user}/written-${method}.txt`;
        const ctx = fakeContext({ hostName: HOST, become: true });
        await putFile(host, ctx, { path, content: Buffer.from(`by ${method}\n`), mode: 0o640, chown: null, keepOwner: null, backupTo: null });
        const st = await asRoot().run(['stat', '-c', '%U %a', path]);
        assert.equal(st.stdout, `${user} 640\n`);
        assert.equal((await asRoot().run(['cat', path])).stdout, `by ${method}\n`);
      });
    }
  });
});
