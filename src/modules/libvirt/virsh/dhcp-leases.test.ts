import assert from 'node:assert/strict';
import { VirshParseError, parseDhcpLeases } from './index.js';

// Recorded from libvirt 9.0.0 with TZ=UTC0: two IPv4 leases (one without hostname
// and client id) and one DHCPv6 lease with its DUID.
const LEASES = ' Expiry Time           MAC address         Protocol   IP address          Hostname   Client ID or DUID\n'
  + '--------------------------------------------------------------------------------------------------------------------------------------------\n'
  + ' 2027-01-04 00:46:19   52:54:00:00:00:01   ipv4       192.168.251.11/24   one        01:52:54:00:00:00:01\n'
  + ' 2027-01-04 00:46:19   52:54:00:00:00:01   ipv6       fd00:251::2f/64     one        00:04:1a:29:d4:6b:3b:8f:4e:bd:9c:4c:e6:0a:d8:31:e6:5a\n'
  + ' 2027-01-04 00:46:19   52:54:00:00:00:02   ipv4       192.168.251.23/24   -          -\n'
  + '\n';
const NONE = ' Expiry Time   MAC address   Protocol   IP address   Hostname   Client ID or DUID\n'
  + '-----------------------------------------------------------------------------------\n\n';

describe('virsh net-dhcp-leases parsing', () => {
  it('reads leases with libvirt\'s field names and types (expiry in epoch seconds)', () => {
    assert.deepEqual(parseDhcpLeases(LEASES), [
      { expirytime: 1799023579, mac: '52:54:00:00:00:01', type: 0, ipaddr: '192.168.251.11', prefix: 24, hostname: 'one', clientid: '01:52:54:00:00:00:01' },
      { expirytime: 1799023579, mac: '52:54:00:00:00:01', type: 1, ipaddr: 'fd00:251::2f', prefix: 64, hostname: 'one', clientid: '00:04:1a:29:d4:6b:3b:8f:4e:bd:9c:4c:e6:0a:d8:31:e6:5a' },
      { expirytime: 1799023579, mac: '52:54:00:00:00:02', type: 0, ipaddr: '192.168.251.23', prefix: 24, hostname: null, clientid: null },
    ]);
  });

  it('reads a network without leases (an inactive one too) as none', () => {
    assert.deepEqual(parseDhcpLeases(NONE), []);
  });

  it('refuses rows it cannot read', () => {
    assert.throws(() => parseDhcpLeases(LEASES.replace(' ipv6 ', ' ipx6 ')), VirshParseError);
    assert.throws(() => parseDhcpLeases(LEASES.replace('192.168.251.23/24', '192.168.251.23   ')), VirshParseError);
    assert.throws(() => parseDhcpLeases(LEASES.replace('2027-01-04 00:46:19   52:54:00:00:00:02', 'Mon Jan  4 00:46   52:54:00:00:00:02')), VirshParseError);
  });
});
