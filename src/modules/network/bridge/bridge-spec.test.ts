import assert from 'node:assert/strict';
import { BridgeArgs, cidrProblem, isInterfaceName, isIpv6, netmaskOf, parseCidr } from './bridge-spec.js';

const issues = (raw: Record<string, unknown>): string[] => {
  const r = BridgeArgs.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('bridge arguments', () => {
  it('accepts SPEC 10\'s example and fills the defaults', () => {
    const a = BridgeArgs.parse({ name: 'br0', ports: ['em1'], address: '192.0.2.11/24', gateway: '192.0.2.1', dns: ['192.0.2.1'], stp: false, delay: 0 });
    assert.deepEqual(a, { name: 'br0', ports: ['em1'], address: '192.0.2.11/24', dhcp: false, gateway: '192.0.2.1', dns: ['192.0.2.1'], stp: false, delay: 0, rollback_timeout: 30 });
    assert.deepEqual(BridgeArgs.parse({ name: 'br1', ports: 'em2', dns: '2001:db8::1' }).ports, ['em2']);
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a prefix out of range', { name: 'br0', address: '10.0.0.2/33' }, /address: prefix \/33/],
    ['no prefix', { name: 'br0', address: '10.0.0.2' }, /address: 10\.0\.0\.2 has no prefix/],
    ['an octet over 255', { name: 'br0', address: '10.0.0.256/24' }, /address: .* is not an IPv4 address/],
    ['a leading zero', { name: 'br0', address: '10.0.0.02/24' }, /address/],
    ['the network address', { name: 'br0', address: '10.213.0.12/30' }, /network address of 10\.213\.0\.12\/30/],
    ['the broadcast address', { name: 'br0', address: '10.0.0.255/24' }, /broadcast address/],
    ['loopback', { name: 'br0', address: '127.0.0.2/8' }, /not a unicast host address/],
    ['a newline in the address', { name: 'br0', address: '10.0.0.2/24\nGATEWAY=1.2.3.4' }, /address/],
    ['a newline in a port name', { name: 'br0', ports: ['em1\nauto evil'] }, /ports\.0: must be an interface name/],
    ['an option-looking name', { name: '-br0' }, /name: must be an interface name/],
    ['a name too long for the kernel', { name: 'bridge0123456789' }, /name: must be an interface name/],
    ['a name with a slash', { name: 'br/0' }, /name/],
    ['a quote in a name', { name: "br0'" }, /name/],
    ['address and dhcp', { name: 'br0', address: '10.0.0.2/24', dhcp: true }, /dhcp: give address or dhcp/],
    ['a gateway off the subnet', { name: 'br0', address: '10.0.0.2/24', gateway: '10.0.1.1' }, /gateway 10\.0\.1\.1 is not in 10\.0\.0\.0\/24/],
    ['a gateway without an address', { name: 'br0', dhcp: true, gateway: '10.0.0.1' }, /gateway: a gateway needs a static address/],
    ['a bad DNS server', { name: 'br0', dns: ['8.8.8.8; rm -rf /'] }, /dns\.0/],
    ['the bridge as its own port', { name: 'br0', ports: ['br0'] }, /cannot be a port of itself/],
    ['STP with a zero delay', { name: 'br0', stp: true, delay: 0 }, /delay: with stp on/],
    ['an unknown argument', { name: 'br0', adress: '10.0.0.2/24' }, /adress|unrecognized/i],
    ['an unknown format', { name: 'br0', format: 'netplan' }, /format/],
    ['a rollback timeout too short to reconnect', { name: 'br0', rollback_timeout: 1 }, /rollback_timeout/],
  ];
  for (const [title, raw, re] of bad) {
    it(`refuses ${title}`, () => {
      const found = issues(raw);
      assert.ok(found.some((i) => re.test(i)), `expected ${re} among ${JSON.stringify(found)}`);
    });
  }

  it('parses a CIDR into address, prefix, netmask and network', () => {
    assert.deepEqual(parseCidr('10.213.0.12/24'), { address: '10.213.0.12', prefix: 24, netmask: '255.255.255.0', network: '10.213.0.0' });
    assert.deepEqual(parseCidr('10.213.0.12/32'), { address: '10.213.0.12', prefix: 32, netmask: '255.255.255.255', network: '10.213.0.12' });
    assert.equal(netmaskOf(20), '255.255.240.0');
    assert.equal(cidrProblem('192.0.2.11/31'), null);
  });

  it('knows interface names and IPv6 addresses', () => {
    for (const ok of ['em1', 'br0.100', 'eno1np0', 'a', 'vnet_0-x']) assert.ok(isInterfaceName(ok), ok);
    for (const no of ['', '.', '..', '-x', 'a b', 'a:b', 'a/b', '0123456789abcdef']) assert.ok(!isInterfaceName(no), no);
    for (const ok of ['::1', '2001:db8::53', 'fe80::1:2:3:4', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8']) assert.ok(isIpv6(ok), ok);
    for (const no of ['1::2::3', '12345::', '1:2:3:4:5:6:7', 'x::1', '192.0.2.1']) assert.ok(!isIpv6(no), no);
  });
});
