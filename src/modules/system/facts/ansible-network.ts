// Ansible's network facts on Linux (network/linux.py): interfaces from /sys/class/net in
// directory order, their addresses from `ip addr show primary|secondary` (the probe
// runs each once for every device and the blocks are split here by device), and the
// default interfaces from `ip route get` to Google's public addresses (a route lookup
// in the kernel; nothing is sent). ethtool features are not gathered.
import type { AnsibleProbe } from './ansible-probe.js';

type Dict = Record<string, unknown>;

const INTERFACE_TYPE: Readonly<Record<string, string>> = { 1: 'ether', 32: 'infiniband', 512: 'ppp', 772: 'loopback', 65534: 'tunnel' };

const V4_TARGET = '8.8.8.8';
const V6_TARGET = '2404:6800:400a:800::1012';

interface SysDevice {
  name: string;
  /** attribute → value, or null when it exists but could not be read. */
  attrs: Map<string, string | null>;
  brif: string[];
}

function sysDevices(text: string): SysDevice[] {
  const out: SysDevice[] = [];
  let cur: SysDevice | undefined;
  for (const line of text.split('\n')) {
    let m = /^@@dev (.+)$/.exec(line);
    if (m) {
      cur = { name: m[1]!, attrs: new Map(), brif: [] };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    if ((m = /^@@attr ([^=]+)=(.*)$/.exec(line))) cur.attrs.set(m[1]!, m[2]!);
    else if ((m = /^@@attr ([^=]+)$/.exec(line))) cur.attrs.set(m[1]!, null);
    else if ((m = /^@@brif (.+)$/.exec(line))) cur.brif.push(m[1]!);
  }
  return out;
}

/** `ip addr show` output → device name → its block of lines (the header line included). */
function ipBlocks(text: string, names: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of text.split('\n')) {
    const m = /^\d+: (.*)$/.exec(line);
    if (m) {
      // `em1@if443:` in a namespace: the device is the name before `@` or `:`.
      const name = names.find((n) => m[1]!.startsWith(`${n}:`) || m[1]!.startsWith(`${n}@`));
      cur = name === undefined ? undefined : [];
      if (name !== undefined) out.set(name, cur!);
    }
    cur?.push(line);
  }
  return out;
}

/** `ip -4|-6 route get TARGET`'s first line: interface, address (src), gateway (via). */
function defaultInterface(text: string, target: string): Dict {
  const out: Dict = {};
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return out;
  const words = first.trim().split(/\s+/);
  if (words[0] !== target) return out;
  for (let i = 0; i < words.length - 1; i++) {
    if (words[i] === 'dev') out['interface'] = words[i + 1];
    else if (words[i] === 'src') out['address'] = words[i + 1];
    else if (words[i] === 'via' && words[i + 1] !== target) out['gateway'] = words[i + 1];
  }
  return out;
}

