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

// A template with a commented-out <uuid> and <interface> (and markup-looking text in
// CDATA): only the real elements are read and edited; the comments stay as written.
const COMMENTED = `<domain type='qemu'>
  <name>web01</name>
  <!-- <uuid>00000000-0000-0000-0000-000000000000</uuid> -->
  <description><![CDATA[<uuid>not-this</uuid> <interface type='bridge'><mac address='52:54:00:00:00:ff'/></interface>]]></description>
  <devices>
    <!-- the old NIC:
    <interface type='bridge'>
      <mac address='52:54:00:00:00:99'/>
      <source bridge='br-old'/>
    </interface>
    -->
    <interface type='network'>
      <source network='default'/>
    </interface>
  </devices>
</domain>
`;

describe('domain XML identity with comments and CDATA', () => {
  it('reads no uuid and no MAC from comments or CDATA', () => {
    assert.deepEqual(domainIdentity(COMMENTED), { uuid: null, macs: [null] });
  });

  it('puts the kept uuid and MAC on the real elements and leaves the comments as written', () => {
    const out = carryIdentity(COMMENTED, { uuid: '22222222-2222-2222-2222-222222222222', macs: ['52:54:00:bb:bb:bb'] });
    assert.deepEqual(domainIdentity(out), { uuid: '22222222-2222-2222-2222-222222222222', macs: ['52:54:00:bb:bb:bb'] });
    assert.match(out, /<name>web01<\/name>\n  <uuid>22222222-2222-2222-2222-222222222222<\/uuid>\n  <!-- <uuid>00000000-0000-0000-0000-000000000000<\/uuid> -->/);
    assert.match(out, /<interface type='network'>\n      <mac address='52:54:00:bb:bb:bb'\/>\n      <source network='default'\/>/);
    assert.ok(out.includes("<!-- the old NIC:\n    <interface type='bridge'>\n      <mac address='52:54:00:00:00:99'/>"), 'the comment is unchanged');
    assert.ok(out.includes("<![CDATA[<uuid>not-this</uuid> <interface type='bridge'><mac address='52:54:00:00:00:ff'/></interface>]]>"), 'the CDATA is unchanged');
  });

  it('replaces a real uuid that follows a commented one, and a real MAC after a commented interface', () => {
    const wanted = COMMENTED.replace("    <interface type='network'>\n", "    <interface type='network'>\n      <mac address=\"52:54:00:00:00:01\"/>\n")
      .replace('<name>web01</name>', '<name>web01</name>\n  <uuid>11111111-1111-1111-1111-111111111111</uuid>');
    assert.deepEqual(domainIdentity(wanted), { uuid: '11111111-1111-1111-1111-111111111111', macs: ['52:54:00:00:00:01'] });
    const out = carryIdentity(wanted, { uuid: 'u2', macs: ['52:54:00:cc:cc:cc'] });
    assert.deepEqual(domainIdentity(out), { uuid: 'u2', macs: ['52:54:00:cc:cc:cc'] });
    assert.match(out, /<mac address="52:54:00:cc:cc:cc"\/>/, 'the quote style is kept');
    assert.equal(out.match(/00000000-0000-0000-0000-000000000000|52:54:00:00:00:99/g)?.length, 2, 'comments untouched');
  });

  it('opens up a self-closing interface to give it a MAC', () => {
    const out = carryIdentity("<domain><name>n</name><devices><interface type='user'/></devices></domain>", { uuid: null, macs: ['52:54:00:dd:dd:dd'] });
    assert.deepEqual(interfaceMacs(out), ['52:54:00:dd:dd:dd']);
  });

  it('carries a network MAC past a commented-out one', () => {
    const wanted = "<network>\n  <name>n</name>\n  <!-- <mac address='52:54:00:00:00:77'/> -->\n  <bridge name='virbr9'/>\n</network>";
    const out = carryNetworkIdentity(wanted, { uuid: 'u1', mac: '52:54:00:11:11:11' });
    assert.deepEqual(networkIdentity(out), { uuid: 'u1', mac: '52:54:00:11:11:11' });
    assert.match(out, /<bridge name='virbr9'\/>\n  <mac address='52:54:00:11:11:11'\/>/);
    assert.match(out, /<!-- <mac address='52:54:00:00:00:77'\/> -->/);
  });

  it('ignores commented-out elements in the check-mode estimate', () => {
    assert.deepEqual(missingElements(COMMENTED, COMMENTED.replace(/<!--[\s\S]*?-->/g, '')), []);
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
