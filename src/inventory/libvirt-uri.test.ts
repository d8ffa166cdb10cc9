import assert from 'node:assert/strict';
import { LibvirtUriError, parseLibvirtUri } from './libvirt-uri.js';

describe('libvirt inventory: URIs', () => {
  it('reads user, host and port of a qemu+ssh URI, and the URI virsh opens there', () => {
    const u = parseLibvirtUri('qemu+ssh://admin@hv01.example.com:2222/system');
    assert.deepEqual(u, { text: 'qemu+ssh://admin@hv01.example.com:2222/system', host: 'hv01.example.com', port: 2222, user: 'admin', localUri: 'qemu:///system', ignored: [] });
    assert.equal(parseLibvirtUri('qemu+ssh://hv01/session').localUri, 'qemu:///session');
    assert.equal(parseLibvirtUri('qemu+libssh2://hv01/system').host, 'hv01');
    assert.equal(parseLibvirtUri('qemu+ssh://[fd00::1]/system').host, 'fd00::1');
  });

  it('takes libvirt\'s keyfile, known_hosts and name parameters and names the others', () => {
    const u = parseLibvirtUri('qemu+ssh://hv01/system?keyfile=keys/hv&known_hosts=/etc/kh&no_tty=1&name=qemu:///embed');
    assert.equal(u.keyfile, 'keys/hv');
    assert.equal(u.knownHosts, '/etc/kh');
    assert.equal(u.localUri, 'qemu:///embed');
    assert.deepEqual(u.ignored, ['no_tty']);
  });

  it('reads qemu:///system as the control machine\'s own libvirt', () => {
    const u = parseLibvirtUri('qemu:///system');
    assert.equal(u.host, undefined);
    assert.equal(u.localUri, 'qemu:///system');
  });

  for (const [uri, why] of [
    ['lxc:///', /qemu hypervisors only/],
    ['qemu+tcp://hv01/system', /over SSH .* not over tcp/],
    ['qemu+ssh:///system', /names no host/],
    ['qemu://hv01/system', /without a transport: write qemu\+ssh:\/\/hv01\/system/],
    ['qemu+ssh://hv01/', /path must be \/system or \/session/],
    ['hv01', /not a libvirt URI/],
  ] as const) {
    it(`refuses ${uri}`, () => {
      assert.throws(() => parseLibvirtUri(uri), (e: unknown) => e instanceof LibvirtUriError && why.test(e.message));
    });
  }
});
