import assert from 'node:assert/strict';
import { fakeContext } from '../../../../test/support/module-context.js';
import { RecordedHost } from '../../../../test/support/recorded-host.js';
import type { ModuleResult } from '../../module.js';
import { allModules, findModule } from '../../registry.js';
import { buildFlags, poolFacts, virtPoolModule, type VirtPoolArgs } from './virt-pool.js';

// virsh outputs recorded on Debian 12 (libvirt 9.0.0) with a dir pool kvph-pool1
// holding two volumes.
const UUID = '145cc4bd-c45d-4497-86db-f4152d0eb34d';
const POOL_INFO = (state: 'running' | 'inactive', autostart: 'yes' | 'no' = 'no', persistent: 'yes' | 'no' = 'yes'): string =>
  `Name:           kvph-pool1\nUUID:           ${UUID}\nState:          ${state}\nPersistent:     ${persistent}\nAutostart:      ${autostart}\n`
  + (state === 'running' ? 'Capacity:       270553174016\nAllocation:     25596764160\nAvailable:      244956409856\n' : '') + '\n';
const POOL_XML = (capacity: string): string => `<pool type='dir'>\n  <name>kvph-pool1</name>\n  <uuid>${UUID}</uuid>\n`
  + `  <capacity unit='bytes'>${capacity}</capacity>\n  <allocation unit='bytes'>25596764160</allocation>\n  <available unit='bytes'>244956409856</available>\n`
  + '  <source>\n  </source>\n  <target>\n    <path>/var/tmp/kvph-pool1</path>\n    <permissions>\n      <mode>0711</mode>\n      <owner>0</owner>\n      <group>0</group>\n    </permissions>\n  </target>\n</pool>\n\n';
const VOL_LIST = ' Name           Path\n--------------------------------------------------\n a disk.qcow2   /var/tmp/kvph-pool1/a disk.qcow2\n b.raw          /var/tmp/kvph-pool1/b.raw\n\n';
const MISSING = { rc: 1, stderr: "error: failed to get pool 'kvph-pool1'\nerror: Storage pool not found: no storage pool with matching name 'kvph-pool1'\n" };
const NEW_XML = "<pool type='dir'>\n  <name>kvph-pool1</name>\n  <target>\n    <path>/var/tmp/kvph-pool1</path>\n  </target>\n</pool>\n";

const words = (argv: readonly string[]): string[] => argv.slice(argv.indexOf('virsh') + 3);
const virsh = (...want: string[]) => (argv: readonly string[]): boolean => argv.includes('virsh') && want.every((w, i) => words(argv)[i] === w);
const sent = (host: RecordedHost): string[] => host.commands().filter((a) => a.includes('virsh')).map((a) => words(a).join(' '));
const READS = /^(pool-(info|dumpxml|list)|vol-list) /;
const actions = (host: RecordedHost): string[] => sent(host).filter((s) => !READS.test(s));

const parse = (raw: Record<string, unknown>): VirtPoolArgs => virtPoolModule.args.parse(raw) as VirtPoolArgs;

/** A host where kvph-pool1 is `info` (null: unknown to libvirt), every action succeeding as recorded. */
function lab(info: string | null): RecordedHost {
  return new RecordedHost()
    .on(virsh('pool-info', '--bytes', '--pool', 'kvph-pool1'), info === null ? MISSING : { stdout: info })
    .on(virsh('pool-dumpxml', '--pool', 'kvph-pool1'), info === null ? MISSING : { stdout: POOL_XML('270553174016') })
    .on(virsh('pool-define'), { stdout: 'Pool kvph-pool1 defined from /dev/stdin\n\n' })
    .on(virsh('pool-start'), { stdout: 'Pool kvph-pool1 started\n\n' })
    .on(virsh('pool-destroy'), { stdout: 'Pool kvph-pool1 destroyed\n\n' })
    .on(virsh('pool-undefine'), { stdout: 'Pool kvph-pool1 has been undefined\n\n' })
    .on(virsh('pool-build'), { stdout: 'Pool kvph-pool1 built\n\n' })
    .on(virsh('pool-delete'), { stdout: 'Pool kvph-pool1 deleted\n\n' })
    .on(virsh('pool-refresh'), { stdout: 'Pool kvph-pool1 refreshed\n\n' })
    .on(virsh('pool-autostart'), { stdout: 'Pool kvph-pool1 marked as autostarted\n\n' });
}

async function run(host: RecordedHost, raw: Record<string, unknown>, check = false): Promise<ModuleResult> {
  return virtPoolModule.run(host, parse({ name: 'kvph-pool1', ...raw }), fakeContext({ check }));
}

