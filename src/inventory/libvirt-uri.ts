// libvirt connection URIs as the libvirt inventory reads them
// (https://libvirt.org/uri.html, https://libvirt.org/remote.html):
// `qemu+ssh://[user@]host[:port]/system[?keyfile=…&known_hosts=…]` names a hypervisor
// kvmplay reaches over SSH; `qemu:///system` is the control machine's own libvirt.
// Other drivers and transports (tcp, tls, lxc, xen) are refused: kvmplay reaches the
// guests over SSH through their hypervisor, so it needs an SSH-reachable one.

export class LibvirtUriError extends Error {}

export interface LibvirtUri {
  /** As written in the inventory source. */
  text: string;
  /** The hypervisor's host, or undefined for the control machine's own libvirt. */
  host?: string;
  port?: number;
  user?: string;
  /** The URI virsh opens on the hypervisor itself: `qemu:///system` or `qemu:///session`. */
  localUri: string;
  /** libvirt's `keyfile` parameter: the SSH identity file. */
  keyfile?: string;
  /** libvirt's `known_hosts` parameter: the known_hosts file to check the hypervisor's key in. */
  knownHosts?: string;
  /** Parameters kvmplay does not apply (netcat, socket, no_tty, …), for a warning. */
  ignored: string[];
}

const SSH_TRANSPORTS = new Set(['ssh', 'libssh', 'libssh2']);
const LOCAL_TRANSPORTS = new Set(['', 'unix']);
const PATHS = new Set(['/system', '/session']);

export function parseLibvirtUri(text: string): LibvirtUri {
  const scheme = /^([a-z][a-z0-9]*)(?:\+([a-z0-9]+))?:\/\//i.exec(text);
  if (!scheme) throw new LibvirtUriError(`"${text}" is not a libvirt URI (driver[+transport]://[user@]host[:port]/path)`);
  const driver = scheme[1]!.toLowerCase();
  const transport = (scheme[2] ?? '').toLowerCase();
  if (driver !== 'qemu') throw new LibvirtUriError(`"${text}": kvmplay reads qemu hypervisors only (qemu+ssh://HOST/system), not the ${driver} driver`);
  const ssh = SSH_TRANSPORTS.has(transport);
  if (!ssh && !LOCAL_TRANSPORTS.has(transport)) {
    throw new LibvirtUriError(`"${text}": kvmplay reaches hypervisors over SSH (qemu+ssh://HOST/system), not over ${transport}`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch (e) {
    throw new LibvirtUriError(`"${text}" is not a valid URI`, { cause: e });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (ssh && !host) throw new LibvirtUriError(`"${text}" names no host: qemu+ssh://[user@]HOST[:port]/system`);
  if (!ssh && host) throw new LibvirtUriError(`"${text}" names a host without a transport: write qemu+ssh://${url.host}${url.pathname}`);
  const params = new Map(url.searchParams);
  const named = params.get('name');
  const localUri = named ?? `qemu://${url.pathname}`;
  if (named === undefined && !PATHS.has(url.pathname)) {
    throw new LibvirtUriError(`"${text}": the path must be /system or /session, not "${url.pathname || '(none)'}"`);
  }
  const out: LibvirtUri = { text, localUri, ignored: [...params.keys()].filter((k) => !['name', 'keyfile', 'known_hosts'].includes(k)) };
  if (host) out.host = host;
  if (url.port) out.port = Number(url.port);
  if (url.username) out.user = decodeURIComponent(url.username);
  const keyfile = params.get('keyfile');
  if (keyfile) out.keyfile = keyfile;
  const knownHosts = params.get('known_hosts');
  if (knownHosts) out.knownHosts = knownHosts;
  return out;
}
