// The shipped playbooks (SPEC 8: playbooks/bootstrap-hypervisor.yaml, vm-rollout.yaml,
// vm-lifecycle.yaml) end to end: the real CLI over real SSH on lab hosts, libvirt
// really running in them with software emulation (virt_type qemu from the lab
// inventory), the KVM stack installed from the lab's local package repository.
// Hosts: HOSTS only (lab02 is touched read-only, for the kvm_check failure: it fails
// before anything changes there). Other e2e files use lab02/lab03/lab05 meanwhile.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { type CliResult, explain, kvmplay, lastJsonLine, repoRoot, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type LabHost } from '../support/lab-fixture.js';
import { consoleIp, consoleResetNetwork, DISARM_ALL_ROLLBACKS, UNDO_IFUPDOWN_BRIDGES } from '../support/lab-network.js';

/** Lab hosts without systemd as PID 1 (sysv init scripts). */
const SYSV_HOSTS: readonly string[] = ['lab01'];
/** Lab hosts with systemd as PID 1 (systemd-nspawn --boot; systemctl units). */
const SYSTEMD_HOSTS: readonly string[] = ['lab04'];
const HOSTS: readonly string[] = [...SYSV_HOSTS, ...SYSTEMD_HOSTS];
/** Gets virt_type kvm (no vmx/svm in lab hosts): must fail kvm_check, changing nothing. */
const KVM_FAIL_HOST = 'lab02';

// What the package module installs on a Debian host for kvm_packages (+ the sysv init scripts).
const DEBIAN_STACK = ['qemu-system-x86', 'qemu-utils', 'libvirt-daemon-system', 'libvirt-clients', 'virtinst', 'bridge-utils'];
const stackOf = (host: string): string[] => (SYSV_HOSTS.includes(host) ? [...DEBIAN_STACK, 'libvirt-daemon-system-sysv'] : DEBIAN_STACK);
// What the test purges first so that bootstrap really installs (bridge-utils is in the lab's base system).
const PURGE = ['qemu-system-x86', 'qemu-utils', 'libvirt-daemon-system', 'libvirt-daemon-system-sysv', 'libvirt-clients', 'virtinst'];

const PREFIX = 'kvs'; // every domain, disk and file this test makes starts with it
/** The bridge bridge-network.yaml makes by default: br0 over em1, carrying em1's address. */
const BRIDGE = 'br0';
const POOL = '/var/lib/libvirt/images';
const BACKUP_DIR = `/var/lib/libvirt/${PREFIX}-backup`;
const AWKWARD = `${PREFIX} it's "odd"; $(touch PWNED) & <x> \`touch PWNED\` |y`;
const M = 1024 ** 2;

interface HostCounts { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }
interface RecapJson { ok: boolean; hosts: Record<string, HostCounts> }
interface ItemEvent { item: string; status: string; changed: boolean; msg: string }
interface TaskEvent { event: string; host: string; task: string; status: string; changed: boolean; msg: string; diff?: string; stdout?: string; items?: ItemEvent[] }

function events(stdout: string): TaskEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task');
}

const vm = (name: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name, memory: '64MiB', vcpus: 1,
  disks: [{ size: '64MiB', format: 'qcow2', bus: 'virtio' }],
  interfaces: [{ bridge: BRIDGE, model: 'virtio' }],
  graphics: { type: 'vnc', listen: '127.0.0.1' },
  ...over,
});
const WEB = `${PREFIX}-web01`;
const DB = `${PREFIX}-db01`;
const VMS = [
  vm(WEB, { disks: [{ size: '64MiB', format: 'qcow2', bus: 'virtio' }, { size: '16MiB', format: 'raw', bus: 'virtio' }], interfaces: [{ bridge: BRIDGE, model: 'virtio' }, { bridge: BRIDGE, model: 'e1000' }] }),
  vm(DB),
];
const DISKS: ReadonlyArray<[string, string, number]> = [[`${POOL}/${WEB}-0.qcow2`, 'qcow2', 64 * M], [`${POOL}/${WEB}-1.raw`, 'raw', 16 * M], [`${POOL}/${DB}-0.qcow2`, 'qcow2', 64 * M]];

