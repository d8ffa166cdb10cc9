// A real Debian guest from the lab's cloud-init base image (issue 17), on lab05 only (a
// systemd lab host; other files use the others meanwhile): the image built on first use
// (`kvmplay lab guest-image`), copied once to the hypervisor with disk_image `source`
// (checksum checked, holes kept), a qcow2 overlay on it per guest, direct kernel boot,
// a cloud-init seed from vm-rollout.yaml's `cloud_init`; then the guest answers SSH
// through lab05 with the seed's hostname and root's key, a second rollout changes
// nothing (the seed ISO is not rebuilt), and ACPI shuts it down. Software emulation
// (virt_type qemu): the slowest e2e file, about 3 minutes once the image exists.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { parseSums } from '../../src/lab/guest-debian-recipe.js';
import type { ModuleResult, RunModuleContext } from '../../src/modules/module.js';
import { loadModule, runModule } from '../../src/modules/registry.js';
import type { ConnectionSpec } from '../../src/transport/connection-spec.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { type CliResult, explain, kvmplay, lastJsonLine, repoRoot, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, labCli } from '../support/lab-fixture.js';
import { fakeContext } from '../support/module-context.js';

const HOST = 'lab05';
const TAG = `kvpcig${process.pid % 100000}`;
/** The guest's domain name; the seed gives it another hostname, so the one it shows came from the seed. */
const VM = `${TAG}-debian`;
const SEED_HOSTNAME = `${TAG}-host`;
const SEED_FQDN = `${SEED_HOSTNAME}.lab.example`;
const POOL = `/var/lib/libvirt/images/${TAG}`;
/** The base as users keep one: copied once, never written, overlays on it. */
const BASE = `${POOL}/base/debian12.raw`;
/** A small raw image with a marker: the guest's second disk, copied and converted by the rollout itself. */
const DATA = `${POOL}/base/data.raw`;
const MARKER = 'kvmplay-marker';
const SSH_TIMEOUT_MS = 300_000;
const SHUTDOWN_TIMEOUT_MS = 120_000;

interface HostCounts { ok: number; changed: number; failed: number; unreachable: boolean }
interface RecapJson { ok: boolean; hosts: Record<string, HostCounts> }
interface TaskEvent { event: string; host: string; task: string; status: string; changed: boolean; msg: string; diff?: string }

function events(stdout: string): TaskEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task');
}

