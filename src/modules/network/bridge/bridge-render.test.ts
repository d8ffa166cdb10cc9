// The bridge templates (SPEC 5): every format rendered with fixed arguments and
// compared byte for byte with reviewed golden files; values escaped per format.
// UPDATE_GOLDEN=1 rewrites the golden files; review them by eye before committing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateError } from '../../../template/index.js';
import { INSTALL_DIR } from '../../../util/install-dir.js';
import { disableStanzas, ifcfgBridgeVars, renderBridgeFiles, renderShipped } from './bridge-render.js';
import { BridgeArgs } from './bridge-spec.js';

const ROOT = INSTALL_DIR;
const GOLDEN = join(ROOT, 'test/fixtures/golden');

function golden(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${file} differs from the render (UPDATE_GOLDEN=1 rewrites it)`);
}

// SPEC 10's example bridge.
const BR0 = BridgeArgs.parse({ name: 'br0', ports: ['em1'], address: '192.0.2.11/24', gateway: '192.0.2.1', dns: ['192.0.2.1', '2001:db8::53'], stp: false, delay: 0 });
// The seed's second bridge: no address.
const BR1 = BridgeArgs.parse({ name: 'br1', ports: 'em2', stp: 'yes', delay: 2 });
const DHCP = BridgeArgs.parse({ name: 'br0.100', ports: ['em1.100', 'em3'], dhcp: true });

const byPath = (a: BridgeArgs, format: 'ifcfg' | 'ifupdown' | 'nm-keyfile'): Map<string, { content: string; mode: number }> =>
  new Map(renderBridgeFiles(a, format).map((f) => [f.path, f]));

describe('bridge templates', () => {
  it('renders ifcfg-br0 and ifcfg-em1 exactly as the reviewed golden files', () => {
    const files = byPath(BR0, 'ifcfg');
    assert.deepEqual([...files.keys()], ['/etc/sysconfig/network-scripts/ifcfg-br0', '/etc/sysconfig/network-scripts/ifcfg-em1']);
    golden('ifcfg-br0', files.get('/etc/sysconfig/network-scripts/ifcfg-br0')?.content ?? '');
    golden('ifcfg-em1', files.get('/etc/sysconfig/network-scripts/ifcfg-em1')?.content ?? '');
  });

  it('renders ifcfg for a bridge without an address and for a DHCP bridge', () => {
    golden('ifcfg-br1', byPath(BR1, 'ifcfg').get('/etc/sysconfig/network-scripts/ifcfg-br1')?.content ?? '');
    const dhcp = byPath(DHCP, 'ifcfg').get('/etc/sysconfig/network-scripts/ifcfg-br0.100')?.content ?? '';
    assert.match(dhcp, /^BOOTPROTO=dhcp$/m);
    assert.doesNotMatch(dhcp, /IPADDR|PREFIX|GATEWAY|DNS1/);
    assert.match(byPath(DHCP, 'ifcfg').get('/etc/sysconfig/network-scripts/ifcfg-em1.100')?.content ?? '', /^BRIDGE=br0\.100$/m);
  });

  it('renders the ifupdown file for br0 and br1 exactly as the reviewed golden files', () => {
    golden('interfaces-br0', byPath(BR0, 'ifupdown').get('/etc/network/interfaces.d/br0')?.content ?? '');
    golden('interfaces-br1', byPath(BR1, 'ifupdown').get('/etc/network/interfaces.d/br1')?.content ?? '');
    // source-directory reads only [A-Za-z0-9_-] names.
    assert.deepEqual([...byPath(DHCP, 'ifupdown').keys()], ['/etc/network/interfaces.d/br0_100']);
    assert.match(byPath(DHCP, 'ifupdown').get('/etc/network/interfaces.d/br0_100')?.content ?? '', /^iface br0\.100 inet dhcp\n {4}bridge_ports em1\.100 em3$/m);
  });

  it('renders the NetworkManager keyfiles exactly as the reviewed golden files, mode 0600', () => {
    const files = byPath(BR0, 'nm-keyfile');
    const bridge = files.get('/etc/NetworkManager/system-connections/br0.nmconnection');
    const port = files.get('/etc/NetworkManager/system-connections/br0-port-em1.nmconnection');
    golden('br0.nmconnection', bridge?.content ?? '');
    golden('br0-port-em1.nmconnection', port?.content ?? '');
    assert.equal(bridge?.mode, 0o600);
    assert.equal(port?.mode, 0o600);
    assert.match(byPath(BR1, 'nm-keyfile').get('/etc/NetworkManager/system-connections/br1.nmconnection')?.content ?? '', /^method=disabled$/m);
  });

  it('keeps the NetworkManager uuids stable across renders and distinct per bridge', () => {
    const uuid = (a: BridgeArgs): string => /^uuid=(.*)$/m.exec(renderBridgeFiles(a, 'nm-keyfile')[0]?.content ?? '')?.[1] ?? '';
    assert.equal(uuid(BR0), uuid(BridgeArgs.parse({ name: 'br0', ports: ['em9'] })));
    assert.notEqual(uuid(BR0), uuid(BR1));
  });

  it('quotes ifcfg values that need it and refuses a newline, whatever slips past validation', () => {
    const vars = ifcfgBridgeVars(BR0) as { bridge: Record<string, unknown> };
    const quoted = renderShipped('ifcfg-bridge.hbs', { bridge: { ...vars.bridge, name: "br 0'x" } });
    assert.match(quoted, /^DEVICE='br 0'\\''x'$/m);
    assert.throws(() => renderShipped('ifcfg-bridge.hbs', { bridge: { ...vars.bridge, gateway: '192.0.2.1\nONBOOT=no' } }), TemplateError);
    assert.throws(() => renderShipped('interfaces-bridge.hbs', { bridge: { name: 'br0', ports: ['em1\nauto evil'], ports_line: 'em1', method: 'manual', stp: 'off', delay: 0 } }), TemplateError);
    assert.throws(() => renderShipped('nm-port.nmconnection.hbs', { port: { name: 'em1', bridge: 'br0\n[ipv4]' } }, 'ifupdown'), TemplateError);
  });

  it('names a missing template variable instead of writing an empty value', () => {
    const e = (() => { try { renderShipped('ifcfg-port.hbs', { port: { name: 'em1' } }); } catch (err) { return err; } return null; })();
    assert.ok(e instanceof TemplateError);
    assert.equal(e.variable, 'port.bridge');
  });
});

describe('disableStanzas (ifupdown definitions the bridge replaces)', () => {
  const LAB = [
    '# Written by kvmplay lab up.',
    'source /etc/network/interfaces.d/*',
    '',
    'auto lo',
    'iface lo inet loopback',
    '',
    'auto em1',
    'iface em1 inet static',
    '    address 10.213.0.12/24',
    '',
    'iface em2 inet manual',
    '',
  ].join('\n');

  it('comments out the port\'s stanza and its auto line, and nothing else', () => {
    assert.equal(disableStanzas(LAB, new Set(['br0', 'em1']), 'br0'), [
      '# Written by kvmplay lab up.',
      'source /etc/network/interfaces.d/*',
      '',
      'auto lo',
      'iface lo inet loopback',
      '',
      '#kvmplay(br0)# auto em1',
      '#kvmplay(br0)# iface em1 inet static',
      '#kvmplay(br0)#     address 10.213.0.12/24',
      '',
      'iface em2 inet manual',
      '',
    ].join('\n'));
  });

  it('takes one name out of a shared auto line and is idempotent', () => {
    const text = 'auto lo em1 em2\nallow-hotplug em2\niface em2 inet dhcp\n  hostname x\niface em3 inet manual\n';
    const once = disableStanzas(text, new Set(['br1', 'em2']), 'br1');
    assert.equal(once, '#kvmplay(br1)# auto lo em1 em2\nauto lo em1\n#kvmplay(br1)# allow-hotplug em2\n#kvmplay(br1)# iface em2 inet dhcp\n#kvmplay(br1)#   hostname x\niface em3 inet manual\n');
    assert.equal(disableStanzas(once, new Set(['br1', 'em2']), 'br1'), once);
  });

  it('leaves a file without those interfaces byte for byte as it was', () => {
    assert.equal(disableStanzas(LAB, new Set(['br7', 'em7']), 'br7'), LAB);
  });
});
