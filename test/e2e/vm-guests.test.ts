// Real guests (issue 17): site.yaml rolls out the lab's tiny guests (Debian's cloud
// kernel + a busybox/dropbear initramfs, direct kernel boot) on two hypervisors, each
// guest takes its hostname and root's key from its kernel command line and answers
// SSH, reached from the control machine THROUGH its hypervisor; a play then runs on
// the guests; a second rollout changes nothing; vm-lifecycle's shutdown powers them
// off by ACPI (no force). Hosts: lab01 (sysv) and lab04 (systemd), as site.test.ts,
// which runs before this file and leaves them hypervisors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { type CliResult, explain, kvmplay, lastJsonLine, repoRoot, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type LabHost } from '../support/lab-fixture.js';
import { consoleResetNetwork, DISARM_ALL_ROLLBACKS, UNDO_IFUPDOWN_BRIDGES } from '../support/lab-network.js';

const HOSTS: readonly string[] = ['lab01', 'lab04'];
const PREFIX = 'kvg'; // every domain and disk this test makes starts with it
const POOL = '/var/lib/libvirt/images';

interface HostCounts { ok: number; changed: number; failed: number }
interface RecapJson { ok: boolean; hosts: Record<string, HostCounts> }
interface ItemEvent { item: string; status: string; msg: string }
interface TaskEvent { event: string; host: string; task: string; status: string; msg: string; stdout?: string; items?: ItemEvent[] }

const events = (stdout: string): TaskEvent[] =>
  stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task');

/** One tiny guest per entry; the names carry the hypervisor's (Jinja, per host). */
const guest = (role: string, disk: Record<string, unknown>): Record<string, unknown> => {
  const name = `${PREFIX}-${role}-{{ inventory_hostname }}`;
  return {
    name, memory: '128MiB', vcpus: 1, tb_cache: '32MiB', rng: true,
    kernel: '{{ lab_guest_images }}/vmlinuz',
    initrd: '{{ lab_guest_images }}/initrd.img',
    cmdline: `console=ttyS0 quiet kvmplay.hostname=${name} kvmplay.ssh_key={{ lab_public_key | replace(' ', ':') }}`,
    disks: [disk],
    interfaces: [{ network: 'default', model: 'virtio' }],
    wait_for_guest: { timeout: 240 },
  };
};
const VMS = [guest('web', { size: '8MiB', format: 'raw', bus: 'virtio' }), guest('db', { size: '16MiB', format: 'qcow2', bus: 'virtio' })];
const GUESTS = HOSTS.flatMap((h) => [`${PREFIX}-web-${h}`, `${PREFIX}-db-${h}`]);

