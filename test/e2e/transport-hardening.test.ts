// Issue 11, items 4, 6, 7, 9 and 10: the connection layer's hardening, shown over real
// OpenSSH on the lab. Hosts: lab04 (ours: its link is cut and restored, files written
// in /tmp), lab01 → lab02 only as a read-only jump, and known_hosts copies in a scratch
// folder (the lab's own known_hosts is never written).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TaskError, UnreachableError } from '../../src/errors.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { kvmplay, kvmplayBin, lastJsonLine, repoRoot } from '../support/cli.js';
import { rejection, useSshTestbed } from '../support/ssh-testbed.js';

// lab04's control-side veth (src/lab/paths.ts outerLinks): down = the link is cut.
const LAB04_LINK = 'kvp1-lab04';

function setLink(state: 'up' | 'down'): void {
  execFileSync('ip', ['link', 'set', LAB04_LINK, state]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('transport hardening over real sshd (issue 11)', function () {
  this.timeout(180_000);
  // Registered first: whatever a test did, lab04 is reachable again before its hosts close.
  afterEach(() => setLink('up'));
  const bed = useSshTestbed('kvmplay-hardening-e2e-');
  const { hostFor, labKeyOf, addressOf } = bed;
  const scratchFile = (name: string, text: string): string => bed.scratchFile(name, text, 0o600);

  /** An inventory of lab04 with the lab's connection settings plus `extra` host lines. */
  function lab04Inventory(file: string, extra = ''): string {
    return scratchFile(file, `all:
  vars:
    ansible_user: root
    ansible_ssh_private_key_file: ${join(bed.lab.labDir, 'id_ed25519')}
    known_hosts: ${join(bed.lab.labDir, 'known_hosts')}
  hosts:
    lab04:
      ansible_host: ${addressOf('lab04')}
${extra}`);
  }

  describe('item 4: each hop authenticates with its own credentials', () => {
    it('never offers the target\'s SSH password to a jump host', async () => {
      // No key and no agent: the password is the only credential there is. The jump
      // host must not be offered it (ssh2 reports the methods it tried).
      const jumpUser = `kvpjump${Date.now()}`;
      const h = hostFor('lab02', {
        user: 'kvp', password: 'target-only-secret', identityFiles: [],
        jump: [{ host: addressOf('lab01'), port: 22, user: jumpUser }],
      });
      const err = await rejection(h.connect());
      assert.ok(err instanceof UnreachableError);
      assert.match(err.message, new RegExp(`jump host ${jumpUser}@10\\.213\\.0\\.11:22: authentication failed`));
      assert.doesNotMatch(err.message, /authentication failed \(password/, 'password was tried on the jump host');
      assert.match(err.message, /no credentials: no identity file or agent/);
      assert.doesNotMatch(err.message, /target-only-secret/);
    });

    it('still authenticates the jump host with the keys it is given', async () => {
      const h = hostFor('lab02', { jump: [{ host: addressOf('lab01'), port: 22, user: 'kvp' }], password: 'target-only-secret' });
      assert.equal((await h.run(['hostname'])).stdout, 'lab02\n');
    });
  });

  describe('item 6: invalid connection settings are validation errors', () => {
    const bad = `    bad_port:
      ansible_host: 10.213.0.14
      ansible_port: "22abc"
    bad_become:
      ansible_host: 10.213.0.14
      become: perhaps
`;
    let inv = '';
    let playbook = '';
    before(() => {
      inv = lab04Inventory('bad-settings.yaml', bad);
      playbook = scratchFile('touch.yaml', `- hosts: all
  gather_facts: false
  tasks:
    - name: leave a trace
      command: touch /tmp/kvp-hardening-item6
`);
    });

    function assertNamesBoth(stderr: string): void {
      assert.match(stderr, new RegExp(`${inv}:\\d+:\\d+: host "bad_port": ansible_port must be a positive whole number, got "22abc"`));
      assert.match(stderr, new RegExp(`${inv}:\\d+:\\d+: host "bad_become": become must be a boolean, got "perhaps"`));
    }

    it('refuses `run` with exit 4 naming each host and variable, and runs nothing', async () => {
      await hostFor('lab04').run(['rm', '-f', '/tmp/kvp-hardening-item6']);
      const r = await kvmplay(['run', playbook, '-i', inv]);
      assert.equal(r.code, 4, r.stdout + r.stderr);
      assertNamesBoth(r.stderr);
      assert.equal((await hostFor('lab04').run(['test', '-e', '/tmp/kvp-hardening-item6'])).rc, 1, 'the play ran on lab04');
    });

    it('refuses `validate -i`, `ping` and `exec` with exit 4 naming each host and variable', async () => {
      for (const args of [['validate', playbook, '-i', inv], ['ping', '-i', inv], ['exec', '-i', inv, '--', 'true']]) {
        const r = await kvmplay(args);
        assert.equal(r.code, 4, `${args[0]}: ${r.stdout}${r.stderr}`);
        assertNamesBoth(r.stderr);
      }
    });

    it('still prints the variables with `inventory --host`, as ansible-inventory does', async () => {
      const r = await kvmplay(['inventory', '-i', inv, '--host', 'bad_port']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as Record<string, unknown>).ansible_port, '22abc');
    });
  });

  describe('item 7: a line break in the become password', () => {
    it('is refused before anything runs, so nothing leaks into the command\'s stdin', async () => {
      const marker = `/tmp/kvp-hardening-nl-${Date.now()}`;
      const h = hostFor('lab04', { user: 'kvp', becomePassword: `${bed.becomePassword}\nleaked line` });
      const err = await rejection(h.run(['tee', marker], { become: true }));
      assert.ok(err instanceof TaskError);
      assert.match(err.message, /become password contains a line break/);
      assert.doesNotMatch(err.message, /leaked line/);
      assert.equal((await hostFor('lab04').run(['test', '-e', marker])).rc, 1, 'the command ran');
    });

    it('is a validation error (exit 4) for `exec`, naming the host and variable', async () => {
      const inv = lab04Inventory('nl-become.yaml', '');
      const text = readFileSync(inv, 'utf8').replace('    lab04:\n', `    lab04:\n      ansible_become_password: "x\\ny"\n`);
      writeFileSync(inv, text);
      const r = await kvmplay(['exec', '-i', inv, '--become', '--', 'true']);
      assert.equal(r.code, 4, r.stdout + r.stderr);
      assert.match(r.stderr, /host "lab04": ansible_become_password must not contain a line break/);
    });
  });

  describe('item 9: known_hosts', () => {
    it('refuses a host whose address entry holds another key, even when its name entry matches', async () => {
      const kh = scratchFile('name-ok-address-wrong', `lab04 ${labKeyOf('lab04')}\n${addressOf('lab04')} ${labKeyOf('lab03')}\n`);
      const err = await rejection(hostFor('lab04', { knownHosts: [kh] }).connect());
      assert.ok(err instanceof UnreachableError);
      assert.match(err.message, /host key CHANGED .*possible man-in-the-middle; refusing \(remove the old entry .*name-ok-address-wrong:2 to accept\)/);
    });

    it('refuses a host whose name entry holds another key, even when its address entry matches', async () => {
      const kh = scratchFile('address-ok-name-wrong', `${addressOf('lab04')} ${labKeyOf('lab04')}\nlab04 ${labKeyOf('lab03')}\n`);
      const err = await rejection(hostFor('lab04', { knownHosts: [kh] }, { acceptNewHostKeys: true }).connect());
      assert.match(err.message, /host key CHANGED .*address-ok-name-wrong:2 to accept/);
    });

    it('records a first-seen key hashed when asked, readable by ssh-keygen -F, and trusts it after', async () => {
      const file = join(bed.scratch, 'hashed', 'known_hosts');
      await hostFor('lab04', { knownHosts: [file], hashKnownHosts: true }, { acceptNewHostKeys: true }).connect();
      const text = readFileSync(file, 'utf8');
      assert.match(text, /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 \S+\n$/);
      assert.ok(text.endsWith(` ${labKeyOf('lab04')}\n`));
      assert.ok(!text.includes(addressOf('lab04')), 'the address is written in clear');
      const found = execFileSync('ssh-keygen', ['-F', addressOf('lab04'), '-f', file], { encoding: 'utf8' });
      assert.match(found, /Host 10\.213\.0\.14 found: line 1/);
      assert.equal((await hostFor('lab04', { knownHosts: [file] }).run(['hostname'])).stdout, 'lab04\n');
    });
  });

  describe('item 10: a dead link', () => {
    it('reports a host whose link is cut mid-command unreachable within 15 s by default', async () => {
      const inv = lab04Inventory('dead-link.yaml');
      const marker = `/tmp/kvp-hardening-dl-${Date.now()}`;
      const child = spawn(process.execPath, [kvmplayBin, 'exec', '-i', inv, '--json', '--', `touch ${marker}; sleep 120`], { cwd: repoRoot });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      const probe = hostFor('lab04');
      for (let i = 0; (await probe.run(['test', '-e', marker])).rc !== 0; i++) {
        assert.ok(i < 100, 'the command never started');
        await sleep(100);
      }
      await probe.close();
      setLink('down');
      const cut = Date.now();
      const code = await exited;
      const seconds = (Date.now() - cut) / 1000;
      setLink('up');
      assert.equal(code, 3, stdout);
      const recap = lastJsonLine<{ hosts: Record<string, { unreachable: boolean }> }>(stdout);
      assert.equal(recap.hosts.lab04?.unreachable, true, stdout);
      // At most 15 s of silence (probes 5 s apart, 3 unanswered; before the fix: 60 s),
      // plus the moment the CLI takes to report and exit.
      assert.ok(seconds <= 15.5, `unreachable reported ${seconds} s after the cut`);
    });

    it('honours ServerAliveInterval/ServerAliveCountMax from ansible_ssh_common_args', async () => {
      const inv = lab04Inventory('fast-keepalive.yaml', '      ansible_ssh_common_args: -o ServerAliveInterval=1 -o ServerAliveCountMax=2\n');
      const spec = connectionFor(await loadInventory([inv]), 'lab04');
      const h = bed.track(new SshHost(spec, { acceptNewHostKeys: false, agentSocket: '' }));
      await h.run(['true']);
      const running = h.run(['sleep', '120']);
      await sleep(500);
      setLink('down');
      const cut = Date.now();
      const err = await rejection(running);
      const seconds = (Date.now() - cut) / 1000;
      setLink('up');
      assert.ok(err instanceof UnreachableError, String(err));
      assert.match(err.message, /connection lost while running a command/);
      assert.ok(seconds <= 2.5, `unreachable reported ${seconds} s after the cut (1 s × 2 expected)`);
    });
  });
});
