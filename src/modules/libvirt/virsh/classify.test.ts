import assert from 'node:assert/strict';
import { TaskError } from '../../../errors.js';
import { VirshError, classifyVirshError } from './index.js';
import type { VirshFailureKind } from './index.js';

// stderr as virsh prints it: its own "error: " line, then libvirt's. Sources:
// V = tools/virsh*.c (vshError texts), E = src/util/virerror.c (error prefixes),
// T = libvirt tests/virshtestdata/lifecycle.out, L = the project LAB-NOTES (libvirt).
const cases: Array<[string, string, VirshFailureKind, string, Record<string, unknown>]> = [
  ['a missing domain (T: newer virsh prints one line)',
    "error: failed to get domain 'fc4'\n",
    'no-such-domain', "failed to get domain 'fc4'", { domain: 'fc4' }],
  ['a missing domain with libvirt\'s line (V + E VIR_ERR_NO_DOMAIN)',
    "error: failed to get domain 'web 1'\nerror: Domain not found: no domain with matching name 'web 1'\n",
    'no-such-domain', "failed to get domain 'web 1': Domain not found: no domain with matching name 'web 1'", { domain: 'web 1' }],
  ['a missing network (V + E VIR_ERR_NO_NETWORK)',
    "error: failed to get network 'lab'\nerror: Network not found: no network with matching name 'lab'\n",
    'no-such-network', "failed to get network 'lab': Network not found: no network with matching name 'lab'", { network: 'lab' }],
  ['starting a running domain (V cmdStart + E VIR_ERR_OPERATION_INVALID)',
    "error: Failed to start domain 'web1'\nerror: Requested operation is not valid: domain is already running\n",
    'already-running', "Failed to start domain 'web1': Requested operation is not valid: domain is already running", { domain: 'web1' }],
  ['starting an active domain, virsh\'s own check (T)',
    'error: Domain is already active\n',
    'already-running', 'Domain is already active', {}],
  ['destroying a stopped domain (V cmdDestroy + E VIR_ERR_OPERATION_INVALID)',
    "error: Failed to destroy domain 'web1'\nerror: Requested operation is not valid: domain is not running\n",
    'not-running', "Failed to destroy domain 'web1': Requested operation is not valid: domain is not running", { domain: 'web1' }],
  ['malformed XML, with libxml\'s context lines (V cmdDefine + virxml.c catchXMLError)',
    'error: Failed to define domain from /tmp/web1.xml\nerror: (domain_definition):3: Opening and ending tag mismatch: name line 2 and domain\n</domain>\n---------^\n',
    'invalid-xml', 'Failed to define domain from /tmp/web1.xml: (domain_definition):3: Opening and ending tag mismatch: name line 2 and domain',
    { detail: '(domain_definition):3: Opening and ending tag mismatch: name line 2 and domain\n</domain>\n---------^' }],
  ['a semantic XML error (E VIR_ERR_XML_ERROR)',
    "error: Failed to define domain from web1.xml\nerror: XML error: Invalid value for attribute 'type' in element 'interface': 'brige'.\n",
    'invalid-xml', "Failed to define domain from web1.xml: XML error: Invalid value for attribute 'type' in element 'interface': 'brige'.",
    { detail: "XML error: Invalid value for attribute 'type' in element 'interface': 'brige'." }],
  ['XML rejected by the schema (E VIR_ERR_XML_INVALID_SCHEMA, define --validate)',
    'error: Failed to define domain from web1.xml\nerror: XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/domain.rng\nElement domain has extra content: devices\n',
    'invalid-xml', 'Failed to define domain from web1.xml: XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/domain.rng', {}],
  ['an unsupported configuration (E VIR_ERR_CONFIG_UNSUPPORTED)',
    'error: Failed to define domain from web1.xml\nerror: unsupported configuration: spice graphics are not supported with this QEMU\n',
    'invalid-xml', 'Failed to define domain from web1.xml: unsupported configuration: spice graphics are not supported with this QEMU',
    { detail: 'unsupported configuration: spice graphics are not supported with this QEMU' }],
  ['type=kvm on a host without /dev/kvm (L, exact text)',
    "error: Failed to define domain from web1.xml\nerror: unsupported configuration: Emulator '/usr/bin/qemu-system-x86_64' does not support virt type 'kvm'\n",
    'unsupported-virt-type', "Failed to define domain from web1.xml: unsupported configuration: Emulator '/usr/bin/qemu-system-x86_64' does not support virt type 'kvm'",
    { virtType: 'kvm', emulator: '/usr/bin/qemu-system-x86_64' }],
  ['type=kvm on an older libvirt (E VIR_ERR_INVALID_ARG, capabilities lookup)',
    'error: Failed to define domain from web1.xml\nerror: invalid argument: could not find capabilities for arch=x86_64 domaintype=kvm \n',
    'unsupported-virt-type', 'Failed to define domain from web1.xml: invalid argument: could not find capabilities for arch=x86_64 domaintype=kvm',
    { virtType: 'kvm', emulator: null }],
  ['libvirtd not running (V vshReconnect + rpc/virnetsocket.c)',
    "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
    'connection-failed', "failed to connect to the hypervisor: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory (is libvirtd running?)",
    { socket: '/var/run/libvirt/libvirt-sock', hint: 'is libvirtd running?' }],
  ['virtqemud not running on a modular-daemon host (rpc/virnetsocket.c)',
    "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/virtqemud-sock': Connection refused\n",
    'connection-failed', "failed to connect to the hypervisor: Failed to connect socket to '/var/run/libvirt/virtqemud-sock': Connection refused (is virtqemud running?)",
    { hint: 'is virtqemud running?' }],
  ['the daemon going away mid-command (rpc/virnetsocket.c)',
    'error: Disconnected from qemu:///system due to end of file\nerror: End of file while reading data: Input/output error\n',
    'connection-failed', 'Disconnected from qemu:///system due to end of file: End of file while reading data: Input/output error', { hint: null }],
  ['a socket the user may not open (rpc/virnetsocket.c)',
    "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied\n",
    'permission-denied', "failed to connect to the hypervisor: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied", {}],
  ['polkit refusing (E VIR_ERR_AUTH_UNAVAILABLE)',
    "error: failed to connect to the hypervisor\nerror: authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'\n",
    'permission-denied', "failed to connect to the hypervisor: authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'", {}],
  ['a read-only connection (E VIR_ERR_OPERATION_DENIED)',
    'error: Failed to define domain from web1.xml\nerror: operation forbidden: read only access prevents virDomainDefineXML\n',
    'permission-denied', 'Failed to define domain from web1.xml: operation forbidden: read only access prevents virDomainDefineXML', {}],
  ['a name taken by another uuid (E VIR_ERR_OPERATION_FAILED, conf/virdomainobjlist.c)',
    "error: Failed to define domain from web1.xml\nerror: operation failed: domain 'web1' already exists with uuid 7c5a0f0e-3b4d-4a51-9c55-2f6a1f3f1e01\n",
    'already-exists', "Failed to define domain from web1.xml: operation failed: domain 'web1' already exists with uuid 7c5a0f0e-3b4d-4a51-9c55-2f6a1f3f1e01",
    { object: 'domain', name: 'web1', uuid: '7c5a0f0e-3b4d-4a51-9c55-2f6a1f3f1e01' }],
  ['a network name taken (E VIR_ERR_OPERATION_FAILED, conf/virnetworkobj.c)',
    "error: Failed to define network from lab.xml\nerror: operation failed: network 'lab' already exists with uuid 2f6a1f3f-1e01-4a51-9c55-7c5a0f0e3b4d\n",
    'already-exists', "Failed to define network from lab.xml: operation failed: network 'lab' already exists with uuid 2f6a1f3f-1e01-4a51-9c55-7c5a0f0e3b4d",
    { object: 'network', name: 'lab' }],
  ['a busy domain lock (E VIR_ERR_OPERATION_TIMEOUT, qemu/qemu_domain.c)',
    "error: Failed to start domain 'web1'\nerror: Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainCreate)\n",
    'operation-timeout', "Failed to start domain 'web1': Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainCreate)", {}],
  ['anything else (qemu/qemu_process.c, a PTY failure from LAB-NOTES)',
    "error: Failed to start domain 'web1'\nerror: internal error: process exited while connecting to monitor: Failed to create PTY\n",
    'other', "Failed to start domain 'web1': internal error: process exited while connecting to monitor: Failed to create PTY", {}],
];