interface Case {
  title: string;
  info: string | null;
  args: Record<string, unknown>;
  changed: boolean;
  actions: string[];
  data?: Record<string, unknown>;
  fail?: string;
}

/** Each case twice: a real run, and check mode (the same verdict, only reads sent, no key claimed). */
function cases(list: Case[]): void {
  for (const c of list) {
    it(c.title, async () => {
      const host = lab(c.info);
      const r = await run(host, c.args);
      assert.equal(r.failed ?? false, c.fail !== undefined, r.msg);
      if (c.fail !== undefined) assert.equal(r.msg, c.fail);
      assert.equal(r.changed, c.changed);
      assert.deepEqual(actions(host), c.actions);
      assert.deepEqual(r.data ?? {}, c.data ?? {});
    });
    it(`${c.title} (check mode)`, async () => {
      const host = lab(c.info);
      const r = await run(host, c.args, true);
      assert.equal(r.failed ?? false, c.fail !== undefined, r.msg);
      assert.equal(r.changed, c.changed && !c.actions.every((a) => a.startsWith('pool-refresh')));
      assert.deepEqual(actions(host), []);
      if (c.actions.length > 0) assert.deepEqual(r.data ?? {}, {});
    });
  }
}

describe('virt_pool arguments (Ansible\'s argument_spec)', () => {
  before(async () => {
    await allModules();
  });

  it('answers to its short and collection names', () => {
    assert.equal(findModule('virt_pool'), virtPoolModule);
    assert.equal(findModule('community.libvirt.virt_pool'), virtPoolModule);
  });

  it('takes pool as an alias of name, a default uri, yes/no autostart and the modes', () => {
    const a = virtPoolModule.args.parse({ pool: 'p', autostart: 'no', mode: 'overwrite' }) as VirtPoolArgs;
    assert.deepEqual([a.name, a.uri, a.autostart, a.mode], ['p', 'qemu:///system', false, 'overwrite']);
  });

  it('refuses unknown arguments, states, commands and modes', () => {
    assert.throws(() => virtPoolModule.args.parse({ name: 'p', state: 'running' }), /state/);
    assert.throws(() => virtPoolModule.args.parse({ name: 'p', command: 'modify' }), /command/);
    assert.throws(() => virtPoolModule.args.parse({ name: 'p', mode: 'fast' }), /mode/);
    assert.throws(() => virtPoolModule.args.parse({ name: 'p', network: 'p' }), /network/);
  });

  it('maps build modes to pool-build options, and refuses those virsh lacks by name', () => {
    assert.deepEqual(['new', 'no_overwrite', 'overwrite', 'normal', undefined].map((m) => buildFlags(m as VirtPoolArgs['mode'])), [[], ['--no-overwrite'], ['--overwrite'], [], []]);
    assert.match((buildFlags('repair') as { fail: string }).fail, /^mode: repair is not supported with build/);
  });
});

