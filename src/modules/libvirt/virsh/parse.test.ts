import assert from 'node:assert/strict';
import {
  VirshParseError, parseDomInfo, parseDomState, parseDomainList, parseNetInfo, parseNetworkList,
  parseTable, parseUuid, parseVncDisplay,
} from './index.js';
import type { DomainListEntry, DomState, VncDisplay } from './index.js';

// Tables below follow libvirt's tools/vsh-table.c exactly: " %s" per cell, padded
// to the column width + 2 except the last cell, a dashed line of width + 3 per
// column, and virsh's blank line at the end. The first list sample is libvirt's
// own tests/virshtestdata/info-default.out.
const OLD_PRINTF_LIST = // libvirt < 5.3: printf(" %-5s %-30s %s\n"), 52 dashes
  ' Id    Name                           State\n'
  + '----------------------------------------------------\n'
  + ' 1     web1                           running\n'
  + ' -     a-domain-name-longer-than-thirty-chars shut off\n'
  + '\n';

describe('virsh list parsing', () => {
  const cases: Array<[string, string, DomainListEntry[]]> = [
    ['reads libvirt\'s own one-domain list', ' Id   Name   State\n----------------------\n 1    test   running\n\n',
      [{ id: 1, name: 'test', state: 'running' }]],
    ['reads inactive domains with "-" ids, names with spaces and two-word states',
      ' Id   Name        State\n-------------------------------\n 1    web 1       running\n 3    db-server   paused\n -    old vm      shut off\n -    win10       in shutdown\n\n',
      [
        { id: 1, name: 'web 1', state: 'running' },
        { id: 3, name: 'db-server', state: 'paused' },
        { id: null, name: 'old vm', state: 'shut off' },
        { id: null, name: 'win10', state: 'in shutdown' },
      ]],
    ['reads an empty list as no domains', ' Id   Name   State\n--------------------\n\n', []],
    ['reads no output at all as no domains', '', []],
    ['reads an old printf table whose long name pushed the state column', OLD_PRINTF_LIST, [
      { id: 1, name: 'web1', state: 'running' },
      { id: null, name: 'a-domain-name-longer-than-thirty-chars', state: 'shut off' },
    ]],
    ['reads the Title column of list --title, empty titles included',
      ' Id   Name   State      Title\n---------------------------------------\n 2    web1   running    Front end web\n -    db     shut off   \n\n',
      [
        { id: 2, name: 'web1', state: 'running', title: 'Front end web' },
        { id: null, name: 'db', state: 'shut off', title: '' },
      ]],
    ['reads CRLF output the same way', ' Id   Name   State\r\n----------------------\r\n -    test   shut off\r\n\r\n',
      [{ id: null, name: 'test', state: 'shut off' }]],
  ];
  for (const [name, text, want] of cases) it(name, () => assert.deepEqual(parseDomainList(text), want));

  it('refuses a state virsh does not print', () => {
    assert.throws(() => parseDomainList(' Id   Name   State\n----------------------\n 1    test   exploded\n\n'), VirshParseError);
  });
  it('refuses --quiet output, which has no header to find columns with', () => {
    assert.throws(() => parseDomainList(' 1    test   running\n\n'), VirshParseError);
  });
});

describe('virsh net-list parsing', () => {
  it('reads state, autostart and persistence, with a name containing a space', () => {
    const text = ' Name           State      Autostart   Persistent\n---------------------------------------------------\n default        active     yes         yes\n isolated lab   inactive   no          yes\n\n';
    assert.deepEqual(parseNetworkList(text), [
      { name: 'default', state: 'active', autostart: true, persistent: true },
      { name: 'isolated lab', state: 'inactive', autostart: false, persistent: true },
    ]);
  });
  it('reads a list without networks as empty', () => {
    assert.deepEqual(parseNetworkList(' Name   State   Autostart   Persistent\n----------------------------------------------\n\n'), []);
  });
});

describe('generic virsh table parsing', () => {
  it('keeps a header cell with a single space inside as one column', () => {
    const text = ' Name    Creation Time               State\n----------------------------------------------\n snap1   2024-01-02 10:11:12 +0000   shutoff\n\n';
    assert.deepEqual(parseTable(text), {
      columns: ['Name', 'Creation Time', 'State'],
      rows: [{ Name: 'snap1', 'Creation Time': '2024-01-02 10:11:12 +0000', State: 'shutoff' }],
    });
  });
  it('reads a domblklist table with an empty Source cell', () => {
    // cdrom without media: virsh prints "-"
    const text = ' Target   Source\n-----------------------------------------\n vda      /var/lib/libvirt/images/web1.qcow2\n sda      -\n\n';
    assert.deepEqual(parseTable(text).rows, [
      { Target: 'vda', Source: '/var/lib/libvirt/images/web1.qcow2' },
      { Target: 'sda', Source: '-' },
    ]);
  });
});

