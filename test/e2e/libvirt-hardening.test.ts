// Issue 11, items 2, 12 and 13, over real SSH on lab03 (libvirt with software
// emulation): a local user cannot swap the XML that `virsh define` reads; VMs on
// libvirt's `default` network run after bootstrap, and a VM on a missing or inactive
// network fails before anything is defined; the uuid and MACs kept on a re-define
// land on the real elements of a template with commented-out ones. lab03 only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import type { ConnectionSpec } from '../../src/transport/connection-spec.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import type { RunModuleContext as ModuleContext, ModuleResult } from '../../src/modules/module.js';
import { loadModule, runModule } from '../../src/modules/registry.js';
import { fakeContext } from '../support/module-context.js';
import { type CliResult, explain, kvmplay, lastJsonLine, repoRoot, scratchDir, writeFile } from '../support/cli.js';
import { ensureLibvirt } from '../support/kvm-fixture.js';
import { ensureLab } from '../support/lab-fixture.js';

const HOST = 'lab03';
const PREFIX = 'kvh'; // every domain and network this file makes starts with it
/** An unprivileged local user on lab03: the attacker. */
const EVE = 'kvpeve';

// Eve watches /tmp for anything kvmplay stages and swaps it for her own domain XML:
// the staged name gives away the final one, so she plants a directory there first
// (mv then moves root's file into it), renames her directory away and puts her file
// in its place before virsh reads it. Prints one line per swap.
const ATTACKER = String.raw`
import os, re, sys, time
evil, deadline = sys.argv[1], time.time() + float(sys.argv[2])
stage = re.compile(r'^\.(kvmplay-[0-9a-f]+\.xml)\.kvmplay-[0-9a-f]+$')
seen = set()
while time.time() < deadline:
    for n in os.listdir('/tmp'):
        m = stage.match(n)
        if not m or m.group(1) in seen:
            continue
        seen.add(m.group(1))
        final = '/tmp/' + m.group(1)
        try:
            os.mkdir(final)
        except OSError:
            continue
        t = time.time()
        while time.time() - t < 10 and not os.listdir(final):
            pass
        os.rename(final, final + '.eve')
        with open(final, 'w') as f:
            f.write(evil)
        print('swapped ' + final, flush=True)
`;

interface TaskEvent { event: string; host: string; task: string; status: string; msg: string }
const events = (stdout: string): TaskEvent[] =>
  stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task');