describe('a Debian cloud-init guest on lab05 from the lab base image @slow', function () {
  this.timeout(900_000);
  let inventory = '';
  let scratch = '';
  let hv: SshHost;
  let hvSpec: ConnectionSpec;
  let guest: SshHost | undefined;
  let image: { dir: string; sums: Map<string, string> };
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

  /** A shell script on lab05 as root, through argv (not through the code under test). */
  const sh = async (script: string, ...args: string[]): Promise<string> => {
    const r = await hv.run(['sh', '-c', script, 'sh', ...args], { timeoutMs: 300_000 });
    assert.equal(r.rc, 0, `${HOST}: ${script}: ${r.stderr}`);
    return r.stdout;
  };
  const virsh = (...args: string[]): Promise<string> => sh('LC_ALL=C virsh -c qemu:///system "$@"', ...args);
  const exists = async (path: string): Promise<boolean> => (await hv.run(['test', '-e', path])).rc === 0;
  const apply = async (name: string, raw: Record<string, unknown>, over: Partial<RunModuleContext> = {}): Promise<ModuleResult> => {
    const mod = await loadModule(name);
    assert.ok(mod, `module ${name} is registered`);
    return runModule(mod, hv, mod.args.parse(raw), fakeContext({ hostName: HOST, ...over }));
  };

  let files = 0;
  const run = (playbook: string, vars: Record<string, unknown>, ...args: string[]): Promise<CliResult> => {
    const varsFile = writeFile(scratch, `vars-${++files}.json`, JSON.stringify(vars));
    return kvmplay(['run', playbook, '-i', inventory, '--limit', HOST, '-e', `@${varsFile}`, '--json', ...args], { timeoutMs: 600_000 });
  };
  const recapOf = (r: CliResult): HostCounts => {
    assert.equal(r.code, 0, explain(r, { tail: true }));
    const counts = lastJsonLine<RecapJson>(r.stdout).hosts[HOST];
    assert.ok(counts, explain(r, { tail: true }));
    return counts;
  };

  // Copies the base once, and the kernel and initrd the guest boots directly.
  const prepare = (): string => writeFile(scratch, 'prepare.yaml', `
- name: Debian base image on the hypervisor
  hosts: all
  become: true
  gather_facts: false
  tasks:
    - name: Folders
      file: { path: "{{ item }}", state: directory }
      loop: ["{{ pool }}", "{{ pool }}/base"]
    - name: Base image
      disk_image:
        path: "{{ pool }}/base/debian12.raw"
        source: "{{ image_dir }}/debian12.raw"
        checksum: "sha256:{{ image_sha256 }}"
        format: raw
    - name: Kernel and initrd
      copy: { src: "{{ image_dir }}/{{ item }}", dest: "{{ pool }}/base/{{ item }}" }
      loop: [vmlinuz, initrd.img]
`);
  const prepareVars = (): Record<string, unknown> => ({ pool: POOL, image_dir: image.dir, image_sha256: image.sums.get('debian12.raw') });

  const labPublicKey = (): string => readFileSync(join(inventory, '..', 'id_ed25519.pub'), 'utf8').trim();
  const vms = (): Record<string, unknown>[] => [{
    name: VM, memory: '256MiB', vcpus: 1, tb_cache: '256MiB', rng: true, autostart: false,
    kernel: `${POOL}/base/vmlinuz`, initrd: `${POOL}/base/initrd.img`, cmdline: 'root=/dev/vda rw console=ttyS0',
    // The pattern users follow: one base, a qcow2 overlay per guest.
    disks: [
      { format: 'qcow2', bus: 'virtio', backing_file: BASE },
      { format: 'qcow2', bus: 'virtio', source: DATA, remote_src: true, size: '16MiB' },
    ],
    interfaces: [{ network: 'default', model: 'virtio' }],
    cloud_init: {
      hostname: SEED_HOSTNAME,
      user_data: {
        hostname: SEED_HOSTNAME, fqdn: SEED_FQDN, manage_etc_hosts: true, disable_root: false,
        ssh_authorized_keys: [labPublicKey()],
      },
    },
  }];
  const rollout = (): Promise<CliResult> => run(join(repoRoot, 'playbooks', 'vm-rollout.yaml'), { pool_path: POOL, vms: vms() });

  before(async function () {
    this.timeout(1_800_000);
    const lab = await ensureLab();
    inventory = lab.inventory;
    scratch = scratchDir('cloud-init-guest');
    hvSpec = connectionFor(await loadInventory([inventory]), HOST);
    hv = new SshHost(hvSpec, { acceptNewHostKeys: false, agentSocket: '' });
    // A hypervisor as bootstrap-hypervisor.yaml makes one, unless an earlier run did.
    const ready = await hv.run(['sh', '-c', 'command -v virsh && command -v qemu-img && command -v genisoimage && systemctl is-active --quiet libvirtd '
      + '&& LC_ALL=C virsh -c qemu:///system net-info default | grep -q "Active:.*yes"']);
    if (ready.rc !== 0) {
      const r = await kvmplay(['run', join(repoRoot, 'playbooks', 'bootstrap-hypervisor.yaml'), '-i', inventory, '--limit', HOST], { timeoutMs: 900_000 });
      assert.equal(r.code, 0, explain(r, { tail: true }));
    }
    await sh('rm -rf -- "$1"', POOL);
    // Built on first use (minutes), then taken from the lab cache.
    const t0 = Date.now();
    const built = await labCli(['lab', 'guest-image'], 1_200_000);
    assert.equal(built.code, 0, `${built.stdout}\n${built.stderr}`);
    const dir = built.stdout.trimEnd().split('\n').pop() ?? '';
    image = { dir, sums: parseSums(readFileSync(join(dir, 'SHA256SUMS'), 'utf8')) };
    console.log(`      Debian guest image: ${dir} (${seconds(Date.now() - t0)}${/ready after/.test(built.stdout) ? ', built now' : ', cached'})`);
  });

  after(async () => {
    await guest?.close().catch(() => undefined);
    if (hv) {
      await hv.run(['sh', '-c', 'virsh -c qemu:///system destroy --domain "$1"; virsh -c qemu:///system undefine --domain "$1"; rm -rf -- "$2"', 'sh', VM, POOL])
        .catch(() => undefined);
      await hv.close();
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('copies the base image to the hypervisor once: checked against its sha256, its holes kept, never again (disk_image source)', async () => {
    // The folders exist, or copy in check mode fails as Ansible's does (no destination folder).
    await sh('mkdir -p -- "$1/base"', POOL);
    const check = await run(prepare(), prepareVars(), '--check', '--diff');
    assert.equal(recapOf(check).failed, 0);
    const base = events(check.stdout).find((e) => e.task === 'Base image');
    assert.equal(base?.status, 'changed', explain(check, { tail: true }));
    assert.match(base?.msg ?? '', /^would create a raw image of 2147483648 bytes from \S+\/debian12\.raw \(raw\)/);
    assert.equal(await exists(BASE), false, 'check mode copied nothing');

    const t0 = Date.now();
    const made = await run(prepare(), prepareVars());
    assert.ok(recapOf(made).changed >= 2, explain(made, { tail: true }));
    const copied = events(made.stdout).find((e) => e.task === 'Base image');
    assert.match(copied?.msg ?? '', /^created raw image of 2147483648 bytes .*; copied, \d+ of its 2147483648 bytes sent \(the rest are holes\)$/);
    console.log(`      base image copied to ${HOST} with kernel and initrd: ${seconds(Date.now() - t0)}`);
    const [sum, allocated] = (await sh('sha256sum < "$1" | cut -d" " -f1; du -k -- "$1" | cut -f1', BASE)).trim().split('\n');
    assert.equal(sum, image.sums.get('debian12.raw'));
    assert.ok(Number(allocated) < 1024 * 1024, `the copy stays sparse (${allocated} KiB allocated of 2 GiB)`);
    assert.equal(await sh('ls -A -- "$1"', `${POOL}/base`), 'debian12.raw\ninitrd.img\nvmlinuz\n', 'no temporary folder left');

    assert.equal(recapOf(await run(prepare(), prepareVars())).changed, 0, 'a second run copies nothing');
  });

  it('refuses a copy whose checksum does not match and leaves nothing; converts and grows a source on the hypervisor', async () => {
    const bad = await apply('disk_image', { path: `${POOL}/bad.qcow2`, source: BASE, remote_src: true, checksum: `sha256:${'0'.repeat(64)}` });
    assert.equal(bad.failed, true);
    assert.match(bad.msg, /^checksum mismatch for .*debian12\.raw: sha256 [0-9a-f]{64}, expected 0{64}; nothing was created$/);
    assert.equal(await sh('ls -A -- "$1"', POOL), 'base\n', 'neither the disk nor the temporary copy is left');

    const missing = await apply('disk_image', { path: `${POOL}/missing.qcow2`, source: join(scratch, 'no-such.raw') });
    assert.equal(missing.failed, true);
    assert.match(missing.msg, /^the source image .*no-such\.raw does not exist on the control machine$/);

    // A small raw source with a marker, made a larger qcow2.
    const small = `${POOL}/small.raw`;
    await sh('truncate -s 8M -- "$1" && printf kvmplay-marker | dd of="$1" bs=1 seek=4096 conv=notrunc status=none', small);
    const grown = `${POOL}/grown.qcow2`;
    const made = await apply('disk_image', { path: grown, source: small, remote_src: true, format: 'qcow2', size: '16MiB' });
    assert.equal(made.failed, undefined, made.msg);
    assert.match(made.msg, /^created qcow2 image of 16M from .*small\.raw \(raw, on the host\); converted from raw$/);
    const info = JSON.parse(await sh('qemu-img info -U --output=json -- "$1"', grown)) as Record<string, unknown>;
    assert.deepEqual([info['format'], info['virtual-size'], info['backing-filename']], ['qcow2', 16 * 1024 * 1024, undefined]);
    assert.match(await sh('qemu-img compare -U -f qcow2 -F raw -- "$1" "$2"', grown, small), /Images are identical/);
    const again = await apply('disk_image', { path: grown, source: small, remote_src: true, format: 'qcow2', size: '16MiB' });
    assert.equal(again.changed, false, 'an existing disk is never remade from its source');
    await sh('rm -f -- "$1" "$2"', small, grown);
  });

  it('rolls out a guest from the base (qcow2 overlay, cloud_init seed, direct kernel boot) that answers SSH through lab05 with the seed\'s hostname and root\'s key', async () => {
    await sh('truncate -s 8M -- "$1" && printf %s "$2" | dd of="$1" bs=1 seek=4096 conv=notrunc status=none', DATA, MARKER);
    const r = await rollout();
    assert.equal(recapOf(r).failed, 0);
    const started = Date.now();
    const evs = events(r.stdout);
    assert.equal(evs.find((e) => e.task === 'Disk images')?.status, 'changed', explain(r, { tail: true }));
    assert.equal(evs.find((e) => e.task === 'cloud-init seeds')?.status, 'changed', explain(r, { tail: true }));
    const overlay = JSON.parse(await sh('qemu-img info -U --output=json -- "$1"', `${POOL}/${VM}-0.qcow2`)) as Record<string, unknown>;
    assert.equal(overlay['full-backing-filename'], BASE);
    assert.equal((await virsh('domstate', '--domain', VM)).trim(), 'running');

    // The lease names the address; a lease of an earlier boot may linger, so the port decides.
    let address = '';
    while (address === '') {
      assert.ok(Date.now() - started < SSH_TIMEOUT_MS, `${VM} did not answer on port 22 within ${SSH_TIMEOUT_MS / 1000} s`);
      const leases = await sh('LC_ALL=C virsh -c qemu:///system domifaddr --domain "$1" --source lease 2>/dev/null || :', VM);
      for (const ip of [...leases.matchAll(/ipv4\s+([0-9.]+)\//g)].map((m) => m[1]!)) {
        const open = await hv.run(['timeout', '2', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/22"', ip]);
        if (open.rc === 0) address = ip;
      }
      if (address === '') await new Promise((res) => setTimeout(res, 1000));
    }
    const toSsh = Date.now() - started;

    // From the control machine through lab05 (its last jump), the guest's key recorded
    // under the VM's name in a known_hosts of our own (guests share private addresses).
    const knownHosts = join(scratch, 'known_hosts');
    writeFile(scratch, 'known_hosts', '');
    guest = new SshHost({
      name: VM, host: address, port: 22, user: 'root', identityFiles: hvSpec.identityFiles, knownHosts: [knownHosts],
      jump: [{ host: hvSpec.host, port: hvSpec.port, user: hvSpec.user, alias: HOST, identityFiles: hvSpec.identityFiles, knownHosts: hvSpec.knownHosts }],
      become: false, becomeUser: 'root', connectTimeout: 30, hostKeyAlias: VM, acceptNewHostKeys: true,
    }, { acceptNewHostKeys: true, agentSocket: '' });
    // sshd may listen a moment before cloud-init has written root's key: retry briefly.
    let facts: { rc: number | null; stdout: string; stderr: string } = { rc: null, stdout: '', stderr: '' };
    for (let i = 0; i < 30; i++) {
      try {
        facts = await guest.run(['sh', '-c', 'hostname; hostname -f; id -u; cat /etc/machine-id; blockdev --getsize64 /dev/vdb; dd if=/dev/vdb bs=1 skip=4096 count=14 status=none; echo; ls /etc/ssh | grep "^ssh_host_.*_key$"']);
        break;
      } catch (e) {
        if (i === 29) throw e;
        await guest.close().catch(() => undefined);
        await new Promise((res) => setTimeout(res, 2000));
      }
    }
    assert.equal(facts.rc, 0, facts.stderr);
    const [hostname, fqdn, uid, machineId, dataSize, marker, ...hostKeys] = facts.stdout.trimEnd().split('\n');
    assert.deepEqual([hostname, fqdn, uid], [SEED_HOSTNAME, SEED_FQDN, '0'], 'the seed\'s hostname, and root logged in with the lab key');
    assert.match(machineId ?? '', /^[0-9a-f]{32}$/, 'a machine-id of its own, made at first boot');
    assert.deepEqual(hostKeys, ['ssh_host_ed25519_key'], 'an ed25519 host key only');
    assert.deepEqual([dataSize, marker], [String(16 * 1024 * 1024), MARKER], 'the second disk: the data source converted and grown by the rollout');
    assert.match(readFileSync(knownHosts, 'utf8'), new RegExp(`^${VM} ssh-ed25519 `, 'm'));
    const rss = Number((await sh('ps -o rss= -p "$(pgrep -f "guest=$1," | head -1)"', VM)).trim());
    console.log(`      ${VM}: rollout → SSH port open ${seconds(toSsh)}; qemu RSS ${(rss / 1024).toFixed(0)} MiB (256 MiB guest, 256 MiB translation cache)`);
  });

  it('a second rollout with the unchanged seed changes nothing and does not rebuild the seed ISO', async () => {
    const iso = `${POOL}/${VM}-cidata.iso`;
    const stamp = (): Promise<string> => sh('stat -c "%i %Y %s" -- "$1"', iso);
    const before = await stamp();
    const r = await rollout();
    assert.equal(recapOf(r).changed, 0, explain(r, { tail: true }));
    assert.equal(await stamp(), before, 'the seed ISO is the same file, not rewritten');
  });

  it('shuts down on the ACPI power button (virsh shutdown, no destroy)', async () => {
    const t0 = Date.now();
    await virsh('shutdown', '--domain', VM);
    let state = '';
    while ((state = (await virsh('domstate', '--domain', VM)).trim()) !== 'shut off') {
      assert.ok(Date.now() - t0 < SHUTDOWN_TIMEOUT_MS, `${VM} still ${state} ${SHUTDOWN_TIMEOUT_MS / 1000} s after virsh shutdown`);
      await new Promise((res) => setTimeout(res, 200));
    }
    console.log(`      ${VM}: virsh shutdown → shut off ${seconds(Date.now() - t0)}`);
    assert.match(await virsh('domstate', '--reason', '--domain', VM), /shut off \(shutdown\)/);
  });
});