describe('virt_pool state', () => {
  cases([
    { title: 'active: starts an inactive pool', info: POOL_INFO('inactive'), args: { state: 'active' }, changed: true, actions: ['pool-start --pool kvph-pool1'] },
    { title: 'active: leaves a running pool', info: POOL_INFO('running'), args: { state: 'active' }, changed: false, actions: [] },
    { title: 'active: fails for a missing pool', info: null, args: { state: 'active' }, changed: false, actions: [], fail: 'storage pool kvph-pool1 not found' },
    { title: 'present: leaves an existing pool', info: POOL_INFO('inactive'), args: { state: 'present', xml: NEW_XML }, changed: false, actions: [] },
    { title: 'present: defines a missing pool', info: null, args: { state: 'present', xml: NEW_XML }, changed: true, actions: ['pool-define --file /dev/stdin'], data: { created: 'kvph-pool1' } },
    { title: 'present: fails without xml', info: null, args: { state: 'present' }, changed: false, actions: [], fail: "storage pool 'kvph-pool1' not present, but xml not specified" },
    { title: 'inactive: stops a running pool', info: POOL_INFO('running'), args: { state: 'inactive' }, changed: true, actions: ['pool-destroy --pool kvph-pool1'] },
    { title: 'inactive: leaves an inactive pool', info: POOL_INFO('inactive'), args: { state: 'inactive' }, changed: false, actions: [] },
    { title: 'inactive: leaves a missing pool', info: null, args: { state: 'inactive' }, changed: false, actions: [] },
    { title: 'absent: stops and undefines a running pool', info: POOL_INFO('running'), args: { state: 'absent' }, changed: true, actions: ['pool-destroy --pool kvph-pool1', 'pool-undefine --pool kvph-pool1'] },
    { title: 'undefined: undefines an inactive pool', info: POOL_INFO('inactive'), args: { state: 'undefined' }, changed: true, actions: ['pool-undefine --pool kvph-pool1'] },
    { title: 'absent: leaves a missing pool', info: null, args: { state: 'absent' }, changed: false, actions: [] },
    { title: 'absent: only stops a transient pool', info: POOL_INFO('running', 'no', 'no'), args: { state: 'absent' }, changed: true, actions: ['pool-destroy --pool kvph-pool1'] },
    { title: 'deleted: stops, deletes the storage, undefines', info: POOL_INFO('running'), args: { state: 'deleted' }, changed: true,
      actions: ['pool-destroy --pool kvph-pool1', 'pool-delete --pool kvph-pool1', 'pool-undefine --pool kvph-pool1'] },
    { title: 'deleted: deletes and undefines an inactive pool', info: POOL_INFO('inactive'), args: { state: 'deleted', mode: 'normal' }, changed: true,
      actions: ['pool-delete --pool kvph-pool1', 'pool-undefine --pool kvph-pool1'] },
    { title: 'deleted: leaves a missing pool', info: null, args: { state: 'deleted' }, changed: false, actions: [] },
    { title: 'deleted: refuses mode zeroed', info: POOL_INFO('inactive'), args: { state: 'deleted', mode: 'zeroed' }, changed: false, actions: [],
      fail: 'mode: zeroed is not supported with delete: virsh pool-delete has no option for it (use normal)' },
    { title: 'active + autostart: starts, then enables autostart', info: POOL_INFO('inactive'), args: { state: 'active', autostart: true }, changed: true,
      actions: ['pool-start --pool kvph-pool1', 'pool-autostart --pool kvph-pool1'] },
    { title: 'present + autostart: disables autostart of an existing pool', info: POOL_INFO('inactive', 'yes'), args: { state: 'present', autostart: false }, changed: true,
      actions: ['pool-autostart --disable --pool kvph-pool1'] },
    { title: 'without a name: Ansible\'s message', info: null, args: { state: 'active', name: '' }, changed: false, actions: [], fail: 'state change requires a specified name' },
  ]);

  it('hands the XML to pool-define on stdin', async () => {
    const host = lab(null);
    await run(host, { state: 'present', xml: NEW_XML });
    assert.equal(host.calls.find((c) => c.argv?.includes('pool-define'))?.opts?.stdin, NEW_XML);
  });

  it('refuses XML naming another pool', async () => {
    const r = await run(lab(null), { state: 'present', xml: NEW_XML.replace('<name>kvph-pool1', '<name>default') });
    assert.deepEqual([r.failed, r.msg], [true, 'the XML\'s <name> is "default", not "kvph-pool1": nothing defined (the storage pool is the one the task names)']);
  });
});

