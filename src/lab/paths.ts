// Names, addresses and directories of the lab (SPEC 9). Pure: everything a host
// is called or where it lives follows from its index and two directories.
import path from 'node:path';
import { LabError } from '../errors.js';

/** Default cache of the root filesystem and package repository (kept by `lab down`). */
export const DEFAULT_CACHE_DIR = '/var/cache/kvmplay';
/** Default lab state directory (keys, inventory, per-host layers). */
export const DEFAULT_LAB_DIR = '/var/lib/kvmplay/lab';

/** The lab switch carrying em1 and SSH, and the second one (em2, no addresses). */
export const SWITCH1 = 'kvpsw1';
export const SWITCH2 = 'kvpsw2';
/**
 * Lab addresses, all inside 10.213.0.0/22 (never the control's 192.0.2.0/24).
 * Hosts 1-240 keep the first lab's scheme: 10.213.0.(10+i)/24, which tests and
 * inventories rely on. Hosts 241-1000 fill 10.213.1-3.x from .1 to .254 (a
 * host never takes the .0 or .255 of a /24) with a /22 prefix, so they reach
 * the control side at 10.213.0.1 on-link. The control side carries
 * 10.213.0.1/22 and so reaches every host; 1,000 hosts are 1,000 ports per
 * switch, under a Linux bridge's limit of 1,023.
 */
export const LAB_PREFIX = '10.213.0';
export const LAB_SUBNET = '10.213.0.0/22';
/** The first hosts' prefix length (and the first /24 of the subnet). */
export const LAB_PREFIX_LEN = 24;
/** The control side's and the later hosts' prefix length: the whole lab subnet. */
export const LAB_SUBNET_LEN = 22;
export const CONTROL_ADDRESS = `${LAB_PREFIX}.1`;
/** Hosts on the first scheme: .11 … .250 of 10.213.0.0/24. */
export const FIRST_SCHEME_HOSTS = 240;
/** Usable host addresses per later /24: .1 … .254. */
const PER_LATER_24 = 254;
export const MAX_HOSTS = 1000;

/** Where the local package repository appears inside regular hosts. */
export const REPO_MOUNT = '/var/lib/kvmplay-repo';

export interface LabDirs {
  cacheDir: string;
  labDir: string;
}

/**
 * The lab's directories from the environment. Overlay options separate layers
 * with ':' and options with ',', so paths containing them cannot be mounted.
 */
export function labDirs(env: NodeJS.ProcessEnv = process.env): LabDirs {
  const cacheDir = path.resolve(env.KVMPLAY_CACHE_DIR || DEFAULT_CACHE_DIR);
  const labDir = path.resolve(env.KVMPLAY_LAB_DIR || DEFAULT_LAB_DIR);
  for (const [name, dir] of [['KVMPLAY_CACHE_DIR', cacheDir], ['KVMPLAY_LAB_DIR', labDir]] as const) {
    if (/[:,\s\\]/.test(dir)) {
      throw new LabError(`${name}=${dir}: the lab's directories must not contain ':', ',', '\\' or spaces (overlay mount options)`);
    }
  }
  if (labDir === cacheDir || labDir.startsWith(cacheDir + path.sep) || cacheDir.startsWith(labDir + path.sep)) {
    throw new LabError(`the lab directory (${labDir}) and the cache (${cacheDir}) must not contain each other`);
  }
  return { cacheDir, labDir };
}

/** lab01 … lab99, lab100 … lab1000: at least two digits, as in the issue. */
export function hostName(index: number): string {
  assertIndex(index);
  return `lab${String(index).padStart(2, '0')}`;
}

export function hostIndex(name: string): number | null {
  const m = /^lab(\d{2,4})$/.exec(name);
  if (!m) return null;
  const i = Number(m[1]);
  return i >= 1 && i <= MAX_HOSTS && hostName(i) === name ? i : null;
}

export function hostAddress(index: number): string {
  assertIndex(index);
  if (index <= FIRST_SCHEME_HOSTS) return `${LAB_PREFIX}.${10 + index}`;
  const later = index - FIRST_SCHEME_HOSTS - 1;
  return `10.213.${1 + Math.floor(later / PER_LATER_24)}.${1 + (later % PER_LATER_24)}`;
}

/** The prefix length of a host's em1 address: /24 for the first hosts (unchanged), /22 after. */
export function hostPrefixLen(index: number): number {
  assertIndex(index);
  return index <= FIRST_SCHEME_HOSTS ? LAB_PREFIX_LEN : LAB_SUBNET_LEN;
}

/** `10.213.0.11/24`, `10.213.1.1/22`. */
export function hostCidr(index: number): string {
  return `${hostAddress(index)}/${hostPrefixLen(index)}`;
}

export function netnsName(index: number): string {
  return `kvp-${hostName(index)}`;
}

/** Control-side ends of the host's veth pairs (≤ 15 characters, the kernel's limit). */
export function outerLinks(index: number): [string, string] {
  const name = hostName(index);
  return [`kvp1-${name}`, `kvp2-${name}`];
}

/**
 * Stable, locally administered MACs for em1/em2 so a rebuilt lab is identical
 * (a bridge made over em1 inside a host takes em1's MAC).
 */
export function hostMac(index: number, port: 1 | 2): string {
  assertIndex(index);
  const hex = index.toString(16).padStart(4, '0');
  return `02:6b:76:0${port}:${hex.slice(0, 2)}:${hex.slice(2)}`;
}

export interface LabFiles {
  state: string;
  lock: string;
  inventory: string;
  knownHosts: string;
  launcher: string;
  /** Fixed /dev and /run contents copied into every host at start. */
  skeleton: string;
  privateKey: string;
  publicKey: string;
  becomePassword: string;
  hostKeysDir: string;
  hostsDir: string;
}

export function labFiles(labDir: string): LabFiles {
  return {
    state: path.join(labDir, 'state.json'),
    lock: path.join(labDir, '.lock'),
    inventory: path.join(labDir, 'inventory.yaml'),
    knownHosts: path.join(labDir, 'known_hosts'),
    launcher: path.join(labDir, 'launch-host.sh'),
    skeleton: path.join(labDir, 'skeleton'),
    privateKey: path.join(labDir, 'id_ed25519'),
    publicKey: path.join(labDir, 'id_ed25519.pub'),
    becomePassword: path.join(labDir, 'become-password'),
    hostKeysDir: path.join(labDir, 'hostkeys'),
    hostsDir: path.join(labDir, 'hosts'),
  };
}

/** A host's runtime directory: overlay upper/work (regular) or layer (light), mountpoint, console log. */
export function hostDir(labDir: string, name: string): string {
  return path.join(labFiles(labDir).hostsDir, name);
}

/** A host's sshd keys, kept across `lab down` so known_hosts stays valid. */
export function hostKeyDir(labDir: string, name: string): string {
  return path.join(labFiles(labDir).hostKeysDir, name);
}

function assertIndex(index: number): void {
  if (!Number.isInteger(index) || index < 1 || index > MAX_HOSTS) {
    throw new LabError(`lab host index ${index} is outside 1…${MAX_HOSTS}`);
  }
}
