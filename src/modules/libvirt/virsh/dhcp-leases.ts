// `virsh net-dhcp-leases NETWORK` (cmdNetworkDHCPLeases in tools/virsh-network.c):
// a vshTable of one lease per row, sorted by MAC by virsh.
//
//  Expiry Time           MAC address         Protocol   IP address          Hostname   Client ID or DUID
// ---------------------------------------------------------------------------------------------------
//  2027-01-04 00:46:19   52:54:00:00:00:01   ipv4       192.168.251.11/24   one        01:52:54:00:00:00:01
//  2027-01-04 00:46:19   52:54:00:00:00:02   ipv4       192.168.251.23/24   -          -
//
// The expiry time is strftime("%Y-%m-%d %H:%M:%S") of localtime(): run virsh with
// TZ=UTC0 and it reads back as the epoch seconds libvirt holds. "-" is a field libvirt
// does not know. The lease's IAID (DHCPv6) is not printed.

import { VirshParseError, parseTable } from './parse.js';

export interface DhcpLease {
  /** Epoch seconds (0: the lease never expires). */
  expirytime: number;
  mac: string;
  /** libvirt's virIPAddrType: 0 IPv4, 1 IPv6. */
  type: 0 | 1;
  ipaddr: string;
  prefix: number;
  hostname: string | null;
  clientid: string | null;
}

const EXPIRY = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function epochOfUtc(s: string, output: string): number {
  const m = EXPIRY.exec(s);
  if (!m) throw new VirshParseError('net-dhcp-leases', `bad expiry time "${s}"`, output);
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se) / 1000;
}

const orNull = (s: string | undefined): string | null => (s === undefined || s === '' || s === '-' ? null : s);

/** `env TZ=UTC0 virsh net-dhcp-leases NETWORK`. */
export function parseDhcpLeases(text: string): DhcpLease[] {
  return parseTable(text).rows.map((r) => {
    const protocol = r['Protocol'] ?? '';
    if (protocol !== 'ipv4' && protocol !== 'ipv6') throw new VirshParseError('net-dhcp-leases', `unknown protocol "${protocol}"`, text);
    const address = /^(.+)\/(\d+)$/.exec(r['IP address'] ?? '');
    if (!address) throw new VirshParseError('net-dhcp-leases', `bad IP address "${r['IP address'] ?? ''}"`, text);
    return {
      expirytime: epochOfUtc(r['Expiry Time'] ?? '', text),
      mac: r['MAC address'] ?? '',
      type: protocol === 'ipv4' ? 0 : 1,
      ipaddr: address[1] ?? '',
      prefix: Number(address[2]),
      hostname: orNull(r['Hostname']),
      clientid: orNull(r['Client ID or DUID']),
    };
  });
}
