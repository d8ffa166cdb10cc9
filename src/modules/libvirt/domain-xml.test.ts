import assert from 'node:assert/strict';
import { carryIdentity, carryNetworkIdentity, domainIdentity, interfaceMacs, missingElements, networkIdentity, withUuid, xmlUuid } from './domain-xml.js';

const WANTED = `<domain type='qemu'>
  <name>web01</name>
  <uuid>11111111-1111-1111-1111-111111111111</uuid>
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:00:00:01'/>
      <source bridge='br0'/>
    </interface>
    <interface type='network'>
      <source network='default'/>
    </interface>
  </devices>
</domain>
`;

const EXISTING = `<domain type='qemu'>
  <name>web01</name>
  <uuid>22222222-2222-2222-2222-222222222222</uuid>
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:aa:aa:aa'/>
      <source bridge='br0'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:bb:bb:bb'/>
      <source network='default'/>
    </interface>
  </devices>
</domain>
`;

describe('domain XML identity', () => {
  it('reads the uuid and the MACs by interface order', () => {
    assert.deepEqual(domainIdentity(EXISTING), { uuid: '22222222-2222-2222-2222-222222222222', macs: ['52:54:00:aa:aa:aa', '52:54:00:bb:bb:bb'] });
    assert.deepEqual(interfaceMacs(WANTED), ['52:54:00:00:00:01', null]);
  });

  const table: Array<{ title: string; wanted: string; existing: { uuid: string | null; macs: Array<string | null> }; expect: { uuid: string | null; macs: Array<string | null> } }> = [
    { title: 'replaces uuid and MACs', wanted: WANTED, existing: domainIdentity(EXISTING), expect: domainIdentity(EXISTING) },
    { title: 'keeps the wanted XML when nothing exists', wanted: WANTED, existing: { uuid: null, macs: [] }, expect: { uuid: '11111111-1111-1111-1111-111111111111', macs: ['52:54:00:00:00:01', null] } },
    { title: 'keeps a wanted MAC for an interface added after the existing ones', wanted: WANTED, existing: { uuid: null, macs: ['52:54:00:cc:cc:cc'] }, expect: { uuid: '11111111-1111-1111-1111-111111111111', macs: ['52:54:00:cc:cc:cc', null] } },
    { title: 'inserts a uuid after <name> when the wanted XML has none', wanted: WANTED.replace(/ *<uuid>.*<\/uuid>\n/, ''), existing: { uuid: 'abc', macs: [] }, expect: { uuid: 'abc', macs: ['52:54:00:00:00:01', null] } },
  ];
  for (const t of table) {
    it(`carries identity: ${t.title}`, () => {
      const out = carryIdentity(t.wanted, t.existing);
      assert.deepEqual(domainIdentity(out), t.expect);
      assert.match(out, /<source network='default'\/>/);
    });
  }

  it('inserts a missing <mac> indented like the interface body', () => {
    const out = carryIdentity(WANTED, { uuid: null, macs: [null, '52:54:00:bb:bb:bb'] });
    assert.match(out, /<interface type='network'>\n      <mac address='52:54:00:bb:bb:bb'\/>\n      <source network='default'\/>/);
  });

  it('replaces the uuid in place and keeps a name with escaped characters', () => {
    const xml = "<domain><name>a &amp; b &lt;c&gt;</name><uuid>x</uuid></domain>";
    assert.equal(withUuid(xml, 'y'), "<domain><name>a &amp; b &lt;c&gt;</name><uuid>y</uuid></domain>");
    assert.equal(xmlUuid('<domain><name>n</name></domain>'), null);
  });

  it('carries a network uuid and bridge MAC, not DHCP host MACs', () => {
    const existing = "<network>\n  <name>n</name>\n  <uuid>u1</uuid>\n  <bridge name='virbr9'/>\n  <mac address='52:54:00:11:11:11'/>\n  <ip address='10.0.0.1'><dhcp><host mac='52:54:00:99:99:99' ip='10.0.0.5'/></dhcp></ip>\n</network>";
    assert.deepEqual(networkIdentity(existing), { uuid: 'u1', mac: '52:54:00:11:11:11' });
    const wanted = "<network>\n  <name>n</name>\n  <bridge name='virbr9'/>\n  <ip address='10.0.0.1'><dhcp><host mac='52:54:00:99:99:99' ip='10.0.0.5'/></dhcp></ip>\n</network>";
    const out = carryNetworkIdentity(wanted, networkIdentity(existing));
    assert.deepEqual(networkIdentity(out), { uuid: 'u1', mac: '52:54:00:11:11:11' });
    assert.match(out, /host mac='52:54:00:99:99:99'/);
  });
});

describe('check-mode estimate (missingElements)', () => {
  it('finds nothing missing when libvirt only added elements and attributes', () => {
    assert.deepEqual(missingElements(carryIdentity(WANTED, domainIdentity(EXISTING)), EXISTING), []);
  });
  it('names a changed value', () => {
    const cur = `<domain><name>w</name><memory unit='KiB'>524288</memory><vcpu placement='static'>1</vcpu></domain>`;
    const want = `<domain><name>w</name><memory unit='KiB'>1048576</memory><vcpu>1</vcpu></domain>`;
    assert.deepEqual(missingElements(want, cur), ["domain/memory unit='KiB' = 1048576"]);
  });
  it('names a changed attribute', () => {
    assert.deepEqual(missingElements("<a><b x='1'/></a>", "<a><b x='2' y='3'/></a>"), ["a/b x='1'"]);
  });
});
