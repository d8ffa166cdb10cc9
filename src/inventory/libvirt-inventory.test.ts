import assert from 'node:assert/strict';
import { ValidationError } from '../errors.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';
import { connectionFor } from './connection.js';
import type { GuestRoute, HypervisorDomains } from './libvirt-guests.js';
import { hypervisorHost } from './libvirt-hypervisor.js';
import type { InventoryPlugins, LibvirtAnswer } from './libvirt-inventory.js';
import type { LibvirtSource } from './libvirt-source.js';
import { parseLibvirtUri } from './libvirt-uri.js';
import type { LibvirtDomain } from './libvirt-virsh.js';
import { loadInventory } from './load.js';

function domain(name: string, state: string, address?: string): LibvirtDomain {
  return {
    name,
    uuid: `uuid-${name}`,
    state,
    info: { state_number: state === 'running' ? 1 : 5, state, maxMem_kb: 131072, memory_kb: 131072, nrVirtCpu: 1, cpuTime_ns: 0 },
    interfaces: address ? [{ name: 'vnet0', hwaddr: '52:54:00:00:00:01', addrs: [{ addr: address, prefix: 24, type: 0 }] }] : [],
    addressSource: address ? 'lease' : 'none',
    xml: `<domain><name>${name}</name></domain>`,
  };
}

const ROUTE: GuestRoute = { proxyJump: 'root@10.213.0.12:22', identityFiles: ['/keys/lab'], knownHosts: ['/keys/known_hosts'], acceptNewHostKeys: false };

/** A queryLibvirt that answers from a table of hypervisors (by the URI's host) and records what it was asked. */
function fakeQuery(table: Record<string, LibvirtDomain[]>, asked: LibvirtSource[] = []): InventoryPlugins['queryLibvirt'] {
  return async (source): Promise<LibvirtAnswer> => {
    asked.push(source);
    const found: HypervisorDomains[] = [];
    const warnings: string[] = [];
    for (const { uri } of source.uris) {
      const domains = table[uri.host ?? 'localhost'];
      if (domains) found.push({ hypervisor: uri.host ?? 'localhost', uri: uri.text, route: ROUTE, domains });
      else warnings.push(`${uri.host}: unreachable`);
    }
    return { found, warnings };
  };
}

const LAB = 'all:\n  children:\n    lab:\n      vars: {ansible_user: root, ansible_ssh_private_key_file: keys/lab, known_hosts: keys/known_hosts}\n'
  + '      hosts:\n        lab02: {ansible_host: 10.213.0.12}\n        lab03: {ansible_host: 10.213.0.13, ansible_port: 2222}\n';

