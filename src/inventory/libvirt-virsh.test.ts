import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeTree } from '../../test/support/file-tree.js';
import { FAKE_VIRSH } from '../../test/support/fake-virsh.js';
import { firstIpv4, parseVirshReport, VIRSH_REPORT_SCRIPT } from './libvirt-virsh.js';

const M = '@@kvmplay-0123456789abcdef';

/** What VIRSH_REPORT_SCRIPT printed on a lab hypervisor (virsh 9.0), XML shortened. */
function dominfo(name: string, uuid: string, state: string, cpuTime?: string): string {
  return [
    `Id:             ${state === 'shut off' ? '-' : '1'}`, `Name:           ${name}`, `UUID:           ${uuid}`, 'OS Type:        hvm',
    `State:          ${state}`, 'CPU(s):         2', ...(cpuTime ? [`CPU time:       ${cpuTime}`] : []),
    'Max memory:     131072 KiB', 'Used memory:    98304 KiB', 'Persistent:     yes', 'Autostart:      disable',
  ].join('\n');
}
const HEADER = ' Name       MAC address          Protocol     Address\n-------------------------------------------------------------------------------';
const xml = (name: string): string => `<domain type='qemu'>\n  <name>${name}</name>\n</domain>`;

const REPORT = [
  `${M} domain web01`, dominfo('web01', '605b3bc7-d2a7-4cda-8be9-d8d10ef02c4e', 'running', '4.4s'),
  `${M} xml`, xml('web01'),
  `${M} lease`, HEADER,
  ' vnet0      52:54:00:2e:fa:76    ipv6         fd00::5/64',
  ' vnet0      52:54:00:2e:fa:76    ipv4         192.168.122.135/24',
  ' vnet1      52:54:00:aa:bb:cc    ipv4         10.0.0.7/16',
  `${M} domain db 01`, dominfo('db 01', 'a57178ce-9ff1-4660-88c0-f66cfeed0b27', 'shut off'),
  `${M} xml`, xml('db 01'),
  `${M} domain booting`, dominfo('booting', '11111111-2222-3333-4444-555555555555', 'running', '0.3s'),
  `${M} xml`, xml('booting'),
  `${M} lease`, HEADER, '',
  `${M} arp`, 'error: Failed to query for interfaces addresses', 'error: internal error: wrong nlmsg len',
  `${M} domain arp-only`, dominfo('arp-only', '66666666-2222-3333-4444-555555555555', 'paused', '12.0s'),
  `${M} xml`, xml('arp-only'),
  `${M} lease`, HEADER, '',
  `${M} arp`, HEADER, ' vnet3      52:54:00:00:00:01    ipv4         192.168.122.9/0',
  '',
].join('\n');

