// `kvmplay lab` end to end: real namespaces, real sshd, the OpenSSH client.
// Leaves the shared lab up in its default shape (DEFAULT_LAB) for the test files after it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LAB, ensureLab, labCli, labStatusJson, SYSTEMD_HOSTS, type Lab } from '../support/lab-fixture.js';

interface Ssh {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The OpenSSH client with only the lab's key and known_hosts: no user config, no agent, strict keys. */
function ssh(lab: Lab, target: string, command: string, input = ''): Promise<Ssh> {
  const args = [
    '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
    '-o', `UserKnownHostsFile=${join(lab.labDir, 'known_hosts')}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=10',
    '-i', join(lab.labDir, 'id_ed25519'), target, command,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

interface RecordedState {
  hosts: { name: string; init: { pid: number } | null; unshare: { pid: number } | null }[];
}

/** A pid that is gone, or a zombie waiting for PID 1 to reap it, is no longer a running process. */
function processRuns(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function sh(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

describe('kvmplay lab with regular and systemd hosts', function () {
  // The first lab up on a machine builds the cached rootfs and repository (minutes).
  this.timeout(30 * 60_000);
  let lab: Lab;

  before(async () => {
    lab = await ensureLab();
  });

  it('brings up lab01 to lab05, each answering over SSH with its own name under strict host key checking', async () => {
    assert.deepEqual(lab.hosts.map((h) => h.name), ['lab01', 'lab02', 'lab03', 'lab04', 'lab05']);
    for (const h of lab.hosts) {
      const r = await ssh(lab, `root@${h.address}`, 'hostname; cat /etc/hostname');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${h.name}\n${h.name}\n`);
    }
  });

  it('reports every host in lab status --json with exactly name, address, netns, sshd_pid and state', async () => {
    const r = await labCli(['lab', 'status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { hosts: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(doc), ['hosts']);
    for (const h of doc.hosts) {
      assert.deepEqual(Object.keys(h).sort(), ['address', 'name', 'netns', 'sshd_pid', 'state']);
      assert.equal(h.state, 'running');
      assert.match(String(h.address), /^10\.213\.0\.\d+$/);
      assert.ok(processRuns(Number(h.sshd_pid)), `sshd ${String(h.sshd_pid)} runs`);
    }
  });

  it('reuses a lab that is already up with the same shape and prints the inventory path last', async () => {
    const r = await labCli(['lab', 'up', '--hosts', String(DEFAULT_LAB.hosts), '--systemd', String(DEFAULT_LAB.systemd)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reused/);
    assert.equal(r.stdout.trimEnd().split('\n').pop(), lab.inventory);
    // A bare `lab up` keeps the running lab's shape rather than its default of 3 hosts.
    const bare = await labCli(['lab', 'up']);
    assert.equal(bare.code, 0, bare.stderr);
    assert.match(bare.stdout, /3 regular \+ 2 systemd hosts \(reused\)/);
    assert.deepEqual((await labStatusJson()).map((h) => h.sshd_pid), lab.hosts.map((h) => h.sshd_pid));
  });

  it('gives hosts em1 with their address, em2 without one, and no route out of the lab', async () => {
    const r = await ssh(lab, `root@${lab.hosts[1]!.address}`, 'ip -o -4 addr show em1; ip -o -4 addr show em2; ip route');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`em1\\s+inet ${lab.hosts[1]!.address.replace(/\./g, '\\.')}/24`));
    assert.doesNotMatch(r.stdout, /em2\s+inet/);
    assert.doesNotMatch(r.stdout, /default/);
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '0');
  });


  it('puts the control side at 10.213.0.1/22 (room for 1,000 hosts) and changes no kernel setting for a small lab', async () => {
    assert.match(await sh('ip', ['-o', '-4', 'addr', 'show', 'dev', 'kvpsw1']), /inet 10\.213\.0\.1\/22 /);
    const state = JSON.parse(readFileSync(join(lab.labDir, 'state.json'), 'utf8')) as { settings?: unknown[] };
    assert.deepEqual(state.settings, []);
  });
  it('boots systemd as PID 1 on systemd hosts, with no failed unit, systemd-run and em1 from ifupdown', async () => {
    for (const name of SYSTEMD_HOSTS) {
      const h = lab.hosts.find((x) => x.name === name)!;
      const r = await ssh(lab, `root@${h.address}`, [
        'cat /proc/1/comm', 'systemctl is-system-running', 'systemctl --failed --no-legend | wc -l',
        'systemctl is-active networking ssh', 'systemd-run --quiet --wait true && echo transient-ok',
        'test -e /usr/sbin/policy-rc.d && echo policy || echo no-policy', 'ip -o -4 addr show em1',
        // Which unit failed, and why, should one have: other tests use these hosts before.
        'for u in $(systemctl --failed --no-legend --plain | cut -d" " -f1); do echo "failed: $u"; journalctl -b -u "$u" --no-pager -n 8; done',
      ].join('; '));
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.deepEqual(lines.slice(0, 7), ['systemd', 'running', '0', 'active', 'active', 'transient-ok', 'no-policy'], `${name}:\n${r.stdout}`);
      assert.match(r.stdout, new RegExp(`em1\\s+inet ${h.address.replace(/\./g, '\\.')}/24`));
    }
  });

  it('installs a small package from the local repository inside a host', async () => {
    const r = await ssh(lab, `root@${lab.hosts[0]!.address}`,
      'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends qemu-utils >/dev/null && qemu-img --version');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^qemu-img version/);
  });

  it('lets the non-root user sudo with the become password and refuses it without', async () => {
    const password = readFileSync(join(lab.labDir, 'become-password'), 'utf8').trim();
    const target = `kvp@${lab.hosts[2]!.address}`;
    const ok = await ssh(lab, target, "sudo -S -p '' id -un", `${password}\n`);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'root\n');
    const refused = await ssh(lab, target, "sudo -S -p '' id -un", 'wrong\n');
    assert.notEqual(refused.code, 0);
    assert.match(readFileSync(lab.inventory, 'utf8'), new RegExp(`lab_become_password: ${password}`));
  });

  it('restarts a host whose sshd was stopped when lab up runs again', async () => {
    const victim = lab.hosts[2]!;
    process.kill(victim.sshd_pid, 'SIGKILL');
    for (let i = 0; i < 100 && processRuns(victim.sshd_pid); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await labStatusJson()).find((h) => h.name === victim.name)?.state, 'stopped');
    lab = await ensureLab();
    const again = lab.hosts.find((h) => h.name === victim.name)!;
    assert.notEqual(again.sshd_pid, victim.sshd_pid);
    const r = await ssh(lab, `root@${again.address}`, 'hostname');
    assert.equal(r.stdout, `${victim.name}\n`, r.stderr);
  });

  it('restarts a systemd host whose systemd-nspawn ended, with em1 configured again at boot', async () => {
    const state = JSON.parse(readFileSync(join(lab.labDir, 'state.json'), 'utf8')) as RecordedState;
    const name = SYSTEMD_HOSTS[1]!;
    const init = state.hosts.find((h) => h.name === name)?.init?.pid;
    assert.ok(init && processRuns(init), `${name}'s init runs`);
    process.kill(init, 'SIGKILL');
    for (let i = 0; i < 100 && processRuns(init); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await labStatusJson()).find((h) => h.name === name)?.state, 'stopped');
    lab = await ensureLab();
    const h = lab.hosts.find((x) => x.name === name)!;
    const r = await ssh(lab, `root@${h.address}`, 'hostname; systemctl is-system-running --wait');
    assert.equal(r.stdout, `${name}\nrunning\n`, r.stderr);
  });

  it('gives each systemd host cgroups of its own, so that one host\'s units never touch another\'s', () => {
    const state = JSON.parse(readFileSync(join(lab.labDir, 'state.json'), 'utf8')) as RecordedState;
    for (const name of SYSTEMD_HOSTS) {
      const init = state.hosts.find((h) => h.name === name)?.init?.pid;
      assert.ok(init);
      // The container's systemd is a child of nspawn, itself the host's recorded init.
      const systemd = readFileSync(`/proc/${init}/task/${init}/children`, 'utf8').trim().split(' ').map(Number)
        .find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'systemd');
      assert.ok(systemd, `${name}'s systemd`);
      const cgroups = readFileSync(`/proc/${systemd}/cgroup`, 'utf8');
      assert.match(cgroups, new RegExp(`^\\d+:name=systemd:/kvmplay-lab/${name}/payload/init\\.scope$`, 'm'));
      assert.match(cgroups, new RegExp(`^0::/kvmplay-lab/${name}/payload/init\\.scope$`, 'm'));
    }
  });

  it('lab down leaves no namespace, link, mount or process behind, and the lab comes back with the same host keys', async () => {
    const state = JSON.parse(readFileSync(join(lab.labDir, 'state.json'), 'utf8')) as RecordedState;
    const pids = state.hosts.flatMap((h) => [h.init?.pid, h.unshare?.pid]).filter((p): p is number => p !== undefined);
    assert.equal(pids.length, 2 * lab.hosts.length);
    const knownHosts = readFileSync(join(lab.labDir, 'known_hosts'), 'utf8');

    const down = await labCli(['lab', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.doesNotMatch(await sh('ip', ['netns', 'list']), /kvp-/);
    assert.doesNotMatch(await sh('ip', ['-o', 'link']), /kvp/);
    const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    assert.ok(!mountinfo.includes(lab.labDir) && !mountinfo.includes('/run/netns/kvp-'), 'no lab mounts on the control machine');
    for (const pid of pids) assert.ok(!processRuns(pid), `pid ${pid} still runs`);
    for (const h of ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified']) assert.ok(!existsSync(`${h}/kvmplay-lab`), `${h}/kvmplay-lab removed`);
    for (const f of ['state.json', 'inventory.yaml', 'known_hosts', 'hosts']) assert.ok(!existsSync(join(lab.labDir, f)), `${f} removed`);
    assert.deepEqual(await labStatusJson(), []);

    lab = await ensureLab();
    assert.equal(readFileSync(join(lab.labDir, 'known_hosts'), 'utf8'), knownHosts);
    const r = await ssh(lab, `root@${lab.hosts[0]!.address}`, 'hostname');
    assert.equal(r.stdout, 'lab01\n', r.stderr);
  });
});

describe('kvmplay lab with light hosts', function () {
  this.timeout(30 * 60_000);
  let lab: Lab;

  before(async () => {
    lab = await ensureLab({ hosts: 5, light: true });
  });

  after(async () => {
    await ensureLab(); // later test files expect the default lab
  });

  it('brings up five light hosts with writable /tmp, /root and /srv and a read-only /usr', async () => {
    assert.equal(lab.hosts.length, 5);
    for (const h of lab.hosts) {
      const r = await ssh(lab, `root@${h.address}`,
        'hostname; touch /tmp/t /root/t /srv/t && echo writable; touch /usr/t 2>/dev/null || echo usr-read-only');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${h.name}\nwritable\nusr-read-only\n`);
    }
  });

  it('replaces the regular hosts by light ones and back, keeping the inventory consistent', async () => {
    const inv = readFileSync(lab.inventory, 'utf8');
    assert.match(inv, /lab_kind: light/);
    assert.match(inv, /lab05:/);
    const regular = await ensureLab({ hosts: 3 });
    const inv3 = readFileSync(regular.inventory, 'utf8');
    assert.match(inv3, /lab_kind: regular/);
    assert.doesNotMatch(inv3, /lab04:/);
    assert.deepEqual(regular.hosts.map((h) => h.name), ['lab01', 'lab02', 'lab03']);
    assert.deepEqual((await labStatusJson()).map((h) => h.name), ['lab01', 'lab02', 'lab03']);
  });
});
