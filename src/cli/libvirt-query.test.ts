import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { textSink as sink } from '../../test/support/text-sink.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';
import { FAKE_VIRSH } from '../../test/support/fake-virsh.js';
import { ValidationError } from '../errors.js';
import { loadInventory } from '../inventory/index.js';
import { guestInventory } from '../inventory/libvirt-guests.js';
import type { LibvirtSource } from '../inventory/libvirt-source.js';
import type { LibvirtDomain } from '../inventory/libvirt-virsh.js';
import { NO_CONSTRUCTED, type ExpressionEvaluator } from '../inventory/constructed.js';
import { inventoryCommand } from './commands/inventory.js';
import { inventoryPlugins, jinjaExpressions } from './libvirt-query.js';
import { resolveRunSettings } from './settings.js';

function domain(name: string, state: string, address?: string): LibvirtDomain {
  return {
    name, uuid: `uuid-${name}`, state,
    info: { state_number: state === 'running' ? 1 : 5, state, maxMem_kb: 1024, memory_kb: 1024, nrVirtCpu: 1, cpuTime_ns: 0 },
    interfaces: address ? [{ name: 'vnet0', hwaddr: '52:54:00:00:00:01', addrs: [{ addr: address, prefix: 24, type: 0 }] }] : [],
    addressSource: address ? 'lease' : 'none', xml: '<domain/>',
  };
}

describe('libvirt inventory: constructed options with Jinja', () => {
  const pos = { file: 'g.yml', line: 1, col: 1 };
  const source = (constructed: Partial<LibvirtSource['constructed']>): LibvirtSource => ({
    file: 'g.yml', pos, uris: [], inventoryHostname: 'name', vars: {}, constructed: { ...NO_CONSTRUCTED, ...constructed },
  });
  let jinja: ExpressionEvaluator;
  before(async () => {
    jinja = await jinjaExpressions();
  });
  const found = [{ hypervisor: 'hv01', uri: 'qemu+ssh://hv01/system', domains: [domain('web01', 'running', '192.168.122.5'), domain('db01', 'shutoff')] }];

  it('composes variables, adds hosts to groups by condition and by key, as Ansible\'s constructed does', () => {
    const guests = guestInventory(source({
      compose: { ansible_user: "'admin'", memory_mib: 'info.memory_kb // 1024' },
      groups: { web: "inventory_hostname.startswith('web')", big: 'memory_mib > 4096' },
      keyedGroups: [
        { key: 'libvirt_state', prefix: 'state', separator: '_' },
        { key: 'libvirt_hypervisor', prefix: '', separator: '_', parentGroup: 'hypervisors' },
      ],
    }), found, jinja);
    const web = guests.hosts.find((h) => h.name === 'web01')!;
    assert.equal(web.vars['ansible_user'], 'admin');
    // A lone expression's number comes back as text, as Ansible 2.14 templates it.
    assert.equal(web.vars['memory_mib'], '1');
    assert.deepEqual(web.groups, ['libvirt_hv01', 'web', 'state_running', '_hv01']);
    assert.deepEqual(guests.hosts.find((h) => h.name === 'db01')!.groups, ['libvirt_hv01', 'state_shutoff', '_hv01']);
    assert.deepEqual(guests.groups.find((g) => g.name === '_hv01')!.parents, ['hypervisors']);
  });

  it('skips an entry that fails, unless strict', () => {
    const entries = { compose: { x: 'no_such_var + 1' }, groups: { g: 'no_such_var' } };
    const guests = guestInventory(source(entries), found, jinja);
    assert.equal(guests.hosts[0]!.vars['x'], undefined);
    assert.deepEqual(guests.hosts[0]!.groups, ['libvirt_hv01']);
    assert.throws(() => guestInventory(source({ ...entries, strict: true }), found, jinja),
      (e: unknown) => e instanceof ValidationError && /could not set x for host web01/.test(e.message));
  });
});

describe('libvirt inventory through the inventory command (a local hypervisor with a fake virsh)', () => {
  let tree: TempTree;
  let path: string | undefined;
  before(async () => {
    tree = await writeTree({
      'hv.yml': 'all:\n  hosts:\n    hv01: {ansible_connection: local}\n',
      'guests.libvirt.yml': 'plugin: community.libvirt.libvirt\nuri: qemu:///system\nkeyed_groups:\n  - {key: libvirt_state, prefix: state}\n',
      'group_vars/libvirt.yml': 'owner: ops\n',
      'bin/virsh': FAKE_VIRSH,
    });
    await chmod(tree.path('bin/virsh'), 0o755);
    path = process.env.PATH;
    process.env.PATH = `${tree.path('bin')}:${path ?? ''}`;
  });
  after(async () => {
    process.env.PATH = path;
    await tree.remove();
  });
  const settings = () => resolveRunSettings({}, {}, tree.dir);

  it('shows a plugin file\'s guests in --graph, with the groups of its keyed_groups', async () => {
    const out = sink();
    const err = sink();
    await inventoryCommand({ inventory: [tree.path('guests.libvirt.yml')], graph: true, settings }, out, err);
    assert.equal(out.text(), '@all:\n  |--@ungrouped:\n  |--@libvirt:\n  |  |--@libvirt_localhost:\n  |  |  |--web01\n  |  |  |--stopped\n  |  |  |--fresh\n'
      + '  |--@state_running:\n  |  |--web01\n  |  |--fresh\n  |--@state_shutoff:\n  |  |--stopped\n');
    assert.match(err.text(), /\[WARNING\]: libvirt inventory .*guests\.libvirt\.yml: localhost: no IPv4 address for stopped \(shutoff\)/);
  });

  it('prints --libvirt FILE as --list JSON that loads again as the same inventory', async () => {
    const out = sink();
    await inventoryCommand({ inventory: [tree.path('hv.yml')], libvirt: tree.path('guests.libvirt.yml'), settings }, out, sink());
    const list = JSON.parse(out.text()) as { _meta: { hostvars: Record<string, Record<string, unknown>> } } & Record<string, unknown>;
    assert.deepEqual(list['libvirt_localhost'], { hosts: ['web01', 'stopped', 'fresh'] });
    const web = list._meta.hostvars['web01']!;
    assert.deepEqual([web['ansible_host'], web['ansible_user'], web['owner'], web['ansible_ssh_common_args']], ['192.168.122.135', 'root', 'ops', '-o HostKeyAlias=web01']);
  });

  it('loads the saved --list output with the same hosts, groups and variables', async () => {
    const out = sink();
    await inventoryCommand({ inventory: [tree.path('guests.libvirt.yml')], settings }, out, sink());
    await writeFile(tree.path('guests.json'), out.text());
    const again = await loadInventory([tree.path('guests.json')]);
    const first = await loadInventory([tree.path('guests.libvirt.yml')], inventoryPlugins(settings));
    assert.deepEqual(again.hostNames(), first.hostNames());
    assert.deepEqual(again.groupsOf('fresh'), first.groupsOf('fresh'));
    for (const h of first.hostNames()) assert.deepEqual(again.hostVars(h), first.hostVars(h));
  });

  it('with --libvirt, --limit picks the hypervisors: the hosts of -i, asked at qemu+ssh://NAME/system', async () => {
    await assert.rejects(inventoryCommand({ inventory: [tree.path('hv.yml')], libvirt: true, limit: 'nope', settings }, sink(), sink()),
      /--limit "nope" matches no host of the inventory/);
  });
});
