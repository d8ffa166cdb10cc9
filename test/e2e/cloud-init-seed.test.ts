// cloud_init_seed (issue 17) end to end: the real CLI over real SSH on lab03, made a
// hypervisor by bootstrap-hypervisor.yaml when it is not one yet (genisoimage comes
// with the KVM stack). The ISO is read back on the host with isoinfo, independently
// of the module: label, Joliet and Rock Ridge names, the files' contents. Then
// idempotency (the ISO not even rewritten), --check, --diff with secrets, a rebuild,
// and vm-rollout.yaml attaching the seed to a domain. lab03 only: other e2e files
// drive the other hosts meanwhile.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse } from 'yaml';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { type CliResult, explain, kvmplay, lastJsonLine, repoRoot, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab } from '../support/lab-fixture.js';

const HOST = 'lab03';
const SECRET = 'Seed-Secret-7f3a91';
const LITERAL_HASH = '$6$saltsalt$literalhashvalue';

interface TaskEvent { event: string; host: string; task: string; status: string; changed: boolean; msg: string; diff?: string; items?: Array<{ item: string; status: string; changed: boolean; msg: string }> }
interface Recap { ok: boolean; hosts: Record<string, { ok: number; changed: number; failed: number }> }

function taskEvents(stdout: string): TaskEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task');
}

