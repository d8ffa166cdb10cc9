// `kvmplay ping` / `kvmplay exec` end to end, over real SSH to lab hosts.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { quoteShellCommand } from '../../src/util/shell-quote.js';
import { ensureLab } from '../support/lab-fixture.js';
import { kvmplayBin, kvmplay, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';

interface Recap {
  ok: boolean;
  hosts: Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }>;
}

type Lab = Awaited<ReturnType<typeof ensureLab>>;

/** An inventory of lab hosts with the lab's key; `extra` adds or overrides host variables. */
function inventoryFor(lab: Lab, hosts: Record<string, Record<string, unknown>>, knownHosts: string): string {
  const dir = scratchDir('inv');
  const doc = {
    all: {
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: join(lab.labDir, 'id_ed25519'),
        known_hosts: knownHosts,
        ansible_ssh_timeout: 3,
      },
      hosts,
    },
  };
  return writeFile(dir, 'inventory.yaml', JSON.stringify(doc, null, 2));
}

function addressOf(lab: Lab, name: string): string {
  const h = lab.hosts.find((x) => x.name === name);
  assert.ok(h, `lab host ${name} exists`);
  return h.address;
}

describe('kvmplay ping and exec over real SSH', function () {
  this.timeout(600_000);
  let lab: Lab;
  let labKnownHosts: string;

  before(async () => {
    lab = await ensureLab();
    labKnownHosts = join(lab.labDir, 'known_hosts');
  });

  it('pings every lab host (sshd-init and systemd hosts) and prints the JSON recap as the last line', async () => {
    const r = await kvmplay(['ping', '-i', lab.inventory, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const recap = lastJsonLine<Recap>(r.stdout);
    assert.equal(recap.ok, true);
    assert.deepEqual(Object.keys(recap.hosts).sort(), lab.hosts.map((h) => h.name));
    for (const c of Object.values(recap.hosts)) assert.deepEqual(c, { ok: 1, changed: 0, failed: 0, skipped: 0, unreachable: false });
    const events = r.stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(events.length, lab.hosts.length);
    for (const e of events) {
      assert.equal(e.event, 'task');
      assert.equal(e.status, 'ok');
      assert.equal(typeof e.duration_ms, 'number');
    }
  });

  it('shows live per-host progress with listr2 on a terminal, then the recap', async () => {
    // `script` gives kvmplay a real pseudo-terminal, as an operator's shell would.
    const cmd = `stty cols 120 rows 40; ${quoteShellCommand([process.execPath, kvmplayBin, 'ping', '-i', lab.inventory])}`;
    const { stdout } = await promisify(execFile)('script', ['-qec', cmd, '/dev/null'], { timeout: 120_000 });
    for (const { name } of lab.hosts) assert.match(stdout, new RegExp(String.raw`\u2714\S* ${name}: ok \(pong\)`));
    assert.match(stdout, /PLAY RECAP/);
  });

  it("prints each host's own hostname from exec", async () => {
    const r = await kvmplay(['exec', '-i', lab.inventory, '--', 'hostname']);
    assert.equal(r.code, 0, r.stderr);
    for (const { name } of lab.hosts) {
      assert.match(r.stdout, new RegExp(`^${name} \\| CHANGED \\| rc=0 >>\\n${name}$`, 'm'));
    }
    assert.match(r.stdout, /PLAY RECAP/);
  });

  it('exits 2 when the command fails on one host, and still reports the others', async () => {
    const r = await kvmplay(['exec', '-i', lab.inventory, '--json', '--', 'test "$(hostname)" != lab02']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const recap = lastJsonLine<Recap>(r.stdout);
    assert.equal(recap.hosts.lab02?.failed, 1);
    assert.equal(recap.hosts.lab01?.changed, 1);
    assert.equal(recap.hosts.lab03?.changed, 1);
    assert.equal(recap.hosts.lab04?.changed, 1);
  });

  it('ends a hanging command at --step-timeout and fails that host', async () => {
    const r = await kvmplay(['exec', '-i', lab.inventory, '--limit', 'lab01', '--step-timeout', '1', '--json', '--', 'sleep 97']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /timed out/);
    const left = await kvmplay(['exec', '-i', lab.inventory, '--limit', 'lab01', '--', 'pgrep -x sleep || echo none']);
    assert.match(left.stdout, /^none$/m, 'the remote sleep was ended');
  });

  it('refuses a host whose key is not in known_hosts (exit 3) and runs nothing on it', async () => {
    const empty = writeFile(scratchDir('kh'), 'known_hosts', '');
    const inv = inventoryFor(lab, { lab01: { ansible_host: addressOf(lab, 'lab01') } }, empty);
    const marker = `/tmp/kvmplay-refused-${process.pid}`;
    const r = await kvmplay(['exec', '-i', inv, '--', `touch ${marker}`]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /known_hosts/);
    const check = await kvmplay(['exec', '-i', lab.inventory, '--limit', 'lab01', '--', `test -e ${marker} && echo present || echo absent`]);
    assert.match(check.stdout, /^absent$/m);
  });

  it('refuses a changed host key even with --accept-new-host-keys', async () => {
    // known_hosts that maps lab01's address to lab02's key: a "changed" key for lab01.
    const lab02Lines = readFileSync(labKnownHosts, 'utf8').split('\n').filter((l) => l.split(' ')[0]?.split(',').includes(addressOf(lab, 'lab02')));
    assert.ok(lab02Lines.length > 0, 'lab known_hosts has lab02');
    const forged = lab02Lines.map((l) => [addressOf(lab, 'lab01'), ...l.split(' ').slice(1)].join(' ')).join('\n') + '\n';
    const kh = writeFile(scratchDir('kh'), 'known_hosts', forged);
    const inv = inventoryFor(lab, { lab01: { ansible_host: addressOf(lab, 'lab01') } }, kh);
    const r = await kvmplay(['ping', '-i', inv, '--accept-new-host-keys']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /chang/i);
    assert.equal(readFileSync(kh, 'utf8'), forged, 'known_hosts left untouched');
  });

  it('records a first-seen key with --accept-new-host-keys, then trusts it', async () => {
    const kh = writeFile(scratchDir('kh'), 'known_hosts', '');
    const inv = inventoryFor(lab, { lab03: { ansible_host: addressOf(lab, 'lab03') } }, kh);
    const first = await kvmplay(['ping', '-i', inv, '--accept-new-host-keys']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(readFileSync(kh, 'utf8'), new RegExp(addressOf(lab, 'lab03').replace(/\./g, '\\.')));
    const again = await kvmplay(['ping', '-i', inv]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
  });

  it('reaches lab02 through lab01 as a jump host', async () => {
    const inv = inventoryFor(
      lab,
      { lab02: { ansible_host: addressOf(lab, 'lab02'), jump: `root@${addressOf(lab, 'lab01')}` } },
      labKnownHosts,
    );
    const r = await kvmplay(['exec', '-i', inv, '--', 'hostname; echo "from=${SSH_CONNECTION%% *}"']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^lab02$/m);
    // The connection arrives at lab02 from lab01's address, not from the control machine.
    assert.match(r.stdout, new RegExp(`^from=${addressOf(lab, 'lab01').replace(/\./g, '\\.')}$`, 'm'));
  });

  it('becomes root through sudo as the non-root user, never showing the password', async () => {
    const password = readFileSync(join(lab.labDir, 'become-password'), 'utf8').trim();
    const inv = inventoryFor(
      lab,
      { lab01: { ansible_host: addressOf(lab, 'lab01'), ansible_user: 'kvp', ansible_become: true, ansible_become_password: password } },
      labKnownHosts,
    );
    const r = await kvmplay(['exec', '-i', inv, '--json', '--', `whoami; id -un; echo ${password}`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /root/);
    assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), 'password redacted');
    const plain = await kvmplay(['exec', '-i', inv, '--', 'id -un']);
    assert.match(plain.stdout, /^root$/m);
    const asUser = inventoryFor(lab, { lab01: { ansible_host: addressOf(lab, 'lab01'), ansible_user: 'kvp' } }, labKnownHosts);
    const unbecome = await kvmplay(['exec', '-i', asUser, '--', 'id -un']);
    assert.match(unbecome.stdout, /^kvp$/m);
  });

  it('fails become clearly with a wrong sudo password', async () => {
    const inv = inventoryFor(
      lab,
      { lab01: { ansible_host: addressOf(lab, 'lab01'), ansible_user: 'kvp', ansible_become: true, ansible_become_password: 'wrong-password-x' } },
      labKnownHosts,
    );
    const r = await kvmplay(['exec', '-i', inv, '--', 'whoami']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /password/i);
    assert.ok(!r.stdout.includes('wrong-password-x'));
  });

  it('reports an address where nothing listens as unreachable (exit 3) and still prints the others', async () => {
    const hosts: Record<string, Record<string, unknown>> = {
      lab01: { ansible_host: addressOf(lab, 'lab01') },
      lab02: { ansible_host: addressOf(lab, 'lab02') },
      // A lab address with no host behind it: the connect times out.
      ghost: { ansible_host: '10.213.0.250' },
      // A closed port on loopback: the connect is refused at once.
      closed: { ansible_host: '127.0.0.1', ansible_port: 1 },
    };
    const inv = inventoryFor(lab, hosts, labKnownHosts);
    const r = await kvmplay(['ping', '-i', inv, '--json']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const recap = lastJsonLine<Recap>(r.stdout);
    assert.equal(recap.hosts.lab01?.ok, 1);
    assert.equal(recap.hosts.lab02?.ok, 1);
    assert.equal(recap.hosts.ghost?.unreachable, true);
    assert.equal(recap.hosts.closed?.unreachable, true);
    // The reachable hosts do not wait for the ghost's connect timeout: their results come first.
    const order = r.stdout.trimEnd().split('\n').slice(0, -1).map((l) => (JSON.parse(l) as { host: string }).host);
    assert.equal(order[order.length - 1], 'ghost', order.join(','));
    assert.match(r.stdout, /"host":"ghost".*timed out/);
  });

  it('exits 5 on a bad option and 4 on a malformed inventory', async () => {
    const bad = await kvmplay(['ping', '-i', lab.inventory, '--forks', 'many']);
    assert.equal(bad.code, 5);
    const dir = scratchDir('badinv');
    writeFileSync(join(dir, 'inv.yaml'), 'all:\n  hosts:\n    a: [\n');
    const malformed = await kvmplay(['ping', '-i', join(dir, 'inv.yaml')]);
    assert.equal(malformed.code, 4);
    assert.match(malformed.stderr, /inv\.yaml:\d+:\d+/);
  });
});
