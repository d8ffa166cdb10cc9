// The SSH transport (SPEC 7) against real OpenSSH servers: the lab's hosts.
// Never mocks ssh2; every assertion is about what happened on a real host.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InterruptedError, TaskError, UnreachableError } from '../../src/errors.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { rejection, useSshTestbed } from '../support/ssh-testbed.js';

describe('SSH transport over real sshd', function () {
  this.timeout(120_000);
  const bed = useSshTestbed('kvmplay-ssh-e2e-');
  const { hostFor, specFor, labKeyOf, scratchFile, addressOf } = bed;

  /** Is a process still running (zombies are dead) on the host? */
  async function running(host: SshHost, pid: string): Promise<boolean> {
    const r = await host.run(`test -r /proc/${pid}/stat && ! grep -q ') Z ' /proc/${pid}/stat`);
    return r.rc === 0;
  }

  it('runs a command and returns its output and exit status', async () => {
    const r = await hostFor('lab01').run(['hostname']);
    assert.deepEqual(r, { rc: 0, stdout: 'lab01\n', stderr: '' });
  });

  it('reports a non-zero exit status with the command\'s stderr', async () => {
    const r = await hostFor('lab01').run('echo out; echo err >&2; exit 3');
    assert.deepEqual(r, { rc: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('feeds stdin to the command and ends it', async () => {
    const r = await hostFor('lab01').run(['cat'], { stdin: 'line one\nline two\n' });
    assert.equal(r.stdout, 'line one\nline two\n');
  });

  it('runs an argv with awkward words exactly, in cwd', async () => {
    const argv = ['printf', '%s|', "it's", '$(id)', 'a;b', 'a&b', '<x', 'l1\nl2', '', 'ü✓'];
    const r = await hostFor('lab01').run(argv, { cwd: '/tmp' });
    assert.equal(r.stdout, "it's|$(id)|a;b|a&b|<x|l1\nl2||ü✓|");
  });

  it('reuses one connection for many commands', async () => {
    const h = hostFor('lab01');
    const ports = new Set<string>();
    for (let i = 0; i < 3; i++) ports.add((await h.run('echo "$SSH_CLIENT"')).stdout.split(' ')[1] ?? '');
    assert.equal(ports.size, 1);
  });

  describe('persistent shell', () => {
    /** The PID of the shell each command was started from. */
    const parentOf = async (h: SshHost, opts = {}) => (await h.run('echo $PPID', opts)).stdout.trim();

    it('runs a host\'s commands from one long-lived shell, each in a subshell of its own', async () => {
      const h = hostFor('lab01');
      const first = await parentOf(h);
      assert.deepEqual(await h.run('cd /; X=1; export Y=2; echo out; echo err >&2; exit 7', { cwd: '/tmp' }), { rc: 7, stdout: 'out\n', stderr: 'err\n' });
      assert.deepEqual(await h.run('printf "%s|%s|%s" "$PWD" "$X" "$Y"'), { rc: 0, stdout: `${(await h.run('echo ~')).stdout.trim()}||`, stderr: '' });
      assert.equal(await parentOf(h), first);
    });

    it('keeps output without a final newline and output as large as a file, byte for byte', async () => {
      const h = hostFor('lab01');
      assert.equal((await h.run(['printf', 'no newline'])).stdout, 'no newline');
      const big = await h.run('head -c 3000000 /dev/zero | tr "\\0" "x"; echo tail >&2');
      assert.equal(big.stdout.length, 3_000_000);
      assert.match(big.stdout, /^x+$/);
      assert.equal(big.stderr, 'tail\n');
    });

    it('starts one shell per become user, with the sudo password given once', async () => {
      const h = hostFor('lab01', { user: 'kvp', becomePassword: bed.becomePassword });
      const asRoot = await parentOf(h, { become: true });
      assert.equal((await h.run(['whoami'], { become: true })).stdout, 'root\n');
      assert.equal(await parentOf(h, { become: true }), asRoot);
      assert.notEqual(await parentOf(h), asRoot);
      assert.equal((await h.run(['whoami'])).stdout, 'kvp\n');
    });

    it('starts a new shell after a timeout ended the last one', async () => {
      const h = hostFor('lab01');
      const before = await parentOf(h);
      assert.equal((await h.run('sleep 3004', { timeoutMs: 500 })).timedOut, true);
      const after = await parentOf(h);
      assert.notEqual(after, before);
      assert.equal(await running(h, before), false);
    });

    it('uses one exec channel per command when told not to (KVMPLAY_PERSISTENT_SHELL=0)', async () => {
      // Each command is then the session's own process, started by sshd.
      const parentName = async (h: SshHost) => (await h.run('cat /proc/$PPID/comm')).stdout.trim();
      assert.equal(await parentName(hostFor('lab01', {}, { persistentShell: false })), 'sshd');
      assert.equal(await parentName(hostFor('lab01')), 'sh');
    });
  });

  it('becomes root through sudo with the password on stdin, the command\'s stdin intact', async () => {
    const h = hostFor('lab01', { user: 'kvp', becomePassword: bed.becomePassword });
    assert.equal((await h.run(['whoami'])).stdout, 'kvp\n');
    assert.deepEqual(await h.run(['whoami'], { become: true }), { rc: 0, stdout: 'root\n', stderr: '' });
    const r = await h.run(['cat'], { become: true, stdin: 'only this\n' });
    assert.equal(r.stdout, 'only this\n');
  });

  it('fails clearly on a wrong sudo password', async () => {
    const h = hostFor('lab01', { user: 'kvp', becomePassword: 'not-the-password' });
    const err = await rejection(h.run(['whoami'], { become: true }));
    assert.ok(err instanceof TaskError);
    assert.match(err.message, /become failed: incorrect sudo password for kvp/);
    assert.doesNotMatch(err.message + err.stderr, /not-the-password/);
  });

  for (const persistentShell of [true, false]) {
    const mode = persistentShell ? 'persistent shell' : 'exec channel';
    const tag = persistentShell ? 'shell' : 'exec';
    it(`ends the remote command and its children on timeout (${mode})`, async () => {
      const h = hostFor('lab01', {}, { persistentShell });
      const started = Date.now();
      const r = await h.run(`echo $$ > /tmp/kvp-e2e-${tag}-parent; trap '' TERM; sleep 3001 & echo $! > /tmp/kvp-e2e-${tag}-child; wait`, { timeoutMs: 1000 });
      assert.equal(r.timedOut, true);
      assert.equal(r.rc, null);
      assert.ok(Date.now() - started < 10_000);
      const pids = (await h.run(`cat /tmp/kvp-e2e-${tag}-parent /tmp/kvp-e2e-${tag}-child`)).stdout.trim().split('\n');
      assert.equal(pids.length, 2);
      for (const pid of pids) assert.equal(await running(h, pid), false, `process ${pid} still runs`);
    });

    it(`ends a timed-out command run through sudo as root (${mode})`, async () => {
      const h = hostFor('lab02', { user: 'kvp', becomePassword: bed.becomePassword }, { persistentShell });
      const r = await h.run(`echo $$ > /tmp/kvp-e2e-${tag}-become; exec sleep 3002`, { become: true, timeoutMs: 1000 });
      assert.equal(r.timedOut, true);
      const pid = (await h.run(['cat', `/tmp/kvp-e2e-${tag}-become`], { become: true })).stdout.trim();
      assert.match(pid, /^[0-9]+$/);
      assert.equal(await running(h, pid), false);
    });

    it(`ends the remote command when the run is aborted (${mode})`, async () => {
      const h = hostFor('lab01', {}, { persistentShell });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 500);
      const err = await rejection(h.run(`echo $$ > /tmp/kvp-e2e-${tag}-abort; exec sleep 3003`, { signal: ac.signal }));
      assert.ok(err instanceof InterruptedError);
      const pid = (await h.run(['cat', `/tmp/kvp-e2e-${tag}-abort`])).stdout.trim();
      assert.equal(await running(h, pid), false);
    });
  }

  it('refuses a host missing from known_hosts and runs nothing on it', async () => {
    const empty = scratchFile('empty_known_hosts', '');
    const marker = `/tmp/kvp-e2e-never-${Date.now()}`;
    const err = await rejection(hostFor('lab02', { knownHosts: [empty] }).run(['touch', marker]));
    assert.ok(err instanceof UnreachableError);
    assert.equal(err.exitCode, 3);
    assert.match(err.message, /^lab02 \(10\.213\.0\.12:22\): host key not in known_hosts .*--accept-new-host-keys/);
    assert.equal((await hostFor('lab02').run(['test', '-e', marker])).rc, 1);
  });

  it('refuses a changed host key even with accept-new-host-keys', async () => {
    const lying = scratchFile('changed_known_hosts', `${addressOf('lab02')} ${labKeyOf('lab03')}\n`);
    const before = readFileSync(lying, 'utf8');
    const err = await rejection(hostFor('lab02', { knownHosts: [lying] }, { acceptNewHostKeys: true }).connect());
    assert.ok(err instanceof UnreachableError);
    assert.match(err.message, /host key CHANGED .*possible man-in-the-middle; refusing \(remove the old entry .*changed_known_hosts:1 to accept\)/);
    assert.equal(readFileSync(lying, 'utf8'), before);
  });

  it('records a first-seen host key when accepting new keys, then trusts it', async () => {
    const file = join(bed.scratch, 'new', 'known_hosts');
    await hostFor('lab02', { knownHosts: [file] }, { acceptNewHostKeys: true }).connect();
    assert.equal(readFileSync(file, 'utf8'), `${addressOf('lab02')} ${labKeyOf('lab02')}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal((await hostFor('lab02', { knownHosts: [file] }).run(['hostname'])).stdout, 'lab02\n');
  });

  it('jumps through lab01 (as its own user) to lab02, checking both host keys', async () => {
    const h = hostFor('lab02', { jump: [{ host: addressOf('lab01'), port: 22, user: 'kvp' }] });
    const r = await h.run('hostname; echo "$SSH_CLIENT"');
    const [name, client] = r.stdout.split('\n');
    assert.equal(name, 'lab02');
    assert.equal(client?.split(' ')[0], addressOf('lab01'));
    const onlyTarget = scratchFile('only_lab02', `${addressOf('lab02')} ${labKeyOf('lab02')}\n`);
    const err = await rejection(hostFor('lab02', { jump: [{ host: addressOf('lab01'), port: 22 }], knownHosts: [onlyTarget] }).connect());
    assert.match(err.message, /jump host root@10\.213\.0\.11:22: host key not in known_hosts/);
  });

  it('writes, reads and stats a file whose name needs quoting, byte for byte', async () => {
    const h = hostFor('lab01');
    const dir = `/tmp/kvp e2e "q'uote" $(x) ; & <dir>`;
    assert.equal((await h.run(['mkdir', '-p', dir])).rc, 0);
    const path = `${dir}/file "q'x" $(id) ; & < sp.txt`;
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await h.writeAtomic(path, bytes, { mode: 0o640 });
    assert.deepEqual(await h.readFile(path), bytes);
    const st = await h.stat(path);
    assert.deepEqual(st, { size: 256, mode: 0o640, uid: 0, gid: 0, isDirectory: false, isFile: true, isSymlink: false });
    await h.writeAtomic(path, 'replaced\n');
    assert.equal((await h.readFile(path))?.toString(), 'replaced\n');
    assert.equal((await h.stat(path))?.mode, 0o640, 'an existing file keeps its mode');
    assert.equal((await h.run(['ls', '-A', dir])).stdout, `file "q'x" $(id) ; & < sp.txt\n`, 'no temp file left behind');
    assert.equal(await h.readFile(`${dir}/missing`), null);
    assert.equal(await h.stat(`${dir}/missing`), null);
    await h.run(['ln', '-sfn', path, `${dir}/link`]);
    assert.equal((await h.stat(`${dir}/link`))?.isSymlink, true);
    await h.run(['rm', '-rf', dir]);
  });

  it('reports a closed port as unreachable at once', async () => {
    const port = await closedPort();
    const started = Date.now();
    const err = await rejection(new SshHost(specFor('lab01', { host: '127.0.0.1', port }), { acceptNewHostKeys: false }).connect());
    assert.ok(err instanceof UnreachableError);
    assert.equal(err.message, `lab01 (127.0.0.1:${port}): connection refused`);
    assert.ok(Date.now() - started < 2000);
  });

  it('lets the process exit by itself after close', async () => {
    const sshHost = new URL('../../src/transport/ssh/ssh-host.js', import.meta.url).href;
    const spec = JSON.stringify(specFor('lab01'));
    const script = `import { SshHost } from ${JSON.stringify(sshHost)};
      const h = new SshHost(${spec}, { acceptNewHostKeys: false, agentSocket: '' });
      await h.run(['true']); await h.readFile('/etc/hostname'); await h.close();`;
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit', cwd: fileURLToPath(new URL('.', import.meta.url)) });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0);
  });
});

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