describe('libvirt inventory sources', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({
      'lab.yml': LAB,
      'guests.libvirt.yml': 'plugin: community.libvirt.libvirt\nuri: qemu+ssh://lab02/system\n',
      'short.yml': 'plugin: libvirt\nuris: [qemu+ssh://lab02/system, qemu+ssh://lab03/system]\nvars: {ansible_user: debian, role: web}\n',
      'uuid.yml': 'plugin: libvirt\nuri: qemu+ssh://lab02/system\ninventory_hostname: uuid\n',
      'other.yml': 'plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n',
      'typo.yml': 'plugin: libvirt\nuri: qemu+ssh://lab02/system\ninventory_hostnme: uuid\n',
      'no-uri.yml': 'plugin: community.libvirt.libvirt\n',
      'bad-uri.yml': 'plugin: libvirt\nuris:\n  - qemu+ssh://lab02/system\n  - qemu+tls://lab03/system\n',
      'composed.yml': 'plugin: libvirt\nuri: qemu+ssh://lab02/system\ncompose: {ansible_user: "\'admin\'"}\n',
      'withvars/guests.libvirt.yml': 'plugin: libvirt\nuri: qemu+ssh://lab02/system\n',
      'withvars/group_vars/libvirt_lab02.yml': 'ansible_user: debian\n',
      'withvars/host_vars/web01.yml': 'web_port: 8080\n',
    });
  });
  after(() => tree.remove());
  const load = (files: string[], plugins: InventoryPlugins) => loadInventory(files.map((f) => tree.path(f)), plugins);

  it('makes each domain a host named by its domain, in the group of its hypervisor, reached through it', async () => {
    const inv = await load(['lab.yml', 'guests.libvirt.yml'], { queryLibvirt: fakeQuery({ lab02: [domain('web01', 'running', '192.168.122.10')] }) });
    assert.deepEqual(inv.groupsOf('web01'), ['libvirt', 'libvirt_lab02']);
    assert.deepEqual(inv.groupMembers('libvirt'), { children: ['libvirt_lab02'], hosts: [] });
    const vars = inv.hostVars('web01');
    assert.equal(vars['ansible_host'], '192.168.122.10');
    assert.equal(vars['ansible_user'], 'root');
    assert.equal(vars['ansible_ssh_private_key_file'], '/keys/lab');
    assert.equal(vars['ansible_ssh_common_args'], '-o ProxyJump=root@10.213.0.12:22 -o HostKeyAlias=web01 -o UserKnownHostsFile=/keys/known_hosts');
    assert.equal(vars['ansible_libvirt_uri'], 'qemu+ssh://lab02/system');
    assert.deepEqual([vars['libvirt_hypervisor'], vars['libvirt_uuid'], vars['libvirt_state'], vars['libvirt_addresses']], ['lab02', 'uuid-web01', 'running', ['192.168.122.10']]);
    assert.deepEqual(vars['interface_addresses'], { vnet0: { addrs: [{ addr: '192.168.122.10', prefix: 24, type: 0 }], hwaddr: '52:54:00:00:00:01' } });
    assert.equal((vars['info'] as { state: string }).state, 'running');
    assert.equal(vars['ansible_connection'], undefined, 'kvmplay connects over SSH, not with the libvirt_qemu connection');
    // What kvmplay's SSH transport makes of it: the jump host with the hypervisor's key and known_hosts.
    const spec = connectionFor(inv, 'web01', { home: '/nonexistent', user: 'me', cwd: '/', exists: () => false });
    assert.deepEqual([spec.host, spec.user, spec.hostKeyAlias, spec.knownHosts, spec.identityFiles], ['192.168.122.10', 'root', 'web01', ['/keys/known_hosts'], ['/keys/lab']]);
    assert.deepEqual(spec.jump.map((j) => [j.user, j.host, j.port]), [['root', '10.213.0.12', 22]]);
  });

  it('asks the hypervisors with the other sources loaded, whatever their order on the command line', async () => {
    const asked: LibvirtSource[] = [];
    const inv = await load(['guests.libvirt.yml', 'lab.yml'], { queryLibvirt: fakeQuery({ lab02: [domain('web01', 'running', '192.168.122.10')] }, asked) });
    assert.ok(inv.hasHost('web01') && inv.hasHost('lab02'));
    assert.deepEqual(asked.map((s) => s.uris.map((u) => u.uri.host)), [['lab02']]);
  });

  it('takes plugin: libvirt, several uris and vars (under the group_vars files, as group variables)', async () => {
    const inv = await load(['lab.yml', 'short.yml'], {
      queryLibvirt: fakeQuery({ lab02: [domain('web01', 'running', '192.168.122.10')], lab03: [domain('db01', 'running', '192.168.122.10')] }),
    });
    assert.deepEqual(inv.hostsOf('libvirt'), ['web01', 'db01']);
    assert.deepEqual(inv.hostsOf('libvirt_lab03'), ['db01']);
    assert.equal(inv.hostVars('db01')['ansible_user'], 'debian');
    assert.equal(inv.hostVars('db01')['role'], 'web');
    // Same NAT address on two hypervisors: each guest's key is its own (HostKeyAlias).
    assert.match(String(inv.hostVars('db01')['ansible_ssh_common_args']), /HostKeyAlias=db01/);
  });

  it('lets group_vars/ and host_vars/ beside the source set the guests\' variables', async () => {
    const inv = await load(['lab.yml', 'withvars/guests.libvirt.yml'], { queryLibvirt: fakeQuery({ lab02: [domain('web01', 'running', '192.168.122.10')] }) });
    assert.equal(inv.hostVars('web01')['ansible_user'], 'debian');
    assert.equal(inv.hostVars('web01')['web_port'], 8080);
  });

  it('names guests by uuid on request, in a group named by the domain (as Ansible\'s plugin)', async () => {
    const inv = await load(['lab.yml', 'uuid.yml'], { queryLibvirt: fakeQuery({ lab02: [domain('web01', 'running', '192.168.122.10')] }) });
    assert.deepEqual(inv.hostsOf('web01'), ['uuid-web01']);
    assert.match(String(inv.hostVars('uuid-web01')['ansible_ssh_common_args']), /HostKeyAlias=uuid-web01/);
  });

  it('lists guests without an address, without ansible_host, and warns once per hypervisor saying why', async () => {
    const inv = await load(['lab.yml', 'guests.libvirt.yml'], {
      queryLibvirt: fakeQuery({ lab02: [domain('web01', 'running', '192.168.122.10'), domain('old', 'shutoff'), domain('fresh', 'running')] }),
    });
    assert.deepEqual(inv.hostsOf('libvirt_lab02'), ['web01', 'old', 'fresh']);
    assert.equal(inv.hostVars('old')['ansible_host'], undefined);
    const warnings = inv.warnings.filter((w) => w.includes('no IPv4 address'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /lab02: no IPv4 address for old \(shutoff\), fresh \(running, no DHCP lease or ARP entry yet\): listed without ansible_host/);
  });

  it('refuses two guests of the same name on two hypervisors, naming both', async () => {
    await assert.rejects(load(['lab.yml', 'short.yml'], {
      queryLibvirt: fakeQuery({ lab02: [domain('web01', 'running', '192.168.122.10')], lab03: [domain('web01', 'running', '192.168.122.11')] }),
    }), (e: unknown) => e instanceof ValidationError && e.line === 1
      && /two guests named "web01": one on lab02 \(qemu\+ssh:\/\/lab02\/system\) and one on lab03 \(qemu\+ssh:\/\/lab03\/system\); set inventory_hostname: uuid/.test(e.message));
  });

  it('refuses a guest that has the name of a host of another source', async () => {
    await assert.rejects(load(['lab.yml', 'guests.libvirt.yml'], { queryLibvirt: fakeQuery({ lab02: [domain('lab03', 'running', '192.168.122.10')] }) }),
      (e: unknown) => e instanceof ValidationError && /guest "lab03" of lab02 has the name of a host already in the inventory \(from .*lab\.yml\)/.test(e.message));
  });

  it('keeps the warnings of hypervisors that did not answer, and loads the others', async () => {
    const inv = await load(['lab.yml', 'short.yml'], { queryLibvirt: fakeQuery({ lab02: [domain('web01', 'running', '192.168.122.10')] }) });
    assert.ok(inv.hasHost('web01'));
    assert.ok(inv.warnings.includes('lab03: unreachable'));
  });

  it('adds no guest and says so when the command connects to no host (validate)', async () => {
    const inv = await load(['lab.yml', 'guests.libvirt.yml'], {});
    assert.deepEqual(inv.hostNames(), ['lab02', 'lab03']);
    assert.match(inv.warnings.join('\n'), /guests\.libvirt\.yml: its hypervisors were not asked for their guests/);
  });

  it('needs Jinja for compose, groups and keyed_groups', async () => {
    await assert.rejects(load(['lab.yml', 'composed.yml'], { queryLibvirt: fakeQuery({ lab02: [] }) }),
      (e: unknown) => e instanceof ValidationError && /compose, groups and keyed_groups need Jinja/.test(e.message));
  });

  for (const [file, where, why] of [
    ['other.yml', '1:1', /inventory plugin configuration files \(plugin: \.\.\.\) are not supported, but for the libvirt inventory/],
    ['typo.yml', '3:1', /unknown option "inventory_hostnme" for the libvirt inventory/],
    ['no-uri.yml', '1:1', /needs a hypervisor: uri: qemu\+ssh:\/\/\[user@\]HOST\/system/],
    ['bad-uri.yml', '4:5', /kvmplay reaches hypervisors over SSH .* not over tls/],
  ] as const) {
    it(`refuses ${file} at ${where}`, async () => {
      await assert.rejects(load([file], { queryLibvirt: fakeQuery({}) }),
        (e: unknown) => e instanceof ValidationError && `${e.line}:${e.col}` === where && why.test(e.message));
    });
  }
});

