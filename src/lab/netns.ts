// The lab's network: two switch bridges on the control machine and, per host, a
// network namespace joined to them by veth pairs (em1 with the host's address,
// em2 without). No default route anywhere and the control machine's ip_forward
// is never touched, so lab traffic cannot leave the lab switch.
import { access, readFile, writeFile } from 'node:fs/promises';
import { LabError } from '../errors.js';
import {
  CONTROL_ADDRESS, LAB_SUBNET, LAB_SUBNET_LEN, SWITCH1, SWITCH2, hostMac, netnsName, outerLinks,
} from './paths.js';
import { run } from './run.js';

/** `ip -batch -`: one process for many commands. */
export async function ipBatch(lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await run('ip', ['-batch', '-'], { input: lines.join('\n') + '\n' });
}

export async function linkExists(name: string): Promise<boolean> {
  return access(`/sys/class/net/${name}`).then(() => true, () => false);
}

export async function netnsExists(name: string): Promise<boolean> {
  return access(`/run/netns/${name}`).then(() => true, () => false);
}

/**
 * The control side of the lab needs no IPv6: without it the control machine
 * sends nothing (router solicitations, MLD) onto the lab switches itself.
 */
async function disableIpv6(link: string): Promise<void> {
  await writeFile(`/proc/sys/net/ipv6/conf/${link}/disable_ipv6`, '1').catch(() => undefined);
}

/** A route naming an address in 10.213.0.0/22 (10.213.0.x … 10.213.3.x). */
const LAB_SUBNET_ROUTE = /(^|[^\d.])10\.213\.[0-3]\./;

/** Refuse to add the lab subnet where the control machine already uses it. */
export async function checkSubnetFree(): Promise<void> {
  const routes = (await run('ip', ['-4', '-o', 'route', 'show', 'table', 'all'])).stdout;
  const clash = routes.split('\n').find((r) => LAB_SUBNET_ROUTE.test(r) && !r.includes(`dev ${SWITCH1} `));
  if (clash) throw new LabError(`the lab subnet ${LAB_SUBNET} is already in use on this machine: ${clash.trim()}`);
}

export async function createSwitch(name: string): Promise<void> {
  if (await linkExists(name)) {
    throw new LabError(`${name} exists but this lab did not create it (another lab directory, or a crashed lab without state): remove it with \`ip link del ${name}\``);
  }
  if (name === SWITCH1) await checkSubnetFree();
  // STP stays off (the default): ports forward at once instead of after 30 s of listening.
  await ipBatch([`link add ${name} type bridge`]);
  await disableIpv6(name);
  await ipBatch([...(name === SWITCH1 ? [`addr add ${CONTROL_ADDRESS}/${LAB_SUBNET_LEN} dev ${name}`] : []), `link set ${name} up`]);
}

/**
 * A switch made by an older lab carries 10.213.0.1/24, which does not reach
 * hosts beyond the first 240: give it the /22 too (both go with the switch).
 */
export async function ensureControlAddress(): Promise<void> {
  const addrs = (await run('ip', ['-4', '-o', 'addr', 'show', 'dev', SWITCH1])).stdout;
  if (!addrs.includes(` ${CONTROL_ADDRESS}/${LAB_SUBNET_LEN} `)) await ipBatch([`addr add ${CONTROL_ADDRESS}/${LAB_SUBNET_LEN} dev ${SWITCH1}`]);
}

export async function deleteLink(name: string): Promise<void> {
  if (await linkExists(name)) await run('ip', ['link', 'del', name], { allowFail: true });
  if (await linkExists(name)) throw new LabError(`cannot delete link ${name}`);
}

/** `ip -batch` lines creating a host's namespace and links, on the control side. */
export function hostNetworkLines(index: number): string[] {
  const ns = netnsName(index);
  const [o1, o2] = outerLinks(index);
  return [
    `netns add ${ns}`,
    // The inner ends are made directly inside the namespace under their final names.
    `link add ${o1} type veth peer name em1 address ${hostMac(index, 1)} netns ${ns}`,
    `link add ${o2} type veth peer name em2 address ${hostMac(index, 2)} netns ${ns}`,
    `link set ${o1} master ${SWITCH1} up`,
    `link set ${o2} master ${SWITCH2} up`,
  ];
}

/**
 * Namespaces and links of many hosts in one `ip` process: spawning is the
 * costly part of starting many hosts. Addresses are set by each host's
 * launcher from inside its namespace.
 */
export async function createHostNetworks(indices: readonly number[]): Promise<void> {
  for (const i of indices) {
    const ns = netnsName(i);
    if (await netnsExists(ns)) throw new LabError(`network namespace ${ns} exists but is not part of this lab: remove it with \`ip netns del ${ns}\``);
  }
  await ipBatch(indices.flatMap(hostNetworkLines));
  await Promise.all(indices.flatMap(outerLinks).map(disableIpv6));
}

/**
 * Remove hosts' namespaces and veth pairs. Deleting the namespace names
 * first lets the kernel end each (now empty) namespace and the veth ends in
 * it, in batches, which is much faster than deleting pairs one by one; pairs
 * still there after a while (a namespace kept alive by a process that
 * entered it) are deleted directly. One `ip` each time; `-force` goes on past
 * a failing line, and what is left at the end is reported.
 */
export async function removeHostNetworks(hosts: readonly { links: readonly string[]; netns: string }[]): Promise<void> {
  const existing = async (pick: (h: { links: readonly string[]; netns: string }) => Promise<string[]>) =>
    (await Promise.all(hosts.map(pick))).flat();
  const namespaces = await existing(async (h) => (await netnsExists(h.netns) ? [h.netns] : []));
  const links = () => existing(async (h) => (await Promise.all(h.links.map(async (l) => ((await linkExists(l)) ? [l] : [])))).flat());
  if (namespaces.length) await run('ip', ['-force', '-batch', '-'], { input: namespaces.map((n) => `netns del ${n}\n`).join(''), allowFail: true });
  let left = await links();
  for (let waited = 0; left.length && waited < 3000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    left = await links();
  }
  if (left.length) await run('ip', ['-force', '-batch', '-'], { input: left.map((l) => `link del ${l}\n`).join(''), allowFail: true });
  const remaining = [...(await links()).map((l) => `link ${l}`),
    ...(await existing(async (h) => (await netnsExists(h.netns) ? [`netns ${h.netns}`] : [])))];
  if (remaining.length) throw new LabError(`could not remove ${remaining.join(', ')}`);
}

/** ip_forward must stay 0 on the control machine: the lab relies on it. */
export async function ipForwardIsOff(): Promise<boolean> {
  return (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8').catch(() => '0')).trim() === '0';
}
