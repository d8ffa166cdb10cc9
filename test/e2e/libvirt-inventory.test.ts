// The libvirt inventory (issue 17) over real SSH: two tiny guests (Debian's cloud
// kernel + a busybox/dropbear initramfs, direct kernel boot, hostname and root's key
// from the kernel command line) run on lab02; a `plugin: community.libvirt.libvirt`
// file and `kvmplay inventory --libvirt` list them, and ping, exec and a play reach
// each one from the control machine through lab02 (ProxyJump), each answering with
// its own hostname. lab02 only: other e2e files drive the other lab hosts at once.
// The hypervisor's inventory here is a copy of the lab's lab02 entry with a known_hosts
// file of this test's own, where the guests' keys are recorded under their names.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { explain, kvmplay, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab } from '../support/lab-fixture.js';

const HV = 'lab02';
const POOL = '/var/lib/libvirt/images';

interface RecapJson { ok: boolean; hosts: Record<string, { ok: number; changed: number; failed: number; unreachable: boolean }> }
type ListJson = Record<string, { hosts?: string[]; children?: string[] }> & { _meta: { hostvars: Record<string, Record<string, unknown>> } };

// On the hypervisor: wait until each guest's leased address answers on port 22 (a
// lease alone is no proof: the guest may still be booting).
const WAIT_FOR_SSH = `
import socket, subprocess, sys, time
pending, deadline = set(sys.argv[1:]), time.time() + 120
while pending and time.time() < deadline:
    for name in sorted(pending):
        out = subprocess.run(['virsh', '-c', 'qemu:///system', 'domifaddr', '--domain', name, '--source', 'lease'], capture_output=True, text=True).stdout
        for addr in [l.split()[3].split('/')[0] for l in out.splitlines() if len(l.split()) == 4 and l.split()[2] == 'ipv4']:
            try:
                socket.create_connection((addr, 22), timeout=1).close()
                pending.discard(name)
            except OSError:
                pass
    time.sleep(0.3)
print(' '.join(sorted(pending)))
sys.exit(1 if pending else 0)
`;

const domainXml = (name: string, images: string, key: string): string => `<domain type='qemu'>
  <name>${name}</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type>
    <kernel>${images}/vmlinuz</kernel><initrd>${images}/initrd.img</initrd>
    <cmdline>console=ttyS0 quiet kvmplay.hostname=${name} kvmplay.ssh_key=${key.replace(/ /g, ':')}</cmdline>
  </os>
  <features><acpi/><apic/><tcg><tb-cache unit='MiB'>32</tb-cache></tcg></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${POOL}/${name}-0.raw'/><target dev='vda' bus='virtio'/></disk>
    <interface type='network'><source network='default'/><model type='virtio'/></interface>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
`;