describe('libvirt inventory: the hypervisor report', () => {
  const domains = parseVirshReport(REPORT, M);

  it('reads every domain with its uuid, its state in Ansible\'s words and Ansible\'s info', () => {
    assert.deepEqual(domains.map((d) => [d.name, d.uuid, d.state]), [
      ['web01', '605b3bc7-d2a7-4cda-8be9-d8d10ef02c4e', 'running'],
      ['db 01', 'a57178ce-9ff1-4660-88c0-f66cfeed0b27', 'shutoff'],
      ['booting', '11111111-2222-3333-4444-555555555555', 'running'],
      ['arp-only', '66666666-2222-3333-4444-555555555555', 'paused'],
    ]);
    assert.deepEqual(domains[0]!.info, { state_number: 1, state: 'running', maxMem_kb: 131072, memory_kb: 98304, nrVirtCpu: 2, cpuTime_ns: 4_400_000_000 });
    assert.deepEqual(domains[1]!.info, { state_number: 5, state: 'shutoff', maxMem_kb: 131072, memory_kb: 98304, nrVirtCpu: 2, cpuTime_ns: 0 });
    assert.equal(domains[3]!.info.state_number, 3);
  });

  it('keeps the domain XML as dumpxml printed it', () => {
    assert.equal(domains[0]!.xml, xml('web01'));
    assert.equal(domains[1]!.xml, xml('db 01'));
  });

  it('groups the lease addresses by interface and takes the first IPv4 address to connect to', () => {
    const web = domains[0]!;
    assert.equal(web.addressSource, 'lease');
    assert.deepEqual(web.interfaces, [
      { name: 'vnet0', hwaddr: '52:54:00:2e:fa:76', addrs: [{ addr: 'fd00::5', prefix: 64, type: 1 }, { addr: '192.168.122.135', prefix: 24, type: 0 }] },
      { name: 'vnet1', hwaddr: '52:54:00:aa:bb:cc', addrs: [{ addr: '10.0.0.7', prefix: 16, type: 0 }] },
    ]);
    assert.equal(firstIpv4(web), '192.168.122.135');
  });

  it('falls back to the ARP table, and says why a running guest has no address', () => {
    assert.equal(domains[3]!.addressSource, 'arp');
    assert.equal(firstIpv4(domains[3]!), '192.168.122.9');
    const booting = domains[2]!;
    assert.equal(booting.addressSource, 'none');
    assert.equal(firstIpv4(booting), undefined);
    assert.equal(booting.addressError, 'Failed to query for interfaces addresses; internal error: wrong nlmsg len');
    assert.deepEqual(domains[1]!.interfaces, []);
  });

  it('reads an empty hypervisor as no domains', () => {
    assert.deepEqual(parseVirshReport('\n', M), []);
  });
});

describe('libvirt inventory: the report script (with a fake virsh)', () => {
  it('asks each domain once, addresses only of active ones, ARP only when the lease had none', async () => {
    const tree = await writeTree({ 'bin/virsh': FAKE_VIRSH });
    try {
      await promisify(execFile)('chmod', ['+x', tree.path('bin/virsh')]);
      const env = { ...process.env, PATH: `${tree.path('bin')}:${process.env.PATH ?? ''}` };
      const { stdout } = await promisify(execFile)('sh', ['-c', VIRSH_REPORT_SCRIPT, 'sh', 'qemu:///system', M], { env });
      const domains = parseVirshReport(stdout, M);
      assert.deepEqual(domains.map((d) => [d.name, d.uuid, d.state, firstIpv4(d) ?? null, d.addressSource]), [
        ['web01', 'uuid-web01', 'running', '192.168.122.135', 'lease'],
        ['stopped', 'uuid-stopped', 'shutoff', null, 'none'],
        ['fresh', 'uuid-fresh', 'running', '192.168.122.77', 'arp'],
      ]);
      assert.equal(domains[2]!.xml, "<domain type='qemu'>\n  <name>fresh</name>\n</domain>");
      const calls = (await promisify(execFile)('cat', [tree.path('bin/calls')])).stdout.trim().split('\n');
      assert.deepEqual(calls.filter((c) => c.includes('domifaddr')).map((c) => c.replace('-c qemu:///system domifaddr --domain ', '')), [
        'web01 --full --source lease', 'fresh --full --source lease', 'fresh --full --source arp',
      ]);
    } finally {
      await tree.remove();
    }
  });

  it('exits 3 with virsh\'s complaint when the hypervisor cannot be listed', async () => {
    const tree = await writeTree({ 'bin/virsh': FAKE_VIRSH });
    try {
      await promisify(execFile)('chmod', ['+x', tree.path('bin/virsh')]);
      const env = { ...process.env, PATH: `${tree.path('bin')}:${process.env.PATH ?? ''}` };
      await assert.rejects(promisify(execFile)('sh', ['-c', VIRSH_REPORT_SCRIPT, 'sh', 'qemu:///session', M], { env }),
        (e: { code?: number; stderr?: string }) => e.code === 3 && /wrong URI qemu:\/\/\/session/.test(e.stderr ?? ''));
    } finally {
      await tree.remove();
    }
  });
});
