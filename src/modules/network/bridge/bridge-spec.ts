// The `bridge` module's arguments (SPEC 6, 10): one bridge per task, validated before
// anything runs. Interface names, addresses, prefixes and DNS servers are checked
// here, so no value that reaches a template, a shell script or an `ip` argv can carry
// a newline, a quote or an option-looking word.
import { z } from 'zod';
import { boolish } from '../../args.js';

export const BRIDGE_FORMATS = ['ifcfg', 'ifupdown', 'nm-keyfile'] as const;
export type BridgeFormat = (typeof BRIDGE_FORMATS)[number];

// The kernel's rule (dev_valid_name) is looser: at most 15 bytes, no '/', ':' or
// whitespace. Names are also written into ifcfg file names, ifupdown stanzas and
// `ip` argv, so only the characters real interface names use are accepted.
const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

export function isInterfaceName(name: string): boolean {
  return IFNAME.test(name) && name !== '.' && name !== '..';
}

const ifname = z.string().refine(isInterfaceName, {
  message: 'must be an interface name: 1-15 of A-Z a-z 0-9 _ . - (not starting with . or -)',
});

/** A dotted-quad IPv4 address as a 32-bit number, or null. No leading zeros (010 is octal to some tools). */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The netmask of a prefix length: 24 → 255.255.255.0. */
export function netmaskOf(prefix: number): string {
  return formatIpv4(prefix === 0 ? 0 : (2 ** 32 - 2 ** (32 - prefix)));
}

function networkOf(addr: number, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(addr / size) * size;
}

/** A loose but safe IPv6 check (hex groups, one `::`, optional dotted tail); for DNS servers only. */
export function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return false;
  const doubles = text.split('::').length - 1;
  if (doubles > 1) return false;
  let groups = text.split(':').filter((g) => g !== '');
  const last = groups[groups.length - 1] ?? '';
  if (last.includes('.')) {
    if (parseIpv4(last) === null) return false;
    groups = [...groups.slice(0, -1), '0', '0'];
  }
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return doubles === 1 ? groups.length < 8 : groups.length === 8;
}

export interface Cidr {
  address: string;
  prefix: number;
  netmask: string;
  network: string;
}

/** Why an IPv4 host address in CIDR form is not usable on an interface, or null when it is. */
export function cidrProblem(text: string): string | null {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  if (!m) return parseIpv4(text) !== null ? `${text} has no prefix: write it as ${text}/24 (or the right prefix)` : `${JSON.stringify(text)} is not an IPv4 address with a prefix (a.b.c.d/nn)`;
  const addr = parseIpv4(m[1] ?? '');
  const prefix = Number(m[2]);
  if (addr === null) return `${m[1]} is not an IPv4 address`;
  if (!(prefix >= 1 && prefix <= 32) || !/^(0|[1-9][0-9]?)$/.test(m[2] ?? '')) return `prefix /${m[2]} is not between 1 and 32`;
  const first = Math.floor(addr / 2 ** 24);
  if (first === 0 || first === 127 || first >= 224) return `${m[1]} is not a unicast host address`;
  if (prefix <= 30) {
    const net = networkOf(addr, prefix);
    if (addr === net) return `${m[1]} is the network address of ${formatIpv4(net)}/${prefix}, not a host address`;
    if (addr === net + 2 ** (32 - prefix) - 1) return `${m[1]} is the broadcast address of ${formatIpv4(net)}/${prefix}, not a host address`;
  }
  return null;
}

export function parseCidr(text: string): Cidr {
  const problem = cidrProblem(text);
  if (problem !== null) throw new Error(problem);
  const [address = '', p = ''] = text.split('/');
  const prefix = Number(p);
  return { address, prefix, netmask: netmaskOf(prefix), network: formatIpv4(networkOf(parseIpv4(address) ?? 0, prefix)) };
}

/** Whether an IPv4 address lies inside a CIDR's subnet. */
export function inSubnet(address: string, cidr: Cidr): boolean {
  const a = parseIpv4(address);
  return a !== null && networkOf(a, cidr.prefix) === parseIpv4(cidr.network);
}

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]) as Array<z.output<T>>);

const ipv4 = z.string().refine((s) => parseIpv4(s) !== null, { message: 'must be an IPv4 address (a.b.c.d)' });
const dnsServer = z.string().refine((s) => parseIpv4(s) !== null || isIpv6(s), { message: 'must be an IPv4 or IPv6 address' });

// The kernel refuses a forward delay outside 2-30 s while STP runs (BR_MIN/MAX_FORWARD_DELAY).
const MAX_DELAY_S = 30;

export const BridgeArgs = z
  .object({
    name: ifname,
    ports: oneOrMany(ifname).default([]),
    /** IPv4 address with its prefix: `192.0.2.11/24`. */
    address: z.string().optional(),
    dhcp: boolish.default(false),
    gateway: ipv4.optional(),
    dns: oneOrMany(dnsServer).default([]),
    stp: boolish.default(false),
    /** Forward delay in seconds (ifcfg DELAY, ifupdown bridge_fd). */
    delay: z.coerce.number().int().min(0).max(MAX_DELAY_S).default(0),
    format: z.enum(BRIDGE_FORMATS).optional(),
    /** Seconds after which the host restores its previous network unless kvmplay disarms it. */
    rollback_timeout: z.coerce.number().int().min(5).max(3600).default(30),
  })
  .strict()
  .superRefine((a, ctx) => {
    const issue = (message: string, path: string): void => ctx.addIssue({ code: 'custom', message, path: [path] });
    if (a.address !== undefined) {
      const problem = cidrProblem(a.address);
      if (problem !== null) issue(problem, 'address');
    }
    if (a.address !== undefined && a.dhcp) issue('give address or dhcp, not both', 'dhcp');
    if (a.gateway !== undefined) {
      if (a.address === undefined || cidrProblem(a.address) !== null) issue('a gateway needs a static address (with dhcp the lease gives the gateway)', 'gateway');
      else {
        const cidr = parseCidr(a.address);
        if (!inSubnet(a.gateway, cidr)) issue(`gateway ${a.gateway} is not in ${cidr.network}/${cidr.prefix}: the host could not reach it`, 'gateway');
        else if (a.gateway === cidr.address) issue(`gateway ${a.gateway} is the bridge's own address`, 'gateway');
      }
    }
    if (a.ports.includes(a.name)) issue(`${a.name} cannot be a port of itself`, 'ports');
    if (new Set(a.ports).size !== a.ports.length) issue('a port is listed twice', 'ports');
    if (a.stp && a.delay < 2) issue('with stp on the kernel needs a delay of 2 to 30 seconds', 'delay');
  });
export type BridgeArgs = z.output<typeof BridgeArgs>;

/** How the bridge gets its address. */
export type AddressMode = { kind: 'static'; cidr: Cidr } | { kind: 'dhcp' } | { kind: 'none' };

export function addressMode(a: BridgeArgs): AddressMode {
  if (a.address !== undefined) return { kind: 'static', cidr: parseCidr(a.address) };
  return a.dhcp ? { kind: 'dhcp' } : { kind: 'none' };
}