describe('shipped playbooks over real SSH (bootstrap, rollout, lifecycle)', function () {
  this.timeout(600_000);
  let inventory: string;
  let labHosts: LabHost[] = [];
  let scratch: string;
  const hosts = new Map<string, SshHost>();

  /** A shell script on a lab host as root, through argv (not through the code under test). */
  const sh = async (host: string, script: string, ...args: string[]): Promise<{ rc: number | null; stdout: string; stderr: string }> => {
    const r = await hosts.get(host)!.run(['sh', '-c', script, 'sh', ...args], { timeoutMs: 300_000 });
    return { rc: r.rc, stdout: r.stdout, stderr: r.stderr };
  };
  const shOk = async (host: string, script: string, ...args: string[]): Promise<string> => {
    const r = await sh(host, script, ...args);
    assert.equal(r.rc, 0, `${host}: ${script}: ${r.stderr}`);
    return r.stdout;
  };
  const virsh = (host: string, ...args: string[]): Promise<string> => shOk(host, 'LC_ALL=C virsh -c qemu:///system "$@"', ...args);
  const domains = async (host: string): Promise<string[]> => (await virsh(host, 'list', '--all', '--name')).split('\n').filter((n) => n !== '');
  const domstate = async (host: string, name: string): Promise<string> => (await virsh(host, 'domstate', '--domain', name)).trim();
  const identity = async (host: string, name: string): Promise<{ uuid: string; macs: string[] }> => {
    const xml = await virsh(host, 'dumpxml', '--inactive', '--domain', name);
    return { uuid: /<uuid>([^<]+)<\/uuid>/.exec(xml)?.[1] ?? '', macs: [...xml.matchAll(/<mac address='([^']+)'\/>/g)].map((m) => m[1] ?? '') };
  };
  const imageInfo = async (host: string, path: string): Promise<{ format: string; 'virtual-size': number }> =>
    JSON.parse(await shOk(host, 'qemu-img info -U --output=json -- "$1"', path)) as { format: string; 'virtual-size': number };
  const dpkgInstalled = async (host: string, pkg: string): Promise<boolean> =>
    (await sh(host, 'dpkg-query -W -f "\\${Status}" "$1" 2>/dev/null', pkg)).stdout === 'install ok installed';
  /** libvirt's daemon as the host's init system sees it. */
  const libvirtRunning = async (host: string): Promise<boolean> => {
    if (SYSTEMD_HOSTS.includes(host)) return (await sh(host, 'systemctl is-active --quiet libvirtd || systemctl is-active --quiet virtqemud')).rc === 0;
    return (await sh(host, '/etc/init.d/virtlogd status && /etc/init.d/libvirtd status')).rc === 0;
  };

  let varsCount = 0;
  /** An `-e @file` of these variables (JSON is YAML). */
  const varsFile = (vars: Record<string, unknown>): string => writeFile(scratch, `vars-${++varsCount}.json`, JSON.stringify(vars));
  const limit = HOSTS.join(':');
  const playbook = (name: string): string => join(repoRoot, 'playbooks', name);
  const run = (name: string, vars: Record<string, unknown>, ...args: string[]): Promise<CliResult> =>
    kvmplay(['run', playbook(name), '-i', inventory, '--limit', limit, '-e', `@${varsFile({ backup_dir: BACKUP_DIR, ...vars })}`, '--json', ...args], { timeoutMs: 540_000 });
  const recapOf = (r: CliResult): RecapJson => lastJsonLine<RecapJson>(r.stdout);
  const assertUnchanged = (r: CliResult): void => {
    assert.equal(r.code, 0, explain(r, { tail: true }));
    const recap = recapOf(r);
    for (const h of HOSTS) assert.equal(recap.hosts[h]?.changed, 0, `${h} changed nothing: ${JSON.stringify(recap.hosts[h])}\n${explain(r, { tail: true })}`);
  };
  const lifecycle = (action: string | undefined, vars: Record<string, unknown> = {}): Promise<CliResult> =>
    run('vm-lifecycle.yaml', { vms: VMS, ...(action === undefined ? {} : { vm_action: action }), ...vars });

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    inventory = lab.inventory;
    labHosts = lab.hosts;
    scratch = scratchDir('site');
    const inv = await loadInventory([inventory]);
    for (const name of [...HOSTS, KVM_FAIL_HOST]) hosts.set(name, new SshHost(connectionFor(inv, name), { acceptNewHostKeys: false, agentSocket: '' }));
    // From a host without the KVM stack: remove what an earlier run (or another
    // test) installed, this test's domains and files, and the qemu.conf settings.
    await Promise.all(HOSTS.map((h) => shOk(h, [
      'export LC_ALL=C; prefix=$1; shift',
      'if command -v virsh >/dev/null 2>&1 && virsh -c qemu:///system version >/dev/null 2>&1; then',
      '  virsh -c qemu:///system list --all --name | while IFS= read -r d; do',
      '    case "$d" in "$prefix"*) virsh -c qemu:///system destroy --domain "$d" >/dev/null 2>&1; virsh -c qemu:///system undefine --keep-nvram --domain "$d" >/dev/null 2>&1;; esac',
      '  done',
      'fi',
      `rm -rf -- ${POOL}/"$prefix"* ${BACKUP_DIR}`,
      'if [ -d /run/systemd/system ]; then systemctl stop libvirtd virtqemud virtlogd >/dev/null 2>&1; else',
      '  for s in libvirtd virtlogd; do [ -x /etc/init.d/$s ] && /etc/init.d/$s stop >/dev/null 2>&1; done; fi',
      'installed=$(dpkg-query -W -f \'${Package} ${Status}\\n\' "$@" 2>/dev/null | awk \'$4 == "installed" {print $1}\')',
      'if [ -n "$installed" ]; then DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=600 $installed >/dev/null || exit 1; fi',
      '[ ! -f /etc/libvirt/qemu.conf ] || sed -i -E \'/^[[:space:]]*(namespaces|cgroup_controllers)[[:space:]]*=/d\' /etc/libvirt/qemu.conf',
    ].join('\n'), PREFIX, ...PURGE)));
    await Promise.all(HOSTS.map((h) => resetNetwork(h)));
  });

  /**
   * The host's network as `lab up` made it, whatever an earlier run left: br0 gone
   * and em1 with its address (from the lab's console, outside the host), then the
   * persistent files bridge-network.yaml wrote undone, no rollback left armed.
   */
  const resetNetwork = async (name: string): Promise<void> => {
    const h = labHosts.find((x) => x.name === name)!;
    consoleResetNetwork(h.netns, `${h.address}/24`);
    await shOk(name, UNDO_IFUPDOWN_BRIDGES);
    await shOk(name, DISARM_ALL_ROLLBACKS);
  };

  after(async () => {
    for (const h of HOSTS) {
      if (!hosts.has(h)) continue;
      await sh(h, [
        'prefix=$1',
        'virsh -c qemu:///system list --all --name 2>/dev/null | while IFS= read -r d; do',
        '  case "$d" in "$prefix"*) virsh -c qemu:///system destroy --domain "$d" >/dev/null 2>&1; virsh -c qemu:///system undefine --keep-nvram --domain "$d" >/dev/null 2>&1;; esac',
        'done',
        `rm -rf -- ${POOL}/"$prefix"* ${BACKUP_DIR}; :`,
      ].join('\n'), PREFIX).catch(() => undefined);
      await resetNetwork(h).catch(() => undefined);
    }
    await Promise.all([...hosts.values()].map((h) => h.close()));
  });

  afterEach(async () => {
    // No value a playbook was given may have been executed on a host.
    for (const h of HOSTS) assert.equal(await shOk(h, 'find / -xdev -name PWNED 2>/dev/null | head -1'), '', `${h}: PWNED`);
  });

  it('the shipped playbooks validate, alone and against the lab inventory', async () => {
    const files = ['bootstrap-hypervisor.yaml', 'vm-rollout.yaml', 'vm-lifecycle.yaml', 'site.yaml'].map(playbook);
    for (const extra of [[], ['-i', inventory]]) {
      const r = await kvmplay(['validate', ...files, ...extra]);
      assert.equal(r.code, 0, explain(r, { tail: true }));
    }
  });

  it('bootstrap installs the KVM stack from the local repository and starts libvirtd; a second run changes nothing', async () => {
    for (const h of HOSTS) assert.equal(await dpkgInstalled(h, 'libvirt-daemon-system'), false, `${h}: starts without the stack`);
    const r = await run('bootstrap-hypervisor.yaml', {});
    assert.equal(r.code, 0, explain(r, { tail: true }));
    const evs = events(r.stdout);
    for (const h of HOSTS) {
      const mine = evs.filter((e) => e.host === h);
      const status = (task: string): string | undefined => mine.find((e) => e.task === task)?.status;
      assert.equal(status('KVM stack packages'), 'changed');
      assert.match(mine.find((e) => e.task === 'KVM stack packages')!.msg, /^install /);
      assert.equal(status('qemu.conf settings (libvirt_qemu_settings)'), 'changed');
      // Debian's package scripts start and enable libvirtd where systemd runs; on sysv
      // lab hosts policy-rc.d keeps them from it, so bootstrap does.
      assert.equal(status('libvirtd started and enabled'), SYSTEMD_HOSTS.includes(h) ? 'ok' : 'changed');
      assert.equal(status('restart libvirt'), 'changed', 'the qemu.conf change restarted libvirt');
      // Verify steps report, never change; no lsmod and no /proc/modules is "cannot tell", not a failure.
      const kvmModule = mine.find((e) => e.task === 'kvm kernel module (lsmod | grep kvm)');
      assert.equal(kvmModule?.status, 'ok');
      assert.match(kvmModule?.stdout ?? '', /cannot tell|kvm module (not )?loaded/);
      const list = mine.find((e) => e.task === 'libvirt answers (virsh -c qemu:///system list)');
      assert.equal(list?.status, 'ok');
      assert.match(list?.stdout ?? '', /Id\s+Name\s+State/);

      for (const p of stackOf(h)) assert.ok(await dpkgInstalled(h, p), `${p} installed on ${h}`);
      assert.match(await shOk(h, 'LC_ALL=C apt-cache policy libvirt-daemon-system'), /\*\*\* \S+ \d+\n\s+\d+ file:\/var\/lib\/kvmplay-repo/, 'installed from the lab repository');
      assert.ok(await libvirtRunning(h), `libvirtd runs on ${h}`);
      const conf = await shOk(h, 'grep -E "^[[:space:]]*(namespaces|cgroup_controllers)[[:space:]]*=" /etc/libvirt/qemu.conf');
      // Each line sits under its commented default, in qemu.conf's own order.
      assert.deepEqual(conf.trimEnd().split('\n').sort(), SYSTEMD_HOSTS.includes(h) ? ['cgroup_controllers = [ ]', 'namespaces = [ ]'] : ['namespaces = [ ]']);
      if (SYSV_HOSTS.includes(h)) assert.match(await shOk(h, 'ls /etc/rc2.d'), /S\d\dlibvirtd\n[\s\S]*S\d\dvirtlogd/, 'enabled at boot');
      else assert.equal(await shOk(h, 'systemctl is-enabled libvirtd; systemctl is-active libvirtd'), 'enabled\nactive\n');
    }
    const again = await run('bootstrap-hypervisor.yaml', {});
    assertUnchanged(again);
    assert.equal(events(again.stdout).some((e) => e.task === 'restart libvirt'), false, 'no restart without a change');
  });

  it('bridge-network puts em1 into br0 keeping its address and SSH; a second run changes nothing', async () => {
    const r = await run('bridge-network.yaml', { rollback_timeout: 20 });
    assert.equal(r.code, 0, explain(r, { tail: true }));
    for (const h of HOSTS) {
      assert.equal(recapOf(r).hosts[h]?.changed, 1, explain(r, { tail: true }));
      const lab = labHosts.find((x) => x.name === h)!;
      const addrs = consoleIp(lab.netns, '-o', '-4', 'addr', 'show');
      assert.match(addrs, new RegExp(`${BRIDGE}\\s+inet ${lab.address.replace(/\./g, '\\.')}/24`));
      assert.doesNotMatch(addrs, /em1\s+inet /);
      assert.match(await shOk(h, 'ip -o link show em1'), new RegExp(`master ${BRIDGE}`));
      assert.match(await shOk(h, 'cat /etc/network/interfaces.d/br0'), /bridge_ports em1/);
    }
    assertUnchanged(await run('bridge-network.yaml', {}));
  });

  describe('rollout', () => {
    let ids: Map<string, { uuid: string; macs: string[] }>;
    const key = (h: string, n: string): string => `${h}/${n}`;
    const snapshot = async (): Promise<Map<string, { uuid: string; macs: string[] }>> => {
      const out = new Map<string, { uuid: string; macs: string[] }>();
      for (const h of HOSTS) for (const n of [WEB, DB]) out.set(key(h, n), await identity(h, n));
      return out;
    };

    it('defines and starts 2 VMs per host with their disks; a second run changes nothing, same uuid and MACs', async () => {
      const r = await run('vm-rollout.yaml', { vms: VMS });
      assert.equal(r.code, 0, explain(r, { tail: true }));
      for (const h of HOSTS) {
        assert.equal(await domstate(h, WEB), 'running');
        assert.equal(await domstate(h, DB), 'running');
        for (const n of [WEB, DB]) assert.match(await virsh(h, 'dominfo', '--domain', n), /Autostart:\s+enable/);
        for (const [path, format, size] of DISKS) {
          const info = await imageInfo(h, path);
          assert.deepEqual([info.format, info['virtual-size']], [format, size], path);
        }
        assert.match(await virsh(h, 'dumpxml', '--inactive', '--domain', WEB), /<domain type='qemu'>/);
        // Each running guest's NICs are ports of br0 (the tap devices libvirt made).
        const ports = (await shOk(h, 'bridge link show')).split('\n').filter((l) => l.includes(`master ${BRIDGE}`));
        assert.equal(ports.filter((l) => /: vnet\d+/.test(l)).length, 3, ports.join('\n'));
      }
      ids = await snapshot();
      for (const h of HOSTS) assert.equal(ids.get(key(h, WEB))!.macs.length, 2);

      const again = await run('vm-rollout.yaml', { vms: VMS });
      assertUnchanged(again);
      assert.deepEqual(await snapshot(), ids);
    });

    it('a memory and vcpus change: changed=1 with a diff of the XML, uuid and MACs kept', async () => {
      const bigger = [{ ...VMS[0], memory: '96MiB', vcpus: 2 }, VMS[1]];
      const r = await run('vm-rollout.yaml', { vms: bigger }, '--diff');
      assert.equal(r.code, 0, explain(r, { tail: true }));
      for (const h of HOSTS) {
        assert.equal(recapOf(r).hosts[h]?.changed, 1, JSON.stringify(recapOf(r).hosts[h]));
        const domainsTask = events(r.stdout).find((e) => e.host === h && e.task === 'Domains');
        assert.deepEqual(domainsTask?.items?.map((i) => `${i.item}=${i.status}`), [`${WEB}=changed`, `${DB}=ok`]);
        const diff = domainsTask?.diff ?? '';
        assert.match(diff, /^-\s*<memory unit='KiB'>65536<\/memory>$/m);
        assert.match(diff, /^\+\s*<memory unit='KiB'>98304<\/memory>$/m);
        assert.match(diff, /^-\s*<vcpu placement='static'>1<\/vcpu>$/m);
        assert.match(diff, /^\+\s*<vcpu placement='static'>2<\/vcpu>$/m);
        assert.doesNotMatch(diff, /^[-+]\s*<(uuid|mac)\b/m, 'uuid and MACs are not part of the change');
      }
      assert.deepEqual(await snapshot(), ids);
      assertUnchanged(await run('vm-rollout.yaml', { vms: bigger }));
      // Back to the first shape for the lifecycle tests.
      assert.equal((await run('vm-rollout.yaml', { vms: VMS })).code, 0);
    });

    it('--check reports what it would do and defines nothing', async () => {
      const extra = `${PREFIX}-check01`;
      const r = await run('vm-rollout.yaml', { vms: [...VMS, vm(extra)] }, '--check');
      assert.equal(r.code, 0, explain(r, { tail: true }));
      for (const h of HOSTS) {
        assert.ok(recapOf(r).hosts[h]!.changed >= 1, JSON.stringify(recapOf(r).hosts[h]));
        const evs = events(r.stdout).filter((e) => e.host === h);
        assert.deepEqual(evs.find((e) => e.task === 'Domains')?.items?.map((i) => `${i.item}=${i.status}`), [`${WEB}=ok`, `${DB}=ok`, `${extra}=changed`]);
        assert.ok(!(await domains(h)).includes(extra), 'not defined');
        assert.equal((await sh(h, 'test -e "$1"', `${POOL}/${extra}-0.qcow2`)).rc, 1, 'no disk created');
      }
    });

    it('site.yaml (bootstrap, bridges, rollout) on the bootstrapped hosts with their VMs changes nothing', async () => {
      const r = await run('site.yaml', { vms: VMS });
      assertUnchanged(r);
      const plays = new Set(events(r.stdout).map((e) => e.task));
      assert.ok(plays.has('KVM stack packages') && plays.has('Bridges (safe apply)') && plays.has('Domains'), 'the three playbooks ran');
    });
  });

  describe('lifecycle (vm-lifecycle.yaml)', () => {
    const states = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const h of HOSTS) for (const n of [WEB, DB]) out.push(`${h}/${n}=${await domstate(h, n)}`);
      return out;
    };
    const all = (state: string): string[] => HOSTS.flatMap((h) => [WEB, DB].map((n) => `${h}/${n}=${state}`));

    it('fails clearly without a vm_action or with an unknown one', async () => {
      for (const action of [undefined, 'reboot']) {
        const r = await lifecycle(action);
        assert.equal(r.code, 2, explain(r, { tail: true }));
        for (const h of HOSTS) {
          const check = events(r.stdout).find((e) => e.host === h && e.status === 'failed');
          assert.equal(check?.task, 'vm_action is start, shutdown, destroy, suspend, resume, undefine or backup');
          assert.match(check?.msg ?? '', /vm_action not in \['start', 'shutdown', 'destroy', 'suspend', 'resume', 'undefine', 'backup'\]/);
          assert.match(check?.stdout ?? '', action === undefined ? /not set: pass -e vm_action=ACTION/ : /vm_action: reboot/);
        }
      }
      assert.deepEqual(await states(), all('running'));
    });

    it('suspend and resume running VMs, idempotently', async () => {
      assert.equal((await lifecycle('suspend')).code, 0);
      assert.deepEqual(await states(), all('paused'));
      assertUnchanged(await lifecycle('suspend'));
      assert.equal((await lifecycle('resume')).code, 0);
      assert.deepEqual(await states(), all('running'));
      assertUnchanged(await lifecycle('resume'));
    });

    it('shutdown of guests that ignore ACPI fails after shutdown_timeout, then succeeds with force=true', async () => {
      const started = Date.now();
      const r = await lifecycle('shutdown', { shutdown_timeout: 2 });
      assert.equal(r.code, 2, explain(r, { tail: true }));
      assert.ok(Date.now() - started >= 2000);
      for (const h of HOSTS) {
        assert.equal(recapOf(r).hosts[h]?.failed, 1);
        const task = events(r.stdout).find((e) => e.host === h && e.task === 'shutdown');
        assert.match(task?.items?.[0]?.msg ?? '', /did not shut down within 2s \(set force: true to destroy it\)/);
      }
      assert.equal(await domstate(HOSTS[0]!, WEB), 'running', 'still running after the timeout');

      const forced = await lifecycle('shutdown', { shutdown_timeout: 1, force: true });
      assert.equal(forced.code, 0, explain(forced, { tail: true }));
      assert.deepEqual(await states(), all('shut off'));
      assertUnchanged(await lifecycle('shutdown', { shutdown_timeout: 1, force: true }));
    });

    it('suspend of a shut-off VM fails clearly and starts nothing', async () => {
      const r = await lifecycle('suspend', { vm_names: [DB] });
      assert.equal(r.code, 2, explain(r, { tail: true }));
      const task = events(r.stdout).find((e) => e.host === HOSTS[0] && e.task === 'suspend and resume need a running or paused VM');
      assert.equal(task?.status, 'failed');
      assert.match(task?.items?.[0]?.msg ?? '', /not in \['running', 'paused'\]/);
      assert.deepEqual(await states(), all('shut off'));
    });

    it('start, then destroy only the VMs named in vm_names', async () => {
      assert.equal((await lifecycle('start')).code, 0);
      assert.deepEqual(await states(), all('running'));
      assertUnchanged(await lifecycle('start'));
      const r = await lifecycle('destroy', { vm_names: [WEB] });
      assert.equal(r.code, 0, explain(r, { tail: true }));
      for (const h of HOSTS) {
        assert.equal(await domstate(h, WEB), 'shut off');
        assert.equal(await domstate(h, DB), 'running');
      }
      assertUnchanged(await lifecycle('destroy', { vm_names: [WEB] }));
    });

    it('backup writes each definition to backup_dir; again: unchanged', async () => {
      const r = await lifecycle('backup');
      assert.equal(r.code, 0, explain(r, { tail: true }));
      for (const h of HOSTS) {
        for (const n of [WEB, DB]) {
          const saved = await shOk(h, 'cat -- "$1"', `${BACKUP_DIR}/${n}.xml`);
          assert.equal(saved, await virsh(h, 'dumpxml', '--inactive', '--domain', n));
          assert.match(saved, new RegExp(`<name>${n}</name>`));
        }
        assert.equal((await shOk(h, 'stat -c %a -- "$1"', BACKUP_DIR)).trim(), '700');
      }
      assertUnchanged(await lifecycle('backup'));
    });

    it('undefine removes the named VM and keeps its disks', async () => {
      const r = await lifecycle('undefine', { vm_names: [DB] });
      assert.equal(r.code, 0, explain(r, { tail: true }));
      for (const h of HOSTS) {
        const names = await domains(h);
        assert.ok(!names.includes(DB) && names.includes(WEB), JSON.stringify(names));
        assert.equal((await imageInfo(h, `${POOL}/${DB}-0.qcow2`)).format, 'qcow2', 'disk kept');
      }
      assertUnchanged(await lifecycle('undefine', { vm_names: [DB] }));
    });
  });

  // Mocha runs a suite's own tests before its nested suites: these are suites so
  // that they run after the rollout and lifecycle ones, in the order written.
  describe('awkward names', () => {
    it('a VM named with spaces, quotes, ;, $(), & and < is defined with exactly that name, and nothing runs', async () => {
      const odd = vm(AWKWARD, { disks: [{ size: '16MiB', format: 'qcow2', bus: 'virtio' }], state: 'defined' });
      const r = await run('vm-rollout.yaml', { vms: [odd] });
      assert.equal(r.code, 0, explain(r, { tail: true }));
      for (const h of HOSTS) {
        assert.ok((await domains(h)).includes(AWKWARD), `listed as is: ${JSON.stringify(await domains(h))}`);
        assert.equal(await domstate(h, AWKWARD), 'shut off');
        assert.equal((await imageInfo(h, `${POOL}/${AWKWARD}-0.qcow2`))['virtual-size'], 16 * M);
      }
      assertUnchanged(await run('vm-rollout.yaml', { vms: [odd] }));
      const backup = await run('vm-lifecycle.yaml', { vms: [odd], vm_action: 'backup' });
      assert.equal(backup.code, 0, explain(backup, { tail: true }));
      for (const h of HOSTS) assert.match(await shOk(h, 'cat -- "$1"', `${BACKUP_DIR}/${AWKWARD}.xml`), /<name>kvs it&apos;s &quot;odd&quot;; \$\(touch PWNED\) &amp; &lt;x&gt;/);
      const gone = await run('vm-lifecycle.yaml', { vms: [odd], vm_action: 'undefine' });
      assert.equal(gone.code, 0, explain(gone, { tail: true }));
      for (const h of HOSTS) assert.ok(!(await domains(h)).includes(AWKWARD));
    });
  });

  describe('kvm_check', () => {
    it(`bootstrap with virt_type kvm on ${KVM_FAIL_HOST} (no vmx/svm) fails kvm_check there, clearly, and the other hosts go on`, async () => {
      // A copy of the lab inventory with host_vars beside it: virt_type kvm for that host only.
      const dir = join(scratch, 'inventory');
      mkdirSync(join(dir, 'host_vars'), { recursive: true });
      copyFileSync(inventory, join(dir, 'inventory.yaml'));
      writeFile(join(dir, 'host_vars'), `${KVM_FAIL_HOST}.yaml`, 'virt_type: kvm\n');
      const r = await kvmplay(['run', playbook('bootstrap-hypervisor.yaml'), '-i', join(dir, 'inventory.yaml'), '--limit', [...HOSTS, KVM_FAIL_HOST].join(':'), '--json'], { timeoutMs: 540_000 });
      assert.equal(r.code, 2, explain(r, { tail: true }));
      const recap = recapOf(r);
      assert.equal(recap.ok, false);
      assert.equal(recap.hosts[KVM_FAIL_HOST]?.failed, 1);
      const evs = events(r.stdout);
      const failed = evs.filter((e) => e.host === KVM_FAIL_HOST && e.status === 'failed');
      assert.deepEqual(failed.map((e) => e.task), ['Hardware virtualization (kvm_check, virt_type kvm)']);
      assert.match(failed[0]!.msg, /^CPU has no vmx\/svm flag: hardware virtualization is not available/);
      // It stopped there: nothing installed or started on it.
      assert.equal(evs.some((e) => e.host === KVM_FAIL_HOST && e.task === 'KVM stack packages'), false);
      for (const h of HOSTS) {
        assert.deepEqual(recap.hosts[h], { ...recap.hosts[h]!, failed: 0, changed: 0, unreachable: false });
        assert.equal(evs.find((e) => e.host === h && e.task.startsWith('Hardware virtualization'))?.status, 'ok');
        assert.equal(evs.find((e) => e.host === h && e.task === 'libvirt answers (virsh -c qemu:///system list)')?.status, 'ok', `${h} went on to the end`);
      }
    });
  });
});