describe('virsh error classification', () => {
  for (const [name, stderr, kind, message, fields] of cases) {
    it(`classifies ${name} as ${kind}`, () => {
      const f = classifyVirshError(stderr);
      assert.equal(f.kind, kind);
      assert.equal(f.message, message);
      assert.equal(f.stderr, stderr);
      for (const [k, v] of Object.entries(fields)) assert.deepEqual((f as unknown as Record<string, unknown>)[k], v, k);
    });
  }

  it('covers every kind of failure in the table above', () => {
    const kinds = new Set(cases.map((c) => c[2]));
    assert.equal(kinds.size, 11);
  });

  it('keeps the command it was given and reads the domain from it when stderr names none', () => {
    const f = classifyVirshError('error: Domain is already active\n', { command: ['virsh', 'start', 'web1'] });
    assert.deepEqual(f.command, ['virsh', 'start', 'web1']);
    assert.equal(f.kind === 'already-running' && f.domain, 'web1');
  });

  it('says so when virsh failed without a word', () => {
    assert.equal(classifyVirshError('').message, 'virsh failed with no message');
    assert.equal(classifyVirshError('').kind, 'other');
  });

  it('carries the failure in a VirshError that is a TaskError', () => {
    const failure = classifyVirshError("error: failed to get domain 'fc4'\n");
    const err = new VirshError('hv1', failure, { rc: 1 });
    assert.ok(err instanceof TaskError);
    assert.equal(err.name, 'VirshError');
    assert.equal(err.message, "failed to get domain 'fc4'");
    assert.equal(err.host, 'hv1');
    assert.equal(err.rc, 1);
    assert.equal(err.stderr, "error: failed to get domain 'fc4'\n");
    assert.equal(err.exitCode, 2);
    assert.equal(err.failure.kind, 'no-such-domain');
  });
});