describe('libvirt inventory: which host a hypervisor is', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({ 'lab.yml': LAB, 'guests.yml': 'plugin: libvirt\nuri: qemu:///system\n' });
  });
  after(() => tree.remove());
  const env = { home: '/home/me', user: 'me', cwd: '/', exists: () => false };

  it('uses the settings of the inventory host the URI names, by name or by address', async () => {
    const known = await loadInventory([tree.path('lab.yml')]);
    for (const text of ['qemu+ssh://lab03/system', 'qemu+ssh://10.213.0.13/system']) {
      const hv = hypervisorHost(known, parseLibvirtUri(text), tree.path('guests.yml'));
      assert.equal(hv.name, 'lab03');
      assert.equal(hv.inInventory, true);
      const spec = connectionFor(hv.inventory, hv.name, env);
      assert.deepEqual([spec.host, spec.port, spec.user, spec.identityFiles, spec.knownHosts],
        ['10.213.0.13', 2222, 'root', [tree.path('keys/lab')], [tree.path('keys/known_hosts')]]);
    }
  });

  it('lets the URI\'s user, port and keyfile win over the inventory\'s', async () => {
    const known = await loadInventory([tree.path('lab.yml')]);
    const hv = hypervisorHost(known, parseLibvirtUri('qemu+ssh://admin@lab03:22/system?keyfile=/keys/admin'), tree.path('guests.yml'));
    const spec = connectionFor(hv.inventory, hv.name, env);
    assert.deepEqual([spec.port, spec.user, spec.identityFiles], [22, 'admin', ['/keys/admin']]);
  });

  it('makes a host of its own for a hypervisor the inventory does not have', async () => {
    const known = await loadInventory([tree.path('lab.yml')]);
    const hv = hypervisorHost(known, parseLibvirtUri('qemu+ssh://ops@hv9.example.com:2200/system?known_hosts=kh'), tree.path('guests.yml'));
    assert.equal(hv.inInventory, false);
    const spec = connectionFor(hv.inventory, hv.name, env);
    assert.deepEqual([spec.name, spec.host, spec.port, spec.user, spec.knownHosts], ['hv9.example.com', 'hv9.example.com', 2200, 'ops', [tree.path('kh')]]);
  });
});