describe('virt_pool commands on one pool', () => {
  cases([
    { title: 'create starts an inactive pool: {create: 0}', info: POOL_INFO('inactive'), args: { command: 'create' }, changed: true, actions: ['pool-start --pool kvph-pool1'], data: { create: 0 } },
    { title: 'start of a running pool does nothing: {start: null}', info: POOL_INFO('running'), args: { command: 'start' }, changed: false, actions: [], data: { start: null } },
    { title: 'destroy stops a running pool: {destroy: 0}', info: POOL_INFO('running'), args: { command: 'destroy' }, changed: true, actions: ['pool-destroy --pool kvph-pool1'], data: { destroy: 0 } },
    { title: 'stop of an inactive pool does nothing: {stop: null}', info: POOL_INFO('inactive'), args: { command: 'stop' }, changed: false, actions: [], data: { stop: null } },
    { title: 'stop of a missing pool fails', info: null, args: { command: 'stop' }, changed: false, actions: [], fail: 'storage pool kvph-pool1 not found' },
    { title: 'undefine: {undefine: 0}', info: POOL_INFO('inactive'), args: { command: 'undefine' }, changed: true, actions: ['pool-undefine --pool kvph-pool1'], data: { undefine: 0 } },
    { title: 'undefine of a missing pool: {undefine: null}', info: null, args: { command: 'undefine' }, changed: false, actions: [], data: { undefine: null } },
    { title: 'status', info: POOL_INFO('running'), args: { command: 'status' }, changed: false, actions: [], data: { status: 'active' } },
    { title: 'status of a missing pool fails', info: null, args: { command: 'status' }, changed: false, actions: [], fail: 'storage pool kvph-pool1 not found' },
    { title: 'get_xml', info: POOL_INFO('running'), args: { command: 'get_xml' }, changed: false, actions: [], data: { get_xml: POOL_XML('270553174016') } },
    { title: 'define a missing pool: {created: name}', info: null, args: { command: 'define', xml: NEW_XML }, changed: true, actions: ['pool-define --file /dev/stdin'], data: { created: 'kvph-pool1' } },
    { title: 'define leaves an existing pool', info: POOL_INFO('inactive'), args: { command: 'define', xml: NEW_XML }, changed: false, actions: [] },
    { title: 'define without xml fails', info: null, args: { command: 'define' }, changed: false, actions: [], fail: 'define requires xml argument' },
    { title: 'build: always a change, {build: 0}', info: POOL_INFO('inactive'), args: { command: 'build' }, changed: true, actions: ['pool-build --pool kvph-pool1'], data: { build: 0 } },
    { title: 'build with mode overwrite', info: POOL_INFO('inactive'), args: { command: 'build', mode: 'overwrite' }, changed: true, actions: ['pool-build --overwrite --pool kvph-pool1'], data: { build: 0 } },
    { title: 'build with mode no_overwrite', info: POOL_INFO('inactive'), args: { command: 'build', mode: 'no_overwrite' }, changed: true, actions: ['pool-build --no-overwrite --pool kvph-pool1'], data: { build: 0 } },
    { title: 'build refuses mode resize', info: POOL_INFO('inactive'), args: { command: 'build', mode: 'resize' }, changed: false, actions: [],
      fail: 'mode: resize is not supported with build: virsh pool-build has no option for it (use new, no_overwrite or overwrite)' },
    { title: 'build of a running pool fails as libvirt does', info: POOL_INFO('running'), args: { command: 'build' }, changed: false, actions: [],
      fail: "Requested operation is not valid: storage pool 'kvph-pool1' is already active" },
    { title: 'build of a missing pool fails', info: null, args: { command: 'build' }, changed: false, actions: [], fail: 'storage pool kvph-pool1 not found' },
    { title: 'delete: always a change, {delete: 0}', info: POOL_INFO('inactive'), args: { command: 'delete' }, changed: true, actions: ['pool-delete --pool kvph-pool1'], data: { delete: 0 } },
    { title: 'delete refuses mode zeroed', info: POOL_INFO('inactive'), args: { command: 'delete', mode: 'zeroed' }, changed: false, actions: [],
      fail: 'mode: zeroed is not supported with delete: virsh pool-delete has no option for it (use normal)' },
    { title: 'delete of a running pool fails as libvirt does', info: POOL_INFO('running'), args: { command: 'delete' }, changed: false, actions: [],
      fail: "Requested operation is not valid: storage pool 'kvph-pool1' is still active" },
    { title: 'refresh rescans a running pool: no change, {refresh: 0}', info: POOL_INFO('running'), args: { command: 'refresh' }, changed: false, actions: ['pool-refresh --pool kvph-pool1'], data: { refresh: 0 } },
    { title: 'refresh of an inactive pool fails as libvirt does', info: POOL_INFO('inactive'), args: { command: 'refresh' }, changed: false, actions: [],
      fail: "Requested operation is not valid: storage pool 'kvph-pool1' is not active" },
    { title: 'a command without a name fails (virt_pool has no required_if)', info: null, args: { command: 'build', name: undefined }, changed: false, actions: [], fail: 'build requires 1 argument: name' },
    { title: 'autostart alone enables it', info: POOL_INFO('inactive'), args: { autostart: 'yes' }, changed: true, actions: ['pool-autostart --pool kvph-pool1'] },
    { title: 'autostart alone of a missing pool fails', info: null, args: { autostart: false }, changed: false, actions: [], fail: 'storage pool kvph-pool1 not found' },
    { title: 'neither state, command nor autostart', info: null, args: {}, changed: false, actions: [], fail: 'expected state or command parameter to be specified' },
  ]);

  it('says in check mode what it would do', async () => {
    const r = await run(lab(POOL_INFO('inactive')), { command: 'build', mode: 'overwrite' }, true);
    assert.deepEqual([r.changed, r.msg], [true, 'would build storage pool (--overwrite)']);
    const refresh = await run(lab(POOL_INFO('running')), { command: 'refresh' }, true);
    assert.deepEqual([refresh.changed, refresh.msg], [false, 'would refresh storage pool kvph-pool1']);
  });

  it('names the pool with --pool, so a name starting with "-" is never an option', async () => {
    const host = new RecordedHost()
      .on(virsh('pool-info'), { stdout: POOL_INFO('inactive').replace('kvph-pool1', '-p') })
      .on(virsh('pool-build'), {});
    const r = await run(host, { name: '-p', command: 'build', mode: 'new' });
    assert.equal(r.changed, true, r.msg);
    assert.deepEqual(sent(host), ['pool-info --bytes --pool -p', 'pool-build --pool -p']);
  });
});