describe('real guests: tiny VMs boot, answer SSH through their hypervisor, stop on ACPI', function () {
  this.timeout(900_000);
  let inventory: string;
  let knownHosts: string;
  let labHosts: LabHost[] = [];
  let scratch: string;
  const hosts = new Map<string, SshHost>();

  const sh = async (host: string, script: string, ...args: string[]): Promise<string> => {
    const r = await hosts.get(host)!.run(['sh', '-c', script, 'sh', ...args], { timeoutMs: 300_000 });
    assert.equal(r.rc, 0, `${host}: ${script}: ${r.stderr}`);
    return r.stdout;
  };
  const domstate = async (host: string, name: string): Promise<string> =>
    (await sh(host, 'LC_ALL=C virsh -c qemu:///system domstate --domain "$1"', name)).trim();
  const vars = writeFileOnce();
  const run = (playbook: string, inv: string, ...args: string[]): Promise<CliResult> =>
    kvmplay(['run', playbook, '-i', inv, '--json', ...args], { timeoutMs: 840_000 });
  const shipped = (name: string, ...args: string[]): Promise<CliResult> =>
    run(join(repoRoot, 'playbooks', name), inventory, '--limit', HOSTS.join(':'), '-e', `@${vars(scratch)}`, ...args);
  const recapOf = (r: CliResult): RecapJson => lastJsonLine<RecapJson>(r.stdout);

  const removeGuests = async (h: string): Promise<void> => {
    await sh(h, [
      'prefix=$1',
      'virsh -c qemu:///system list --all --name 2>/dev/null | while IFS= read -r d; do',
      '  case "$d" in "$prefix"*) virsh -c qemu:///system destroy --domain "$d" >/dev/null 2>&1; virsh -c qemu:///system undefine --domain "$d" >/dev/null 2>&1;; esac',
      'done',
      `rm -f -- ${POOL}/"$prefix"*; :`,
    ].join('\n'), PREFIX);
  };
  /** The network as `lab up` made it (site.yaml's bridge play puts em1 into br0). */
  const resetNetwork = async (name: string): Promise<void> => {
    const h = labHosts.find((x) => x.name === name)!;
    consoleResetNetwork(h.netns, `${h.address}/24`);
    await sh(name, UNDO_IFUPDOWN_BRIDGES);
    await sh(name, DISARM_ALL_ROLLBACKS);
  };

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    labHosts = lab.hosts;
    scratch = scratchDir('guests');
    // The lab's inventory with a known_hosts of this test's own: the guests' keys are
    // recorded there, and a guest made again with a new key cannot meet an old entry.
    knownHosts = writeFile(scratch, 'known_hosts', readFileSync(join(lab.labDir, 'known_hosts'), 'utf8'));
    const labKnownHosts = join(lab.labDir, 'known_hosts');
    inventory = writeFile(scratch, 'inventory.yaml', readFileSync(lab.inventory, 'utf8').split(labKnownHosts).join(knownHosts));
    const inv = await loadInventory([inventory]);
    for (const name of HOSTS) hosts.set(name, new SshHost(connectionFor(inv, name), { acceptNewHostKeys: false, agentSocket: '' }));
    for (const h of HOSTS) await removeGuests(h).catch(() => undefined);
  });

  after(async () => {
    for (const h of HOSTS) {
      if (!hosts.has(h)) continue;
      await removeGuests(h).catch(() => undefined);
      await resetNetwork(h).catch(() => undefined);
    }
    await Promise.all([...hosts.values()].map((h) => h.close()));
  });

  it('site.yaml makes the hosts hypervisors and boots 2 guests on each; each answers SSH as itself through its hypervisor', async () => {
    const r = await shipped('site.yaml');
    assert.equal(r.code, 0, explain(r, { tail: true }));
    const waits = events(r.stdout).filter((e) => e.task === 'Guests answer SSH');
    const seen = waits.flatMap((e) => (e.items ?? []).map((i) => ({ host: e.host, ...i })));
    assert.deepEqual(seen.map((i) => i.item).sort(), [...GUESTS].sort(), explain(r, { tail: true }));
    for (const i of seen) {
      assert.equal(i.status, 'ok', i.msg);
      // The login through the hypervisor ran `hostname` on the guest: the name from its command line.
      assert.match(i.msg, new RegExp(`^${i.item} answers SSH at 192\\.168\\.122\\.\\d+ as ${i.item} after \\d+ s$`));
    }
    // Each guest's host key was recorded once, under its own name (HostKeyAlias).
    const recorded = readFileSync(knownHosts, 'utf8').split('\n').map((l) => l.split(' ')[0]);
    for (const g of GUESTS) assert.equal(recorded.filter((n) => n === g).length, 1, `${g} in known_hosts`);
    for (const h of HOSTS) {
      for (const g of GUESTS.filter((n) => n.endsWith(h))) assert.equal(await domstate(h, g), 'running');
      // The NAT network was defined by bootstrap without STP and DHCP pings.
      const net = await sh(h, 'LC_ALL=C virsh -c qemu:///system net-dumpxml default');
      assert.match(net, /<bridge name='virbr0' stp='off'/);
      assert.match(net, /<dnsmasq:option value='no-ping'\/>/);
    }
  });

  it('a second rollout changes nothing (the guests keep their host keys: no known_hosts conflict)', async () => {
    const r = await shipped('vm-rollout.yaml');
    assert.equal(r.code, 0, explain(r, { tail: true }));
    for (const h of HOSTS) assert.equal(recapOf(r).hosts[h]?.changed, 0, explain(r, { tail: true }));
  });

  it('a second play runs on the guests through the libvirt inventory (ProxyJump through each hypervisor)', async () => {
    const lab = (parse(readFileSync(inventory, 'utf8')) as { all: { children: { lab: { hosts: Record<string, { ansible_host: string }> } } } }).all.children.lab;
    // Ansible's community.libvirt.libvirt shape; the hypervisors are hosts of the lab
    // inventory (by address), so their keys, users and known_hosts are used.
    const guestInventory = writeFile(scratch, 'guests.libvirt.yml', JSON.stringify({
      plugin: 'community.libvirt.libvirt',
      uris: HOSTS.map((h) => `qemu+ssh://root@${lab.hosts[h]?.ansible_host}/system`),
    }));
    const listed = await kvmplay(['inventory', '-i', inventory, '-i', guestInventory, '--list']);
    assert.equal(listed.code, 0, explain(listed));
    const groups = JSON.parse(listed.stdout) as Record<string, { hosts?: string[] }>;
    for (const h of HOSTS) assert.deepEqual([...(groups[`libvirt_${h}`]?.hosts ?? [])].sort(), GUESTS.filter((g) => g.endsWith(h)).sort(), listed.stdout);
    const play = writeFile(scratch, 'on-guests.yaml', [
      '- hosts: libvirt',
      '  gather_facts: false',
      '  tasks:',
      '    - command: hostname',
      '      register: name',
      '      changed_when: false',
      '    - assert:',
      '        that: name.stdout == inventory_hostname',
      '    - copy:',
      '        dest: /root/motd',
      '        content: "{{ inventory_hostname }} was configured by kvmplay\\n"',
      '    - command: cat /root/motd',
      '      changed_when: false',
    ].join('\n'));
    const onGuests = (): Promise<CliResult> => kvmplay(['run', play, '-i', inventory, '-i', guestInventory, '--limit', 'libvirt', '--json'], { timeoutMs: 300_000 });
    const first = await onGuests();
    assert.equal(first.code, 0, explain(first, { tail: true }));
    for (const g of GUESTS) assert.deepEqual([recapOf(first).hosts[g]?.failed, recapOf(first).hosts[g]?.changed], [0, 1], explain(first, { tail: true }));
    const again = await onGuests();
    assert.equal(again.code, 0, explain(again, { tail: true }));
    for (const g of GUESTS) assert.equal(recapOf(again).hosts[g]?.changed, 0, explain(again, { tail: true }));
    const cats = events(again.stdout).filter((e) => e.task === 'command' && e.stdout?.includes('configured'));
    assert.deepEqual(cats.map((e) => e.stdout).sort(), GUESTS.map((g) => `${g} was configured by kvmplay`).sort());
  });

  it('vm-lifecycle shutdown powers every guest off by ACPI, without force', async () => {
    const r = await shipped('vm-lifecycle.yaml', '-e', 'vm_action=shutdown', '-e', 'force=false', '-e', 'shutdown_timeout=60');
    assert.equal(r.code, 0, explain(r, { tail: true }));
    for (const h of HOSTS) {
      assert.equal(recapOf(r).hosts[h]?.changed, 1, explain(r, { tail: true }));
      for (const g of GUESTS.filter((n) => n.endsWith(h))) assert.equal(await domstate(h, g), 'shut off');
    }
  });
});

/** The playbooks' variables as an `-e @file`, written once per scratch folder. */
function writeFileOnce(): (dir: string) => string {
  let path: string | undefined;
  return (dir) => (path ??= writeFile(dir, 'vms.json', JSON.stringify({ vms: VMS })));
}