describe('cloud_init_seed over real SSH (lab03)', function () {
  this.timeout(600_000);
  const tag = `seed${process.pid}`;
  const pool = `/var/lib/libvirt/images/kvmplay-${tag}`;
  const iso = `${pool}/web01-cidata.iso`;
  let inventory: string;
  let scratch: string;
  let root: SshHost;

  const sh = async (text: string, ...args: string[]): Promise<string> => {
    const r = await root.run(['sh', '-c', text, 'sh', ...args], { timeoutMs: 120_000 });
    assert.equal(r.rc, 0, `${text}: ${r.stderr}`);
    return r.stdout;
  };
  /** Inode, mtime (ns) and sha256 of the ISO: a rebuild changes the inode (temp file + rename). */
  const identity = (): Promise<string> => sh('stat -c "%i %.9Y" -- "$1"; sha256sum < "$1"', iso);
  const isoFile = (name: string, path = iso): Promise<string> => sh('isoinfo -R -i "$1" -x "/$2"', path, name);

  const userData = (marker: string): Record<string, unknown> => ({
    hostname: 'web01',
    fqdn: 'web01.lab.example',
    disable_root: false,
    ssh_pwauth: false,
    users: [{ name: 'ops', shell: '/bin/bash', sudo: 'ALL=(ALL) NOPASSWD:ALL', passwd: LITERAL_HASH, ssh_authorized_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGSEq3fMa9eay3n7gtnI1379a1Ei8oXWR4clwACOaRoQ ops@laptop'] }],
    chpasswd: { expire: false, users: [{ name: 'root', password: '{{ seed_password }}', type: 'text' }] },
    packages: ['qemu-guest-agent'],
    write_files: [{ path: '/etc/app/token', permissions: '0600', content: '{{ seed_password }}\n' }, { path: '/etc/motd', content: 'hello\nfrom the seed\n' }],
    runcmd: [['sh', '-c', `echo ${marker} > /run/marker`], 'echo "on: yes"'],
  });
  const NETWORK = { version: 2, ethernets: { eth0: { addresses: ['192.0.2.10/24'], routes: [{ to: 'default', via: '192.0.2.1' }], nameservers: { addresses: ['192.0.2.1'] } } } };
  // What the guest must get: the user_data above with the secret in place.
  const expectedUserData = (marker: string): unknown => JSON.parse(JSON.stringify(userData(marker)).replaceAll('{{ seed_password }}', SECRET));

  let varsCount = 0;
  const run = (vars: Record<string, unknown>, ...args: string[]): Promise<CliResult> => {
    const file = writeFile(scratch, `vars-${++varsCount}.json`, JSON.stringify({ seed_password: SECRET, iso, ...vars }));
    return kvmplay(['run', join(scratch, 'seed.yaml'), '-i', inventory, '--limit', HOST, '-e', `@${file}`, '--json', ...args], { timeoutMs: 300_000 });
  };
  const seedTask = (r: CliResult): TaskEvent => {
    assert.equal(r.code, 0, explain(r, { tail: true }));
    const ev = taskEvents(r.stdout).find((e) => e.task === 'seed');
    assert.ok(ev, explain(r));
    return ev;
  };

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    inventory = lab.inventory;
    scratch = scratchDir('cloud-init-seed');
    root = new SshHost(connectionFor(await loadInventory([inventory]), HOST), { acceptNewHostKeys: false, agentSocket: '' });
    const stack = await root.run(['sh', '-c', 'command -v genisoimage && command -v isoinfo && command -v virsh && virsh -c qemu:///system version']);
    if (stack.rc !== 0) {
      const boot = await kvmplay(['run', join(repoRoot, 'playbooks', 'bootstrap-hypervisor.yaml'), '-i', inventory, '--limit', HOST], { timeoutMs: 840_000 });
      assert.equal(boot.code, 0, explain(boot, { tail: true }));
    }
    await sh('mkdir -p -- "$1"', pool);
    writeFile(scratch, 'seed.yaml', [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: seed',
      '      cloud_init_seed:',
      '        path: "{{ iso }}"',
      '        hostname: web01',
      '        user_data: "{{ user_data }}"',
      '        network_config: "{{ network_config | default(omit) }}"',
      '',
    ].join('\n'));
  });

  after(async () => {
    if (!root) return;
    await root.run(['sh', '-c', 'virsh -c qemu:///system undefine --domain "$1" >/dev/null 2>&1; rm -rf -- "$2"', 'sh', `${tag}-vm`, pool]).catch(() => undefined);
    await root.close();
  });

  it('in --check --diff builds nothing, and shows the new files with their secrets masked', async () => {
    const r = await run({ user_data: userData('one'), network_config: NETWORK }, '--check', '--diff');
    const ev = seedTask(r);
    assert.equal(ev.changed, true);
    assert.equal(ev.msg, 'would build the seed ISO (new)');
    assert.equal((await root.run(['test', '-e', iso])).rc, 1, 'check mode created nothing');
    const diff = ev.diff ?? '';
    for (const name of ['user-data', 'meta-data', 'network-config']) assert.ok(diff.includes(`+++ after: ${iso}/${name}\n`), diff);
    assert.match(diff, /\+#cloud-config\n\+hostname: web01\n/);
    assert.match(diff, /\+instance-id: web01\n/);
    // Masked by key (a password typed into user_data) and by value (a secret variable).
    assert.match(diff, /\+ {4}passwd: "\*{8}"\n/);
    assert.match(diff, /\+ {6}password: "\*{8}"\n/);
    assert.match(diff, /\+ {4}content: \|\n\+ {6}\*{8}\n/);
    for (const secret of [SECRET, LITERAL_HASH]) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `${secret} in the output`);
  });

  it('builds a cidata ISO (Joliet and Rock Ridge) holding user-data, meta-data and network-config', async () => {
    const ev = seedTask(await run({ user_data: userData('one'), network_config: NETWORK }));
    assert.equal(ev.changed, true);
    assert.match(ev.msg, /^built .*web01-cidata\.iso with genisoimage \(new\)$/);
    const info = await sh('isoinfo -d -i "$1"', iso);
    assert.match(info, /^Volume id: cidata$/m);
    assert.match(info, /^Application id: KVMPLAY CIDATA SHA256 [0-9A-F]{64}$/m);
    assert.match(info, /Joliet with UCS level 3 found/);
    assert.match(info, /Rock Ridge signatures version \d+ found/);
    assert.deepEqual((await sh('isoinfo -R -f -i "$1"', iso)).trim().split('\n').sort(), ['/meta-data', '/network-config', '/user-data']);
    assert.deepEqual((await sh('isoinfo -J -f -i "$1"', iso)).trim().split('\n').sort(), ['/meta-data', '/network-config', '/user-data']);

    const user = await isoFile('user-data');
    assert.match(user, /^#cloud-config\n/);
    assert.deepEqual(parse(user, { version: '1.1' }), expectedUserData('one'));
    assert.deepEqual(parse(await isoFile('meta-data')), { 'instance-id': 'web01', 'local-hostname': 'web01' });
    assert.deepEqual(parse(await isoFile('network-config')), NETWORK);
    assert.equal(await sh('stat -c %a -- "$1"', iso), '644\n');
    assert.equal(await sh('ls -A -- "$1"', pool), 'web01-cidata.iso\n', 'no temporary folder or sidecar left beside the ISO');
  });

  it('changes nothing for an unchanged seed, without rewriting the ISO', async () => {
    const before = await identity();
    const ev = seedTask(await run({ user_data: userData('one'), network_config: NETWORK }, '--diff'));
    assert.equal(ev.changed, false);
    assert.equal(ev.status, 'ok');
    assert.equal(ev.diff, undefined);
    assert.equal(await identity(), before);
  });

  it('in --check --diff shows what changes between the old user-data and the new, and changes nothing', async () => {
    const before = await identity();
    const r = await run({ user_data: userData('two'), network_config: NETWORK }, '--check', '--diff');
    const ev = seedTask(r);
    assert.equal(ev.changed, true);
    assert.equal(ev.msg, 'would rebuild the seed ISO (seed changed)');
    assert.match(ev.diff ?? '', /--- before: .*web01-cidata\.iso\/user-data\n\+\+\+ after: .*user-data\n/);
    assert.match(ev.diff ?? '', /-\s+- echo one > \/run\/marker\n\+\s+- echo two > \/run\/marker\n/);
    assert.ok(!(ev.diff ?? '').includes('meta-data'), 'an unchanged file is not in the diff');
    for (const secret of [SECRET, LITERAL_HASH]) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `${secret} in the output`);
    assert.equal(await identity(), before);
  });

  it('rebuilds a changed seed (a new file renamed into place), then changes nothing again', async () => {
    const before = await identity();
    const ev = seedTask(await run({ user_data: userData('two') }));
    assert.equal(ev.changed, true);
    assert.match(ev.msg, /^rebuilt .* \(seed changed\)$/);
    const after = await identity();
    assert.notEqual(after.split(' ')[0], before.split(' ')[0], 'a new inode: the ISO was replaced, not written in place');
    assert.deepEqual(parse(await isoFile('user-data'), { version: '1.1' }), expectedUserData('two'));
    assert.deepEqual((await sh('isoinfo -R -f -i "$1"', iso)).trim().split('\n').sort(), ['/meta-data', '/user-data'], 'network-config is gone with the argument');
    assert.equal(seedTask(await run({ user_data: userData('two') })).changed, false);
    assert.equal(await identity(), after);
  });

  it('vm-rollout.yaml builds the seed of a VM with cloud_init and attaches it to the domain as a CD-ROM', async () => {
    const name = `${tag}-vm`;
    const vm = {
      name, memory: '64MiB', vcpus: 1, state: 'defined', autostart: false,
      disks: [{ size: '16MiB', format: 'qcow2', bus: 'virtio' }], interfaces: [],
      cloud_init: { user_data: { ssh_authorized_keys: ['ssh-ed25519 AAAA e2e'] }, network_config: { version: 2, ethernets: { eth0: { dhcp4: true } } } },
    };
    const rollout = async (): Promise<CliResult> => {
      const file = writeFile(scratch, `rollout-${++varsCount}.json`, JSON.stringify({ vms: [vm], pool_path: pool }));
      const r = await kvmplay(['run', join(repoRoot, 'playbooks', 'vm-rollout.yaml'), '-i', inventory, '--limit', HOST, '-e', `@${file}`, '--json'], { timeoutMs: 300_000 });
      assert.equal(r.code, 0, explain(r, { tail: true }));
      return r;
    };
    const first = await rollout();
    const seedEvent = taskEvents(first.stdout).find((e) => e.task === 'cloud-init seeds');
    assert.equal(seedEvent?.changed, true, explain(first, { tail: true }));
    const seed = `${pool}/${name}-cidata.iso`;
    assert.deepEqual(parse(await isoFile('meta-data', seed)), { 'instance-id': name, 'local-hostname': name });
    assert.deepEqual(parse(await isoFile('user-data', seed), { version: '1.1' }), vm.cloud_init.user_data);
    const xml = await sh('virsh -c qemu:///system dumpxml --inactive --domain "$1"', name);
    assert.match(xml, new RegExp(`<disk type='file' device='cdrom'>\\s*<driver name='qemu' type='raw'/>\\s*<source file='${seed.replaceAll('.', '\\.')}'/>\\s*<target dev='hdd' bus='ide'/>\\s*<readonly/>`));
    const again = await rollout();
    assert.equal(lastJsonLine<Recap>(again.stdout).hosts[HOST]?.changed, 0, explain(again, { tail: true }));
  });
});