describe('virt_pool host commands', () => {
  const host = (): RecordedHost => new RecordedHost()
    .on(virsh('pool-list', '--inactive', '--name'), { stdout: 'images              \n\n' })
    // pool-list pads names to 20 columns
    .on(virsh('pool-list', '--name'), { stdout: 'kvph-pool1          \n\n' })
    .on(virsh('pool-info', '--bytes', '--pool', 'kvph-pool1'), { stdout: POOL_INFO('running', 'yes') })
    .on(virsh('pool-info', '--bytes', '--pool', 'images'), { stdout: POOL_INFO('inactive').replace('kvph-pool1', 'images') })
    .on(virsh('pool-dumpxml', '--pool', 'kvph-pool1'), { stdout: POOL_XML('270553174016') })
    .on(virsh('pool-dumpxml', '--pool', 'images'), { stdout: POOL_XML('270553174016').replace('kvph-pool1', 'images') })
    .on(virsh('vol-list', '--pool', 'kvph-pool1'), { stdout: VOL_LIST });

  it('list_pools: active first, then inactive; with a state, those in it', async () => {
    assert.deepEqual((await run(host(), { command: 'list_pools', name: undefined })).data, { list_pools: ['kvph-pool1', 'images'] });
    assert.deepEqual((await run(host(), { command: 'list_pools', state: 'inactive' })).data, { list_pools: ['images'] });
  });

  it('info: Ansible\'s fields and value types (its result on the same host)', async () => {
    const h = host();
    const r = await run(h, { command: 'info' });
    assert.equal(r.changed, false);
    const pools = r.data?.['pools'] as Record<string, unknown>;
    assert.deepEqual(pools['kvph-pool1'], {
      autostart: 'yes', path: '/var/tmp/kvph-pool1', persistent: 'yes', size_available: '244956409856', size_total: '270553174016', size_used: '25596764160',
      state: 'active', status: 'running', type: 'dir', uuid: UUID, volume_count: 2, volumes: ['a disk.qcow2', 'b.raw'],
    });
    // An inactive pool: sizes from its definition (virsh does not print them), no volumes.
    assert.deepEqual(pools['images'], {
      autostart: 'no', path: '/var/tmp/kvph-pool1', persistent: 'yes', size_available: '244956409856', size_total: '270553174016', size_used: '25596764160',
      state: 'inactive', status: 'inactive', type: 'dir', uuid: UUID, volume_count: -1,
    });
    assert.ok(!sent(h).includes('vol-list --pool images'));
  });

  it('facts: ansible_libvirt_pools, every pool even when a name is given (as Ansible)', async () => {
    const r = await run(host(), { command: 'facts' }, true);
    const facts = (r.data?.['ansible_facts'] as Record<string, Record<string, unknown>>)['ansible_libvirt_pools'];
    assert.deepEqual(Object.keys(facts ?? {}), ['kvph-pool1', 'images']);
  });

  it('reads a network pool\'s source: host, source_path, format and devices', () => {
    const xml = "<pool type='netfs'>\n  <name>nfs</name>\n  <source>\n    <host name='nas.example'/>\n    <dir path='/export/vms'/>\n    <format type='nfs'/>\n    <device path='/dev/sdb'/>\n    <device path='/dev/sdc'/>\n  </source>\n  <target>\n    <path>/mnt/nfs</path>\n  </target>\n</pool>\n";
    const info = { name: 'nfs', uuid: UUID, state: 'inactive' as const, persistent: true, autostart: false, capacity: null, allocation: null, available: null };
    assert.deepEqual(poolFacts({ info, xml, volumes: null }), {
      status: 'inactive', size_total: '0', size_used: '0', size_available: '0', autostart: 'no', persistent: 'yes', state: 'inactive', type: 'netfs', uuid: UUID,
      volume_count: -1, path: '/mnt/nfs', host: 'nas.example', source_path: '/export/vms', format: 'nfs', devices: ['/dev/sdb', '/dev/sdc'],
    });
  });
});