// tests/virshtestdata/lifecycle.out (dominfo of a running domain, test driver)
const DOMINFO_RUNNING = `Id:             3
Name:           fc5
UUID:           08721f99-3d1d-4aec-96eb-97803297bb36
OS Type:        linux
State:          running
CPU(s):         4
Max memory:     2097152 KiB
Used memory:    2097152 KiB
Persistent:     yes
Autostart:      disable
Managed save:   no
Security model: testSecurity
Security DOI:   
Security label: libvirt-test (enforcing)
Messages:       tainted: running with undesirable elevated privileges
                tainted: network configuration using opaque shell scripts

`;

// A shut-off qemu domain: "-" id, no CPU time, no label, an unknown key.
const DOMINFO_SHUT_OFF = `Id:             -
Name:           web 1
UUID:           7c5a0f0e-3b4d-4a51-9c55-2f6a1f3f1e01
OS Type:        hvm
State:          shut off
CPU(s):         2
Max memory:     1048576 KiB
Used memory:    1048576 KiB
Persistent:     yes
Autostart:      enable
Managed save:   no
Security model: none
Security DOI:   0
Future field:   something new

`;

describe('virsh dominfo parsing', () => {
  it('reads a running domain with empty values and continued Messages lines', () => {
    assert.deepEqual(parseDomInfo(DOMINFO_RUNNING), {
      id: 3, name: 'fc5', uuid: '08721f99-3d1d-4aec-96eb-97803297bb36', os_type: 'linux',
      state: 'running', cpus: 4, cpu_time_s: null, max_memory_kib: 2097152, used_memory_kib: 2097152,
      persistent: true, autostart: false, managed_save: false,
      security_model: 'testSecurity', security_doi: null, security_label: 'libvirt-test (enforcing)',
      messages: [
        'tainted: running with undesirable elevated privileges',
        'tainted: network configuration using opaque shell scripts',
      ],
      other: {},
    });
  });
  it('reads a shut-off domain with a "-" id and keeps unknown keys', () => {
    const info = parseDomInfo(DOMINFO_SHUT_OFF);
    assert.equal(info.id, null);
    assert.equal(info.name, 'web 1');
    assert.equal(info.state, 'shut off');
    assert.equal(info.autostart, true);
    assert.equal(info.security_label, null);
    assert.deepEqual(info.messages, []);
    assert.deepEqual(info.other, { 'Future field': 'something new' });
  });
  it('reads CPU time in seconds and "no limit" memory as null', () => {
    const text = DOMINFO_SHUT_OFF.replace('CPU(s):         2\n', 'CPU(s):         2\nCPU time:       12.5s\n')
      .replace('Max memory:     1048576 KiB', 'Max memory:     no limit');
    const info = parseDomInfo(text);
    assert.equal(info.cpu_time_s, 12.5);
    assert.equal(info.max_memory_kib, null);
  });
  it('refuses output without the State line', () => {
    assert.throws(() => parseDomInfo('Id:             -\nName:           x\n\n'), VirshParseError);
  });
});

describe('virsh net-info parsing', () => {
  it('reads the default network', () => {
    const text = 'Name:           default\nUUID:           2f6a1f3f-1e01-4a51-9c55-7c5a0f0e3b4d\nActive:         yes\nPersistent:     yes\nAutostart:      no\nBridge:         virbr0\n\n';
    assert.deepEqual(parseNetInfo(text), {
      name: 'default', uuid: '2f6a1f3f-1e01-4a51-9c55-7c5a0f0e3b4d',
      active: true, persistent: true, autostart: false, bridge: 'virbr0', other: {},
    });
  });
});

describe('virsh domstate, domuuid and vncdisplay parsing', () => {
  const states: Array<[string, DomState]> = [
    ['running\n\n', { state: 'running', reason: null }],
    ['shut off\n\n', { state: 'shut off', reason: null }],
    ['shut off (destroyed)\n\n', { state: 'shut off', reason: 'destroyed' }],
    ['running (from snapshot)\n\n', { state: 'running', reason: 'from snapshot' }],
    ['in shutdown (user)\n\n', { state: 'in shutdown', reason: 'user' }],
    ['paused (user)\n\n', { state: 'paused', reason: 'user' }],
  ];
  for (const [text, want] of states) {
    it(`reads domstate ${JSON.stringify(text.trim())}`, () => assert.deepEqual(parseDomState(text), want));
  }

  it('reads a domuuid and refuses anything else', () => {
    assert.equal(parseUuid('08721F99-3d1d-4aec-96eb-97803297bb36\n\n'), '08721f99-3d1d-4aec-96eb-97803297bb36');
    assert.throws(() => parseUuid('fc5\n'), VirshParseError);
  });

  const displays: Array<[string, VncDisplay | null]> = [
    [':0\n\n', { host: null, display: 0, port: 5900 }],
    ['127.0.0.1:0\n\n', { host: '127.0.0.1', display: 0, port: 5900 }],
    ['192.168.122.1:12\n\n', { host: '192.168.122.1', display: 12, port: 5912 }],
    ['[::1]:3\n\n', { host: '::1', display: 3, port: 5903 }],
    ['\n', null],
  ];
  for (const [text, want] of displays) {
    it(`reads vncdisplay ${JSON.stringify(text.trim())}`, () => assert.deepEqual(parseVncDisplay(text), want));
  }
});