describe('libvirt hardening over real SSH (lab03)', function () {
  this.timeout(600_000);
  let root: SshHost;
  let kvp: SshHost;
  let inventory: string;
  let scratch: string;
  const tag = `${PREFIX}${process.pid}`;

  const sh = async (script: string, ...args: string[]): Promise<string> => {
    const r = await root.run(['sh', '-c', script, 'sh', ...args], { timeoutMs: 300_000 });
    assert.equal(r.rc, 0, `${script}: ${r.stderr}`);
    return r.stdout;
  };
  const virsh = (...args: string[]): Promise<string> => sh('LC_ALL=C virsh -c qemu:///system "$@"', ...args);
  const domains = async (): Promise<string[]> => (await virsh('list', '--all', '--name')).split('\n').filter((n) => n !== '');
  const apply = async (host: SshHost, name: string, raw: Record<string, unknown>, over: Partial<ModuleContext> & { files?: Record<string, string> } = {}): Promise<ModuleResult> => {
    const mod = await loadModule(name);
    assert.ok(mod, `module ${name} is registered`);
    return runModule(mod, host, mod.args.parse(raw), fakeContext({ hostName: HOST, ...over }));
  };
  const ok = (r: ModuleResult): ModuleResult => {
    assert.ok(!r.failed, `module failed: ${r.msg}`);
    return r;
  };
  /** Remove this file's domains (and networks) whatever state they are in. */
  const cleanup = (): Promise<string> => sh([
    'export LC_ALL=C; v="virsh -c qemu:///system"',
    '$v list --all --name | while IFS= read -r d; do case "$d" in "$1"*) $v destroy --domain "$d" >/dev/null 2>&1; $v undefine --keep-nvram --domain "$d" >/dev/null 2>&1;; esac; done',
    '$v net-list --all --name | while IFS= read -r n; do case "$n" in "$1"*) $v net-destroy --network "$n" >/dev/null 2>&1; $v net-undefine --network "$n" >/dev/null 2>&1;; esac; done',
    ':',
  ].join('\n'), PREFIX);

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    inventory = lab.inventory;
    scratch = scratchDir('libvirt-hardening');
    const spec: ConnectionSpec = connectionFor(await loadInventory([inventory]), HOST);
    root = new SshHost(spec, { acceptNewHostKeys: false, agentSocket: '' });
    const becomePassword = readFileSync(join(lab.labDir, 'become-password'), 'utf8').trim();
    kvp = new SshHost({ ...spec, user: 'kvp', becomePassword }, { acceptNewHostKeys: false, agentSocket: '' });
    await ensureLibvirt(root);
    await sh(`id ${EVE} >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin ${EVE}`);
    await cleanup();
  });

  after(async () => {
    if (root) await cleanup().catch(() => undefined);
    await root?.close();
    await kvp?.close();
  });

  describe('the XML virsh defines cannot be swapped by a local user (item 2)', () => {
    const evilName = `${PREFIX}-eve-${process.pid}`;
    const evil = `<domain type='qemu'><name>${evilName}</name><memory unit='KiB'>65536</memory><os><type arch='x86_64'>hvm</type></os></domain>`;

    /** Run Eve's watcher as her, for the duration of `during`; what she did. */
    const withEve = async (during: () => Promise<void>): Promise<string> => {
      const out = `/var/tmp/${tag}-eve.out`;
      await sh('rm -f -- "$3"; setsid runuser -u "$1" -- python3 -c "$2" "$4" 600 > "$3" 2>&1 < /dev/null & echo $! > "$3.pid"', EVE, ATTACKER, out, evil);
      try {
        await during();
      } finally {
        // Still watching at the end (else the race proves nothing), then stopped.
        await sh('kill -0 "$(cat "$1.pid")" && echo "still watching" >> "$1.alive"; kill -- -"$(cat "$1.pid")" 2>/dev/null || kill "$(cat "$1.pid")" 2>/dev/null; rm -rf /tmp/kvmplay-*.xml.eve; :', out);
      }
      return sh('cat -- "$1" "$1.alive" 2>/dev/null; rm -f -- "$1" "$1.pid" "$1.alive"', out);
    };

    for (const [who, host, become] of [['as root', () => root, false], ['as kvp through sudo', () => kvp, true]] as const) {
      it(`defines the wanted domain 10 times out of 10 ${who} while an unprivileged user races every define`, async () => {
        const name = `${tag}-race-${become ? 'sudo' : 'root'}`;
        const results: ModuleResult[] = [];
        const seen = await withEve(async () => {
          for (let i = 0; i < 10; i++) {
            const xml = `<domain type='qemu'><name>${name}</name><memory unit='KiB'>${65536 + i * 1024}</memory><os><type arch='x86_64'>hvm</type></os></domain>`;
            results.push(await apply(host(), 'libvirt_domain', { name, xml }, { become }));
          }
        });
        const all = await domains();
        assert.ok(!all.includes(evilName), `Eve's domain was defined (she did: ${seen.trim()})`);
        for (const r of results) ok(r);
        assert.deepEqual(results.map((r) => r.changed), Array<boolean>(10).fill(true));
        assert.match(await virsh('dumpxml', '--inactive', '--domain', name), /<memory unit='KiB'>74752<\/memory>/);
        assert.match(seen, /still watching/, 'the attacker ran through all 10 defines');
        assert.doesNotMatch(seen, /swapped/, 'nothing staged in /tmp for her to swap');
      });
    }
  });

  describe('identity carried onto the real elements of a template with comments (item 13)', () => {
    const name = `${tag}-commented`;
    const bridge = `kvh${process.pid % 100000}`;
    const template = (uuid: string): string => `<domain type='qemu'>
  <name>${name}</name>
  <!-- <uuid>00000000-0000-4000-8000-00000000dead</uuid> -->
  <uuid>${uuid}</uuid>
  <memory unit='KiB'>65536</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <!-- the old NIC, kept for reference:
    <interface type='bridge'>
      <source bridge='br-old'/>
    </interface>
    -->
    <interface type='bridge'>
      <source bridge='${bridge}'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
`;
    const identity = async (): Promise<{ uuid: string; macs: string[] }> => {
      const xml = await virsh('dumpxml', '--inactive', '--domain', name);
      return { uuid: /<uuid>([^<]+)<\/uuid>/.exec(xml)?.[1] ?? '', macs: [...xml.matchAll(/<mac address='([^']+)'\/>/g)].map((m) => m[1] ?? '') };
    };
    before(() => sh('ip link add "$1" type bridge 2>/dev/null || :', bridge));
    after(() => sh('ip link del "$1" 2>/dev/null || :', bridge).catch(() => undefined));

    it('keeps the uuid and the generated MAC on the real <uuid> and <interface>; the second define changes nothing', async () => {
      const define = (uuid: string): Promise<ModuleResult> =>
        apply(root, 'libvirt_domain', { name, template: 'commented.xml.hbs' }, { files: { 'commented.xml.hbs': template(uuid) } });
      assert.equal(ok(await define('11111111-2222-4333-8444-555555555555')).changed, true);
      const id = await identity();
      assert.equal(id.uuid, '11111111-2222-4333-8444-555555555555');
      assert.equal(id.macs.length, 1, 'libvirt generated the one MAC');
      // Another uuid in the template: the existing one is carried onto the real element.
      const again = ok(await define('99999999-2222-4333-8444-555555555555'));
      assert.equal(again.changed, false, again.msg);
      assert.deepEqual(await identity(), id);
    });
  });

  describe('VM networks after bootstrap (item 12)', () => {
    let varsCount = 0;
    const run = (playbook: string, vars: Record<string, unknown>): Promise<CliResult> => {
      const file = writeFile(scratch, `vars-${++varsCount}.json`, JSON.stringify(vars));
      return kvmplay(['run', join(repoRoot, 'playbooks', playbook), '-i', inventory, '--limit', HOST, '-e', `@${file}`, '--json'], { timeoutMs: 540_000 });
    };
    const vm = (name: string, network: string): Record<string, unknown> =>
      ({ name, memory: '64MiB', vcpus: 1, disks: [], interfaces: [{ network, model: 'virtio' }], state: 'running', autostart: false });

    before(async () => {
      // As Debian's libvirt-daemon-config-network leaves it: defined, inactive, no autostart.
      await sh('export LC_ALL=C; v="virsh -c qemu:///system"; $v net-destroy --network default >/dev/null 2>&1; $v net-autostart --disable --network default >/dev/null; $v net-info --network default');
    });

    it('bootstrap makes libvirt\'s default network active and autostarted, and a VM on it then rolls out and runs', async () => {
      const boot = await run('bootstrap-hypervisor.yaml', {});
      assert.equal(boot.code, 0, explain(boot, { tail: true }));
      assert.match(await virsh('net-info', '--network', 'default'), /Active:\s+yes[\s\S]*Autostart:\s+yes/);
      const again = await run('bootstrap-hypervisor.yaml', {});
      assert.equal(again.code, 0, explain(again, { tail: true }));
      assert.equal(lastJsonLine<{ hosts: Record<string, { changed: number }> }>(again.stdout).hosts[HOST]?.changed, 0, explain(again, { tail: true }));

      const name = `${tag}-on-default`;
      const r = await run('vm-rollout.yaml', { vms: [vm(name, 'default')] });
      assert.equal(r.code, 0, explain(r, { tail: true }));
      assert.equal((await virsh('domstate', '--domain', name)).trim(), 'running');
    });

    it('a VM on a missing or an inactive network fails clearly before anything is defined', async () => {
      const idle = `${PREFIX}-idle-${process.pid}`;
      await sh(`printf '%s' "<network><name>$1</name><bridge name='kvhi${process.pid % 10000}'/></network>" | LC_ALL=C virsh -c qemu:///system net-define --file /dev/stdin`, idle);
      const missing = `${tag}-on-missing`;
      const inactive = `${tag}-on-idle`;
      const r = await run('vm-rollout.yaml', { vms: [vm(missing, `${PREFIX}-nosuch`), vm(inactive, idle)] });
      assert.notEqual(r.code, 0, explain(r, { tail: true }));
      const failed = events(r.stdout).filter((e) => e.task === 'Domains' && e.status === 'failed');
      assert.equal(failed.length, 1, explain(r, { tail: true }));
      assert.match(r.stdout, new RegExp(`network '${PREFIX}-nosuch' is not defined on this host.*nothing defined`));
      assert.match(r.stdout, new RegExp(`network '${idle}' is not active.*nothing defined`));
      const all = await domains();
      assert.ok(!all.includes(missing) && !all.includes(inactive), `defined: ${all.join(', ')}`);
    });
  });
});