describe('libvirt inventory: guests of lab02 reached through it', function () {
  this.timeout(600_000);
  const tag = `kvi${process.pid % 100000}`;
  const guests = [`${tag}-a`, `${tag}-b`];
  const limit = guests.join(':');
  let dir: string;
  let hvInventory: string;
  let pluginFile: string;
  let playbook: string;
  let knownHosts: string;
  let hvAddress: string;
  let root: SshHost | undefined;

  const sh = async (script: string, ...args: string[]): Promise<string> => {
    const r = await root!.run(['sh', '-c', script, 'sh', ...args], { timeoutMs: 300_000 });
    assert.equal(r.rc, 0, `${script}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const cli = async (args: string[]) => kvmplay(args, { timeoutMs: 180_000 });

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    const labInventory = await loadInventory([lab.inventory]);
    const vars = labInventory.hostVars(HV);
    hvAddress = String(vars['ansible_host']);
    root = new SshHost(connectionFor(labInventory, HV), { acceptNewHostKeys: false, agentSocket: '' });
    // A hypervisor with the `default` NAT network active (bootstrap leaves it so).
    const ready = await root.run(['sh', '-c', 'command -v virsh >/dev/null && LC_ALL=C virsh -c qemu:///system net-info default | grep -q "^Active: *yes"']);
    if (ready.rc !== 0) {
      const boot = await kvmplay(['run', 'playbooks/bootstrap-hypervisor.yaml', '-i', lab.inventory, '--limit', HV], { timeoutMs: 900_000 });
      assert.equal(boot.code, 0, explain(boot, { tail: true }));
    }

    dir = scratchDir('libvirt-inventory');
    knownHosts = join(dir, 'known_hosts');
    copyFileSync(join(lab.labDir, 'known_hosts'), knownHosts);
    hvInventory = writeFile(dir, 'hypervisors.yaml', [
      'hypervisors:',
      '  hosts:',
      `    ${HV}:`,
      `      ansible_host: ${hvAddress}`,
      '      ansible_user: root',
      `      ansible_ssh_private_key_file: ${String(vars['ansible_ssh_private_key_file'])}`,
      `      known_hosts: ${knownHosts}`,
      '',
    ].join('\n'));
    pluginFile = writeFile(dir, 'guests.libvirt.yml', `plugin: community.libvirt.libvirt\nuri: qemu+ssh://${HV}/system\n`
      + 'keyed_groups:\n  - key: libvirt_state\n    prefix: state\n');
    playbook = writeFile(dir, 'guests.yaml', `- hosts: libvirt_${HV}
  gather_facts: false
  tasks:
    - name: hostname
      command: hostname
      register: name
      changed_when: false
    - name: each guest is the one its inventory name says, on ${HV}
      assert:
        that: [name.stdout == inventory_hostname, libvirt_hypervisor == '${HV}', libvirt_state == 'running']
    - name: a file written over SFTP through the hypervisor
      copy:
        dest: /root/kvmplay-inventory
        content: "{{ inventory_hostname }} on {{ libvirt_hypervisor }} ({{ libvirt_uuid }})\\n"
`);

    const images = String(vars['lab_guest_images']);
    await sh('test -r "$1/vmlinuz" && test -r "$1/initrd.img"', images);
    for (const name of guests) {
      await sh('printf "%s" "$2" > "/tmp/$1.xml" && truncate -s 8M "$3/$1-0.raw" && virsh -c qemu:///system define "/tmp/$1.xml" >/dev/null '
        + '&& rm -f "/tmp/$1.xml" && virsh -c qemu:///system start "$1" >/dev/null', name, domainXml(name, images, String(vars['lab_public_key'])), POOL);
    }
    await sh('p=$1; shift; python3 -c "$p" "$@"', WAIT_FOR_SSH, ...guests);
  });

  after(async () => {
    if (root) {
      for (const name of guests) {
        await root.run(['sh', '-c', 'virsh -c qemu:///system destroy "$1"; virsh -c qemu:///system undefine "$1"; rm -f "$2/$1-0.raw"', 'sh', name, POOL]).catch(() => undefined);
      }
      await root.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the guests of a plugin file, grouped by hypervisor, with their address and a ProxyJump through it', async () => {
    const r = await cli(['inventory', '-i', hvInventory, '-i', pluginFile, '--list']);
    assert.equal(r.code, 0, explain(r));
    const list = JSON.parse(r.stdout) as ListJson;
    assert.deepEqual(list['libvirt']?.children, [`libvirt_${HV}`]);
    for (const name of guests) {
      assert.ok(list[`libvirt_${HV}`]?.hosts?.includes(name), `${name} in libvirt_${HV}: ${r.stdout.slice(0, 2000)}`);
      assert.ok(list['state_running']?.hosts?.includes(name));
      const v = list._meta.hostvars[name]!;
      assert.match(String(v['ansible_host']), /^192\.168\.122\.\d+$/);
      assert.equal(v['ansible_user'], 'root');
      assert.equal(v['ansible_ssh_common_args'], `-o ProxyJump=root@${hvAddress}:22 -o HostKeyAlias=${name} -o UserKnownHostsFile=${knownHosts}`);
      assert.equal(v['libvirt_uuid'], (await sh('virsh -c qemu:///system domuuid "$1"', name)).trim());
      assert.equal((v['info'] as { state: string }).state, 'running');
      assert.match(String(v['xml_desc']), new RegExp(`<name>${name}</name>`));
    }
  });

  it('pings the guests and runs a play on them through the plugin file, each answering with its own hostname', async () => {
    // First contact: the guests' keys are recorded under their names (HostKeyAlias) in the hypervisor's known_hosts.
    const ping = await cli(['ping', '-i', hvInventory, '-i', pluginFile, '--limit', limit, '--accept-new-host-keys', '--json']);
    assert.equal(ping.code, 0, explain(ping));
    assert.deepEqual(Object.keys(lastJsonLine<RecapJson>(ping.stdout).hosts).sort(), guests);
    const recorded = readFileSync(knownHosts, 'utf8').split('\n').map((l) => l.split(' ')[0]);
    for (const name of guests) assert.ok(recorded.includes(name), `${name} recorded in the known_hosts copy`);

    const run = await cli(['run', playbook, '-i', hvInventory, '-i', pluginFile, '--limit', limit, '--json']);
    assert.equal(run.code, 0, explain(run, { tail: true }));
    const recap = lastJsonLine<RecapJson>(run.stdout);
    for (const name of guests) assert.deepEqual(recap.hosts[name], { ok: 3, changed: 1, failed: 0, skipped: 0, unreachable: false });

    const exec = await cli(['exec', '-i', hvInventory, '-i', pluginFile, '--limit', guests[0]!, '--', 'hostname; cat /root/kvmplay-inventory']);
    assert.equal(exec.code, 0, explain(exec));
    assert.match(exec.stdout, new RegExp(`${guests[0]}\\n${guests[0]} on ${HV} \\(`));
  });

  it('writes the guests with inventory --libvirt, and a run on the saved JSON reaches them the same way', async () => {
    const listed = await cli(['inventory', '-i', hvInventory, '--libvirt', '--limit', HV]);
    assert.equal(listed.code, 0, explain(listed));
    const saved = writeFile(dir, 'guests.json', listed.stdout);
    const list = JSON.parse(listed.stdout) as ListJson;
    assert.equal(list['hypervisors'], undefined, 'only the guests and their groups');
    assert.equal(list._meta.hostvars[HV], undefined);

    const run = await cli(['run', playbook, '-i', saved, '--limit', limit, '--json']);
    assert.equal(run.code, 0, explain(run, { tail: true }));
    const recap = lastJsonLine<RecapJson>(run.stdout);
    // The file is there from the plugin file's run: nothing changes.
    for (const name of guests) assert.deepEqual(recap.hosts[name], { ok: 3, changed: 0, failed: 0, skipped: 0, unreachable: false });

    const exec = await cli(['exec', '-i', saved, '--limit', guests[1]!, '--', 'hostname']);
    assert.equal(exec.code, 0, explain(exec));
    assert.match(exec.stdout, new RegExp(`^${guests[1]}$`, 'm'));
  });

  it('lists a stopped guest without an address, with a warning saying why', async () => {
    await sh('virsh -c qemu:///system destroy "$1" >/dev/null', guests[1]!);
    const r = await cli(['inventory', '-i', hvInventory, '-i', pluginFile, '--host', guests[1]!]);
    assert.equal(r.code, 0, explain(r));
    const vars = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(vars['ansible_host'], undefined);
    assert.equal(vars['libvirt_state'], 'shutoff');
    assert.match(r.stderr, new RegExp(`\\[WARNING\\]: libvirt inventory .*: ${HV}: no IPv4 address for (.*, )?${guests[1]} \\(shutoff\\)`));
  });
});
