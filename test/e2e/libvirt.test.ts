// The libvirt modules (SPEC 6: disk_image, libvirt_domain, virsh) over real SSH to a
// lab host running libvirt with software emulation (virt_type qemu, no /dev/kvm).
// lab03 only: other e2e files drive lab01/lab02 at the same time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import type { RunModuleContext as ModuleContext, ModuleResult } from '../../src/modules/module.js';
import { loadModule, runModule } from '../../src/modules/registry.js';
import { fakeContext } from '../support/module-context.js';
import { compileTemplate, renderTemplate } from '../../src/template/index.js';
import { ensureLibvirt } from '../support/kvm-fixture.js';
import { ensureLab } from '../support/lab-fixture.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const HOST = 'lab03';
const G = 1024 ** 3;
const M = 1024 ** 2;

describe('libvirt modules over real SSH (lab03)', function () {
  this.timeout(300_000);
  let root: SshHost;
  const tag = `e2e${process.pid}`;
  const pool = `/var/lib/libvirt/images/kvmplay-${tag}`;
  const bridge = `kvp${process.pid % 100000}`;
  const domains: string[] = [];

  const vmVars = (vm: Record<string, unknown>): Record<string, unknown> => ({ vm, inventory_hostname: HOST, virt_type: 'qemu', pool_path: pool });
  const ctx = (over: Partial<ModuleContext> = {}, vars: Record<string, unknown> = {}): ModuleContext => fakeContext({
    hostName: HOST,
    vars,
    // What the runner does: render the template file with the host's variables.
    renderTemplateFile: async (src) => {
      const path = join(ROOT, src);
      return { path, content: renderTemplate(compileTemplate(readFileSync(path, 'utf8'), { name: src }), vars) };
    },
    ...over,
  });
  const apply = async (name: string, raw: Record<string, unknown>, c: ModuleContext = ctx()): Promise<ModuleResult> => {
    const mod = await loadModule(name);
    assert.ok(mod, `module ${name} is registered`);
    return runModule(mod, root, mod.args.parse(raw), c);
  };
  const sh = async (script: string, ...args: string[]): Promise<string> => {
    const r = await root.run(['sh', '-c', script, 'sh', ...args]);
    assert.equal(r.rc, 0, r.stderr);
    return r.stdout;
  };
  const virsh = (...args: string[]): Promise<string> => sh('LC_ALL=C virsh -c qemu:///system "$@"', ...args);
  const imageInfo = async (path: string): Promise<{ format: string; 'virtual-size': number }> =>
    JSON.parse(await sh('qemu-img info -U --output=json -- "$1"', path)) as { format: string; 'virtual-size': number };
  const identity = async (name: string): Promise<{ uuid: string; macs: string[] }> => {
    const xml = await virsh('dumpxml', '--inactive', '--domain', name);
    return { uuid: /<uuid>([^<]+)<\/uuid>/.exec(xml)?.[1] ?? '', macs: [...xml.matchAll(/<mac address='([^']+)'\/>/g)].map((m) => m[1] ?? '') };
  };
  const domstate = async (name: string): Promise<string> => (await virsh('domstate', '--domain', name)).trim();
  const ok = (r: ModuleResult): ModuleResult => {
    assert.ok(!r.failed, `module failed: ${r.msg}`);
    return r;
  };

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    root = new SshHost(connectionFor(await loadInventory([lab.inventory]), HOST), { acceptNewHostKeys: false, agentSocket: '' });
    await ensureLibvirt(root);
    // A bridge of our own for the guests' NICs: the lab hosts have no br0 and no
    // `default` network (libvirt-daemon-config-network is only a recommends).
    await sh('ip link add "$1" type bridge 2>/dev/null || :; ip link set "$1" up; mkdir -p -- "$2"', bridge, pool);
  });

  after(async () => {
    if (!root) return;
    for (const d of domains) {
      await root.run(['env', 'LC_ALL=C', 'virsh', '-c', 'qemu:///system', 'destroy', '--domain', d]).catch(() => undefined);
      await root.run(['env', 'LC_ALL=C', 'virsh', '-c', 'qemu:///system', 'undefine', '--keep-nvram', '--domain', d]).catch(() => undefined);
    }
    await root.run(['sh', '-c', 'rm -rf -- "$1"; ip link del "$2" 2>/dev/null || :', 'sh', pool, bridge]).catch(() => undefined);
    await root.close();
  });

  afterEach(async () => {
    // No value sent by a test may have been executed on the host.
    assert.equal(await sh('find / -xdev -name PWNED 2>/dev/null | head -1'), '');
  });

  describe('disk_image', () => {
    it('creates an image once, never overwrites it, grows it on request and refuses to shrink', async () => {
      const path = `${pool}/data.qcow2`;
      const check = await apply('disk_image', { path, size: '1GiB', format: 'qcow2' }, ctx({ check: true, diff: true }));
      assert.equal(ok(check).changed, true);
      assert.match(check.diff ?? '', /\+virtual-size: 1073741824/);
      assert.equal((await root.run(['test', '-e', path])).rc, 1, 'check mode created nothing');

      assert.equal(ok(await apply('disk_image', { path, size: '1GiB', format: 'qcow2' })).changed, true);
      assert.deepEqual(await imageInfo(path).then((i) => [i.format, i['virtual-size']]), ['qcow2', G]);
      assert.equal(ok(await apply('disk_image', { path, size: '1GiB', format: 'qcow2' })).changed, false);
      // A different size without resize: left alone.
      assert.equal(ok(await apply('disk_image', { path, size: '2GiB', format: 'qcow2' })).changed, false);
      assert.equal((await imageInfo(path))['virtual-size'], G);

      const grow = ok(await apply('disk_image', { path, size: '2GiB', format: 'qcow2', resize: true }));
      assert.equal(grow.changed, true);
      assert.equal((await imageInfo(path))['virtual-size'], 2 * G);
      const shrink = await apply('disk_image', { path, size: '1GiB', format: 'qcow2', resize: true });
      assert.equal(shrink.failed, true);
      assert.match(shrink.msg, /refusing to shrink/);
      const fmt = await apply('disk_image', { path, size: '2GiB', format: 'raw' });
      assert.equal(fmt.failed, true);
      assert.match(fmt.msg, /format qcow2, not raw/);
    });

    it('makes a qcow2 overlay on a base image once, never writing the base, and never rebases it', async () => {
      const base = `${pool}/base $(touch PWNED).img`;
      const overlay = `${pool}/guest-0.qcow2`;
      ok(await apply('disk_image', { path: base, size: '32MiB', format: 'raw' }));
      await sh('printf base-marker | dd of="$1" bs=1 seek=8192 conv=notrunc 2>/dev/null', base);
      const baseSum = await sh('sha256sum < "$1"', base);

      const check = await apply('disk_image', { path: overlay, backing_file: base }, ctx({ check: true, diff: true }));
      assert.equal(ok(check).changed, true);
      assert.ok(check.diff?.includes(`+backing-file: ${base}`), check.diff);
      assert.equal((await root.run(['test', '-e', overlay])).rc, 1, 'check mode created nothing');

      const made = ok(await apply('disk_image', { path: overlay, backing_file: base }));
      assert.equal(made.changed, true);
      assert.equal(made.msg, `created qcow2 image of ${32 * M} bytes on ${base}`);
      const info = JSON.parse(await sh('qemu-img info -U --output=json -- "$1"', overlay)) as Record<string, unknown>;
      assert.deepEqual([info['format'], info['virtual-size'], info['full-backing-filename'], info['backing-filename-format']], ['qcow2', 32 * M, base, 'raw']);
      // The guest sees the base's bytes through the overlay.
      assert.match(await sh('qemu-img compare -U -f qcow2 -F raw -- "$1" "$2"', overlay, base), /Images are identical/);
      assert.equal(ok(await apply('disk_image', { path: overlay, backing_file: base })).changed, false);

      const larger = `${pool}/guest-1.qcow2`;
      assert.equal(ok(await apply('disk_image', { path: larger, backing_file: base, backing_format: 'raw', size: '64MiB' })).changed, true);
      assert.equal((await imageInfo(larger))['virtual-size'], 64 * M);
      const smaller = await apply('disk_image', { path: `${pool}/guest-2.qcow2`, backing_file: base, size: '16MiB' });
      assert.equal(smaller.failed, true);
      assert.match(smaller.msg, /smaller than the backing file's 33554432/);

      const rebase = await apply('disk_image', { path: overlay, backing_file: `${pool}/other.img` });
      assert.equal(rebase.failed, true);
      assert.match(rebase.msg, /never rebased or overwritten/);
      const missing = await apply('disk_image', { path: `${pool}/guest-3.qcow2`, backing_file: `${pool}/no-such-base.img` });
      assert.equal(missing.failed, true);
      assert.match(missing.msg, /the backing file .*no-such-base\.img does not exist/);
      assert.equal(await sh('sha256sum < "$1"', base), baseSum, 'the base image is unchanged');
    });

    it('keeps the bytes of an existing raw image', async () => {
      const path = `${pool}/raw disk's $(touch PWNED).img`;
      assert.equal(ok(await apply('disk_image', { path, size: '16MiB', format: 'raw' })).changed, true);
      await sh('printf marker | dd of="$1" bs=1 seek=4096 conv=notrunc 2>/dev/null', path);
      assert.equal(ok(await apply('disk_image', { path, size: '16MiB', format: 'raw' })).changed, false);
      assert.equal(await sh('dd if="$1" bs=1 skip=4096 count=6 2>/dev/null', path), 'marker');
      assert.deepEqual(await imageInfo(path).then((i) => [i.format, i['virtual-size']]), ['raw', 16 * M]);
    });
  });

  describe('libvirt_domain', () => {
    const name = `kvmplay-${tag}-web`;
    const vm = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
      name, memory: '128MiB', vcpus: 1,
      disks: [{ size: '64MiB', format: 'qcow2', bus: 'virtio' }],
      interfaces: [{ bridge, model: 'virtio' }, { bridge, model: 'e1000' }],
      graphics: { type: 'vnc', listen: '127.0.0.1' },
      ...over,
    });
    const domain = (v: Record<string, unknown>, args: Record<string, unknown>, over: Partial<ModuleContext> = {}): Promise<ModuleResult> =>
      apply('libvirt_domain', { name, template: 'templates/domain.xml.hbs', ...args }, ctx(over, vmVars(v)));

    before(async () => {
      domains.push(name);
      ok(await apply('disk_image', { path: `${pool}/${name}-0.qcow2`, size: '64MiB', format: 'qcow2' }));
    });

    it('check mode defines nothing', async () => {
      const r = ok(await domain(vm(), { state: 'running', autostart: true }, { check: true }));
      assert.equal(r.changed, true);
      assert.match(r.msg, /would define/);
      assert.doesNotMatch(await virsh('list', '--all', '--name'), new RegExp(name));
    });

    it('defines and starts a domain from the template; a second apply changes nothing', async () => {
      const first = ok(await domain(vm(), { state: 'running', autostart: true }, { diff: true }));
      assert.equal(first.changed, true, first.msg);
      assert.match(first.diff ?? '', /\+<domain type='qemu'>/);
      assert.equal(await domstate(name), 'running');
      assert.match(await virsh('dominfo', '--domain', name), /Autostart:\s+enable/);
      const id = await identity(name);
      assert.equal(id.macs.length, 2);

      const again = ok(await domain(vm(), { state: 'running', autostart: true }));
      assert.equal(again.changed, false, again.msg);
      assert.deepEqual(await identity(name), id);
    });

    it('redefines on a memory/vcpu change with a diff, keeping uuid and MACs', async () => {
      const id = await identity(name);
      // Another uuid and other MACs in the wanted XML: the existing ones are carried.
      const changed = vm({
        memory: '192MiB', vcpus: 2, uuid: '0badc0de-0000-4000-8000-000000000001',
        interfaces: [{ bridge, model: 'virtio', mac: '52:54:00:de:ad:01' }, { bridge, model: 'e1000', mac: '52:54:00:de:ad:02' }],
      });
      const check = ok(await domain(changed, { state: 'running' }, { check: true }));
      assert.equal(check.changed, true);
      assert.match(check.msg, /would define \(differs: .*memory/);
      assert.match(await virsh('dumpxml', '--inactive', '--domain', name), /<vcpu placement='static'>1<\/vcpu>/);

      const r = ok(await domain(changed, { state: 'running' }, { diff: true }));
      assert.equal(r.changed, true);
      assert.match(r.diff ?? '', /^-\s*<vcpu placement='static'>1<\/vcpu>$/m);
      assert.match(r.diff ?? '', /^\+\s*<vcpu placement='static'>2<\/vcpu>$/m);
      assert.match(r.diff ?? '', /^\+\s*<memory unit='KiB'>196608<\/memory>$/m);
      assert.deepEqual(await identity(name), id);
      assert.equal(ok(await domain(changed, { state: 'running' })).changed, false);
    });

    it('pauses, resumes, times out a shutdown of a guest without OS, then forces it off', async () => {
      assert.equal(ok(await domain(vm(), { state: 'paused' })).changed, true);
      assert.equal(await domstate(name), 'paused');
      assert.equal(ok(await domain(vm(), { state: 'paused' })).changed, false);
      assert.equal(ok(await domain(vm(), { state: 'running' })).changed, true);
      assert.equal(await domstate(name), 'running');

      const started = Date.now();
      const timedOut = await apply('libvirt_domain', { name, state: 'shutdown', shutdown_timeout: 2 });
      assert.equal(timedOut.failed, true);
      assert.match(timedOut.msg, /did not shut down within 2s/);
      assert.ok(Date.now() - started >= 2000);
      assert.equal(await domstate(name), 'running');

      const forced = ok(await apply('libvirt_domain', { name, state: 'shutdown', shutdown_timeout: 1, force: true }));
      assert.equal(forced.changed, true);
      assert.match(forced.msg, /destroyed/);
      assert.equal(await domstate(name), 'shut off');
      assert.equal(ok(await apply('libvirt_domain', { name, state: 'destroyed' })).changed, false);
    });

    it('undefines the domain and keeps its disk', async () => {
      assert.equal(ok(await apply('libvirt_domain', { name, state: 'undefined' }, ctx({ check: true }))).changed, true);
      assert.match(await virsh('list', '--all', '--name'), new RegExp(name));
      assert.equal(ok(await apply('libvirt_domain', { name, state: 'undefined' })).changed, true);
      assert.doesNotMatch(await virsh('list', '--all', '--name'), new RegExp(name));
      assert.equal(ok(await apply('libvirt_domain', { name, state: 'undefined' })).changed, false);
      assert.equal((await imageInfo(`${pool}/${name}-0.qcow2`)).format, 'qcow2');
    });

    it('defines a domain whose name has spaces, quotes, ;, $(), & and < exactly', async () => {
      const awkward = `kvmplay ${tag} it's "odd"; $(touch PWNED) & <x> \`id\``;
      domains.push(awkward);
      const v = { name: awkward, memory: '64MiB', vcpus: 1, disks: [], interfaces: [] };
      const r = ok(await apply('libvirt_domain', { name: awkward, template: 'templates/domain.xml.hbs', state: 'defined' }, ctx({}, vmVars(v))));
      assert.equal(r.changed, true);
      const names = (await virsh('list', '--all', '--name')).split('\n');
      assert.ok(names.includes(awkward), `listed as is: ${JSON.stringify(names)}`);
      assert.equal(ok(await apply('libvirt_domain', { name: awkward, template: 'templates/domain.xml.hbs' }, ctx({}, vmVars(v)))).changed, false);
      assert.equal(ok(await apply('libvirt_domain', { name: awkward, state: 'undefined' })).changed, true);
      assert.ok(!(await virsh('list', '--all', '--name')).split('\n').includes(awkward));
    });

    it('defines a domain that boots a kernel directly, with a small translation cache, and keeps it so', async () => {
      const direct = `kvmplay-${tag}-direct`;
      domains.push(direct);
      const v = {
        name: direct, memory: '96MiB', vcpus: 1, disks: [], interfaces: [],
        kernel: `${pool}/vmlinuz`, initrd: `${pool}/initrd.img`, cmdline: 'console=ttyS0 kvmplay.hostname=g1 quiet', tb_cache: '32MiB',
      };
      const define = (): Promise<ModuleResult> => apply('libvirt_domain', { name: direct, template: 'templates/domain.xml.hbs', state: 'defined' }, ctx({}, vmVars(v)));
      assert.equal(ok(await define()).changed, true);
      const xml = await virsh('dumpxml', '--inactive', '--domain', direct);
      assert.match(xml, new RegExp(`<kernel>${pool}/vmlinuz</kernel>\\s*<initrd>${pool}/initrd\\.img</initrd>\\s*<cmdline>console=ttyS0 kvmplay\\.hostname=g1 quiet</cmdline>`));
      assert.match(xml, /<tcg>\s*<tb-cache unit='KiB'>32768<\/tb-cache>\s*<\/tcg>/);
      // (libvirt adds a <boot dev='hd'/> of its own; a kernel given, qemu boots it.)
      assert.equal(ok(await define()).changed, false, 'libvirt keeps what the template wrote');
      assert.equal(ok(await apply('libvirt_domain', { name: direct, state: 'undefined' })).changed, true);
    });

    it('reports invalid XML and a wrong virt type with libvirt\'s message', async () => {
      const bad = await apply('libvirt_domain', { name: 'kvmplay-bad', xml: "<domain type='qemu'><name>kvmplay-bad</name><memory>x</memory></domain>" });
      assert.equal(bad.failed, true);
      assert.match(bad.msg, /^invalid XML: XML error: /);
      const malformed = await apply('libvirt_domain', { name: 'kvmplay-bad', xml: "<domain type='qemu'><name>kvmplay-bad</name" });
      assert.equal(malformed.failed, true);
      // Caught by kvmplay before virsh: where, and that nothing was defined.
      assert.match(malformed.msg, /^invalid XML \(not well-formed\), nothing defined: line 1, column \d+: /);
      assert.ok(!(await virsh('list', '--all', '--name')).split('\n').includes('kvmplay-bad'));
      // The shipped template with virt_type kvm, as a playbook for real hypervisors would send it.
      const v = { name: 'kvmplay-kvm', memory: '64MiB', vcpus: 1, disks: [], interfaces: [] };
      const kvm = await apply('libvirt_domain', { name: 'kvmplay-kvm', template: 'templates/domain.xml.hbs' }, ctx({}, { ...vmVars(v), virt_type: 'kvm' }));
      assert.equal(kvm.failed, true);
      assert.match(kvm.msg, /virt type 'kvm'.*use virt_type: qemu/);
      const machineless = await apply('libvirt_domain', { name: 'kvmplay-kvm', xml: "<domain type='kvm'><name>kvmplay-kvm</name><memory>65536</memory><os><type>hvm</type></os></domain>" });
      assert.equal(machineless.failed, true);
      assert.match(machineless.msg, /virt type 'kvm'.*use virt_type: qemu/);
    });
  });

  describe('libvirt_network', () => {
    const name = `kvmplay-${tag}-net`;
    const net = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
      net: { name, bridge: `kvn${process.pid % 100000}`, address: '192.168.213.1', prefix: 24, dhcp_start: '192.168.213.10', dhcp_end: '192.168.213.50', ...over },
    });
    const network = (vars: Record<string, unknown>, args: Record<string, unknown>, over: Partial<ModuleContext> = {}): Promise<ModuleResult> =>
      apply('libvirt_network', { name, template: 'templates/network.xml.hbs', ...args }, ctx(over, vars));
    const netIdentity = async (): Promise<string[]> => {
      const xml = await virsh('net-dumpxml', '--inactive', '--network', name);
      return [/<uuid>([^<]+)<\/uuid>/.exec(xml)?.[1] ?? '', /<mac address='([^']+)'\/>/.exec(xml)?.[1] ?? ''];
    };
    after(async () => {
      await root?.run(['sh', '-c', 'virsh -c qemu:///system net-destroy --network "$1"; virsh -c qemu:///system net-undefine --network "$1"', 'sh', name]).catch(() => undefined);
    });

    it('defines, starts and autostarts a NAT network once; keeps uuid and MAC; undefines it', async () => {
      const check = ok(await network(net(), { state: 'active', autostart: true }, { check: true }));
      assert.equal(check.changed, true);
      assert.equal((await root.run(['virsh', '-c', 'qemu:///system', 'net-info', '--network', name])).rc, 1, 'check mode defined nothing');

      const first = ok(await network(net(), { state: 'active', autostart: true }, { diff: true }));
      assert.equal(first.changed, true, first.msg);
      const listed = ok(await apply('virsh', { command: ['net-list', '--all'] }));
      assert.deepEqual((listed.data?.['parsed'] as Array<{ name: string }>).find((n) => n.name === name), { name, state: 'active', autostart: true, persistent: true });
      const id = await netIdentity();
      assert.equal(ok(await network(net(), { state: 'active', autostart: true })).changed, false);

      const changed = net({ dhcp_end: '192.168.213.60', uuid: '0badc0de-0000-4000-8000-000000000002', mac: '52:54:00:de:ad:09' });
      const r = ok(await network(changed, { state: 'active' }, { diff: true }));
      assert.equal(r.changed, true);
      assert.match(r.diff ?? '', /^\+\s*<range start='192\.168\.213\.10' end='192\.168\.213\.60'/m);
      assert.deepEqual(await netIdentity(), id);

      assert.equal(ok(await apply('libvirt_network', { name, state: 'absent' })).changed, true);
      assert.equal((await root.run(['virsh', '-c', 'qemu:///system', 'net-info', '--network', name])).rc, 1);
      assert.equal(ok(await apply('libvirt_network', { name, state: 'absent' })).changed, false);
    });
  });

  describe('virsh', () => {
    it('parses list --all and reports reads as unchanged', async () => {
      const name = `kvmplay-${tag}-list`;
      domains.push(name);
      ok(await apply('libvirt_domain', { name, xml: `<domain type='qemu'><name>${name}</name><memory unit='KiB'>65536</memory><os><type arch='x86_64'>hvm</type></os></domain>` }));
      const r = ok(await apply('virsh', { command: ['list', '--all'] }));
      assert.equal(r.changed, false);
      const parsed = r.data?.['parsed'] as Array<{ name: string; state: string; id: number | null }>;
      assert.deepEqual(parsed.find((d) => d.name === name), { id: null, name, state: 'shut off' });
      const info = ok(await apply('virsh', { command: `dominfo ${name}` }));
      assert.equal((info.data?.['parsed'] as { name: string }).name, name);
      const gone = await apply('virsh', { command: ['domstate', 'kvmplay-no-such-domain'] });
      assert.equal(gone.failed, true);
      assert.equal((gone.data?.['failure'] as { kind: string }).kind, 'no-such-domain');
      assert.equal(ok(await apply('virsh', { command: ['undefine', name] })).changed, true);
    });
  });
});
