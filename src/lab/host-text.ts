// Per-host configuration files as text. Pure, so they are table-tested.
import { LAB_PREFIX_LEN } from './paths.js';

export function hostsText(name: string, address: string): string {
  return [
    '127.0.0.1\tlocalhost',
    `${address}\t${name}`,
    '::1\t\tlocalhost ip6-localhost ip6-loopback',
    'ff02::1\t\tip6-allnodes',
    'ff02::2\t\tip6-allrouters',
    '',
  ].join('\n');
}

/**
 * ifupdown's view of the host, as on a real Debian hypervisor: em1 static with
 * the lab address (already configured by the lab, so nothing runs ifup), em2
 * unconfigured for a second bridge. No gateway: lab hosts have no default route.
 */
export function interfacesText(address: string, prefixLen: number = LAB_PREFIX_LEN): string {
  return [
    '# Written by kvmplay lab up. em1 carries the lab address; em2 is free for a second bridge.',
    'source /etc/network/interfaces.d/*',
    '',
    'auto lo',
    'iface lo inet loopback',
    '',
    'auto em1',
    'iface em1 inet static',
    `    address ${address}/${prefixLen}`,
    '',
    'iface em2 inet manual',
    '',
  ].join('\n');
}

export interface UserIds {
  uid: number;
  gid: number;
  home: string;
}

/** uid, gid and home of a user from /etc/passwd text. */
export function passwdEntry(passwd: string, user: string): UserIds | null {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === user && f.length >= 7) {
      const uid = Number(f[2]);
      const gid = Number(f[3]);
      if (Number.isInteger(uid) && Number.isInteger(gid) && f[5]) return { uid, gid, home: f[5] };
    }
  }
  return null;
}