const ipv4ToInt = (a: string): number => a.split('.').reduce((n, o) => n * 256 + (Number(o) & 255), 0) >>> 0;
const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** Ansible's `interfaces`, one dict per interface, default_ipv4/6, all_ipv4/6_addresses. */
export function networkFacts(p: AnsibleProbe): Dict {
  if (!p.bins.has('ip')) return {};
  const defaultV4 = defaultInterface(p.section('route-v4'), V4_TARGET);
  const defaultV6 = defaultInterface(p.section('route-v6'), V6_TARGET);
  const devices = sysDevices(p.section('net'));
  const names = devices.map((d) => d.name);
  const primaryText = p.section('ip-primary');
  const primary = ipBlocks(primaryText.replace(/^(?:[^]*\n)?@@noprimary\n/, ''), names);
  const secondaryText = p.section('ip-secondary');
  const secondary = /^@@failed$/m.test(secondaryText) ? new Map<string, string[]>() : ipBlocks(secondaryText, names);
  const interfaces = new Map<string, Dict>();
  const all4: string[] = [];
  const all6: string[] = [];
  // Ansible reads `macaddress` once per device and its default_ipv4/6 take that value.
  let macaddress = '';

  for (const dev of devices) {
    const device = dev.name;
    const a = dev.attrs;
    const iface: Dict = { device };
    interfaces.set(device, iface);
    const text = (k: string): string | undefined => {
      const v = a.get(k);
      return v === null || v === undefined ? undefined : v.trim() || undefined;
    };
    if (a.has('address')) {
      macaddress = text('address') ?? '';
      if (macaddress && macaddress !== '00:00:00:00:00:00') iface['macaddress'] = macaddress;
    }
    if (a.has('mtu')) iface['mtu'] = parseInt(text('mtu') ?? '', 10);
    if (a.has('operstate')) iface['active'] = text('operstate') !== 'down';
    if (a.has('module')) iface['module'] = (a.get('module') ?? '').split('/').pop();
    if (a.has('type')) iface['type'] = INTERFACE_TYPE[text('type') ?? ''] ?? 'unknown';
    if (a.has('bridge')) {
      iface['type'] = 'bridge';
      iface['interfaces'] = [...dev.brif];
      if (a.has('bridge/bridge_id')) iface['id'] = text('bridge/bridge_id') ?? '';
      if (a.has('bridge/stp_state')) iface['stp'] = text('bridge/stp_state') === '1';
    }
    if (a.has('bonding')) {
      iface['type'] = 'bonding';
      iface['slaves'] = (text('bonding/slaves') ?? '').split(/\s+/).filter(Boolean);
      for (const k of ['mode', 'miimon', 'lacp_rate']) iface[k] = (text(`bonding/${k}`) ?? '').split(/\s+/)[0];
      const primaryPort = text('bonding/primary');
      if (primaryPort) {
        iface['primary'] = primaryPort;
        if (a.has('bonding/all_slaves_active')) iface['all_slaves_active'] = text('bonding/all_slaves_active') === '1';
      }
    }
    if (a.has('bonding_slave')) iface['perm_macaddress'] = text('bonding_slave/perm_hwaddr') ?? '';
    if (a.has('device')) iface['pciid'] = (a.get('device') ?? '').split('/').pop();
    if (a.has('speed')) {
      const speed = text('speed');
      if (speed !== undefined) iface['speed'] = parseInt(speed, 10);
    }
    if (a.has('flags')) iface['promisc'] = (parseInt(text('flags') ?? '0', 16) & 0x0100) > 0;

    const parse = (lines: readonly string[], isSecondary: boolean): void => {
      for (const line of lines) {
        if (!line) continue;
        const words = line.trim().split(/\s+/);
        if (words[0] === 'inet') {
          let address: string;
          let prefix: string;
          let broadcast = '';
          if (words[1]!.includes('/')) {
            [address, prefix] = words[1]!.split('/') as [string, string];
            if (words.length > 3 && words[2] === 'brd') broadcast = words[3]!;
          } else {
            address = words[1]!; // point-to-point interfaces have no prefix
            prefix = '32';
          }
          const bits = Number(prefix);
          const mask = bits <= 0 ? 0 : (0xffffffff << (32 - Math.min(bits, 32))) >>> 0;
          const netmask = intToIpv4(mask);
          const network = intToIpv4((ipv4ToInt(address) & mask) >>> 0);
          const label = words[words.length - 1]!;
          if (label !== device) interfaces.set(label, {});
          const entry = { address, broadcast, netmask, network, prefix };
          const target = interfaces.get(label)!;
          if (!isSecondary && !('ipv4' in target)) target['ipv4'] = entry;
          else ((target['ipv4_secondaries'] ??= []) as Dict[]).push({ ...entry });
          if (isSecondary) {
            const secs = (iface['ipv4_secondaries'] ??= []) as Dict[];
            if (label !== device) secs.push({ ...entry });
          }
          if ('address' in defaultV4 && defaultV4['address'] === address) {
            Object.assign(defaultV4, { broadcast, netmask, network, prefix, macaddress, mtu: iface['mtu'], type: iface['type'] ?? 'unknown', alias: label });
          }
          if (!address.startsWith('127.')) all4.push(address);
        } else if (words[0] === 'inet6') {
          let address: string;
          let prefix: string;
          let scope: string;
          if (words[2] === 'peer') {
            address = words[1]!;
            prefix = words[3]!.split('/')[1]!;
            scope = words[5]!;
          } else {
            [address, prefix] = words[1]!.split('/') as [string, string];
            scope = words[3]!;
          }
          ((iface['ipv6'] ??= []) as Dict[]).push({ address, prefix, scope });
          if ('address' in defaultV6 && defaultV6['address'] === address) {
            Object.assign(defaultV6, { prefix, scope, macaddress, mtu: iface['mtu'], type: iface['type'] ?? 'unknown' });
          }
          if (address !== '::1') all6.push(address);
        }
      }
    };
    parse(primary.get(device) ?? [], false);
    parse(secondary.get(device) ?? [], true);
  }

  // ':' (alias labels) becomes '_'; a later entry with the same name replaces the earlier in place.
  const renamed = new Map<string, Dict>();
  for (const [name, v] of interfaces) renamed.set(name.replace(/:/g, '_'), v);
  const out: Dict = { interfaces: [...renamed.keys()] };
  for (const [name, v] of renamed) out[name] = v;
  Object.assign(out, { default_ipv4: defaultV4, default_ipv6: defaultV6, all_ipv4_addresses: all4, all_ipv6_addresses: all6 });
  return out;
}
