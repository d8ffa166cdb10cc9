// The `bridge` module's persistent files (SPEC 5, 6): which files a format uses, the
// variables its shipped templates get, and, for ifupdown, the stanzas elsewhere that
// would fight the new ones (they are commented out). Pure apart from reading the
// shipped templates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileTemplate, renderTemplate, type TemplateFormat } from '../../../template/index.js';
import { uuid } from '../../../template/helpers/uuid.js';
import { SHIPPED_TEMPLATES_DIR } from '../../../util/install-dir.js';
import { addressMode, type BridgeArgs, type BridgeFormat } from './bridge-spec.js';

export interface WantedFile {
  path: string;
  content: string;
  mode: number;
}

export const IFCFG_DIR = '/etc/sysconfig/network-scripts';
export const IFUPDOWN_MAIN = '/etc/network/interfaces';
export const IFUPDOWN_DIR = '/etc/network/interfaces.d';
export const NM_DIR = '/etc/NetworkManager/system-connections';

const SHIPPED = SHIPPED_TEMPLATES_DIR;

/** Render one of the shipped templates (templates/*.hbs) with the escaping of `format`. */
export function renderShipped(file: string, vars: Record<string, unknown>, format?: TemplateFormat, dir = SHIPPED): string {
  const name = `templates/${file}`;
  const template = compileTemplate(readFileSync(join(dir, file), 'utf8'), format ? { name, format } : { name });
  return renderTemplate(template, vars);
}

/** The ifupdown file for a bridge: `source-directory` only reads names of [A-Za-z0-9_-]. */
export function ifupdownPath(bridge: string): string {
  return `${IFUPDOWN_DIR}/${bridge.replace(/\./g, '_')}`;
}

export function nmBridgePath(bridge: string): string {
  return `${NM_DIR}/${bridge}.nmconnection`;
}

/** The bridge profile's uuid, as nm-bridge.nmconnection.hbs renders it (`uuid 'kvmplay-nm-bridge' name`). */
export function nmBridgeUuid(bridge: string): string {
  return uuid('kvmplay-nm-bridge', bridge);
}

export function nmPortPath(bridge: string, port: string): string {
  return `${NM_DIR}/${bridge}-port-${port}.nmconnection`;
}

/** Every file path a bridge may be written to, in any format: gathered in one probe. */
export function candidatePaths(a: BridgeArgs): string[] {
  return [
    `${IFCFG_DIR}/ifcfg-${a.name}`,
    ...a.ports.map((p) => `${IFCFG_DIR}/ifcfg-${p}`),
    ifupdownPath(a.name),
    nmBridgePath(a.name),
    ...a.ports.map((p) => nmPortPath(a.name, p)),
  ];
}

export function ifcfgBridgeVars(a: BridgeArgs): Record<string, unknown> {
  const mode = addressMode(a);
  return {
    bridge: {
      name: a.name,
      bootproto: mode.kind === 'dhcp' ? 'dhcp' : 'none',
      ...(mode.kind === 'static' ? { ipaddr: mode.cidr.address, prefix: mode.cidr.prefix, netmask: mode.cidr.netmask } : {}),
      ...(a.gateway !== undefined ? { gateway: a.gateway } : {}),
      dns: a.dns.map((address, i) => ({ key: `DNS${i + 1}`, address })),
      stp: a.stp ? 'on' : 'off',
      delay: a.delay,
    },
  };
}

export function ifupdownVars(a: BridgeArgs): Record<string, unknown> {
  const mode = addressMode(a);
  return {
    bridge: {
      name: a.name,
      ports: a.ports,
      ports_line: a.ports.length > 0 ? a.ports.join(' ') : 'none',
      method: mode.kind === 'static' ? 'static' : mode.kind === 'dhcp' ? 'dhcp' : 'manual',
      ...(mode.kind === 'static' ? { address: `${mode.cidr.address}/${mode.cidr.prefix}` } : {}),
      ...(a.gateway !== undefined ? { gateway: a.gateway } : {}),
      ...(a.dns.length > 0 ? { dns_line: a.dns.join(' ') } : {}),
      stp: a.stp ? 'on' : 'off',
      delay: a.delay,
    },
  };
}

export function nmBridgeVars(a: BridgeArgs): Record<string, unknown> {
  const mode = addressMode(a);
  const address = mode.kind === 'static' ? `${mode.cidr.address}/${mode.cidr.prefix}` : undefined;
  const dns4 = a.dns.filter((d) => !d.includes(':'));
  const dns6 = a.dns.filter((d) => d.includes(':'));
  return {
    bridge: {
      name: a.name,
      ipv4_method: mode.kind === 'static' ? 'manual' : mode.kind === 'dhcp' ? 'auto' : 'disabled',
      ...(address !== undefined ? { address1: a.gateway !== undefined ? `${address},${a.gateway}` : address } : {}),
      // NetworkManager takes IPv4 servers under [ipv4] and IPv6 ones under [ipv6].
      ...(dns4.length > 0 ? { dns_list: `${dns4.join(';')};` } : {}),
      ...(dns6.length > 0 ? { dns6_list: `${dns6.join(';')};` } : {}),
      stp: a.stp ? 'true' : 'false',
      delay: a.delay,
    },
  };
}

/** The files of `format` for this bridge, rendered from the shipped templates. */
export function renderBridgeFiles(a: BridgeArgs, format: BridgeFormat, dir = SHIPPED): WantedFile[] {
  switch (format) {
    case 'ifcfg':
      return [
        { path: `${IFCFG_DIR}/ifcfg-${a.name}`, content: renderShipped('ifcfg-bridge.hbs', ifcfgBridgeVars(a), undefined, dir), mode: 0o644 },
        ...a.ports.map((p) => ({ path: `${IFCFG_DIR}/ifcfg-${p}`, content: renderShipped('ifcfg-port.hbs', { port: { name: p, bridge: a.name } }, undefined, dir), mode: 0o644 })),
      ];
    case 'ifupdown':
      return [{ path: ifupdownPath(a.name), content: renderShipped('interfaces-bridge.hbs', ifupdownVars(a), undefined, dir), mode: 0o644 }];
    case 'nm-keyfile':
      // Keyfiles are line based like ifupdown: the same escaping refuses newlines.
      // NetworkManager ignores keyfiles that others can read: 0600.
      return [
        // Keyfiles are ini, not ifupdown: `text` (every value is a validated interface name or address).
        { path: nmBridgePath(a.name), content: renderShipped('nm-bridge.nmconnection.hbs', nmBridgeVars(a), 'text', dir), mode: 0o600 },
        ...a.ports.map((p) => ({ path: nmPortPath(a.name, p), content: renderShipped('nm-port.nmconnection.hbs', { port: { name: p, bridge: a.name } }, 'text', dir), mode: 0o600 })),
      ];
  }
}

const STANZA = /^\s*(iface|mapping|auto|allow-[A-Za-z0-9-]+|source|source-directory|rename|no-auto-down|no-scripts)(\s|$)/;

/** The prefix of a line kvmplay commented out, so a reader knows why and who. */
export function disabledMark(bridge: string): string {
  return `#kvmplay(${bridge})# `;
}

/**
 * ifupdown text with every stanza for `names` (the bridge and its ports) commented
 * out: `iface NAME …` with its option lines, and NAME taken out of `auto`/`allow-*`
 * lines. The bridge's own file then holds the only definitions: ifupdown would
 * otherwise configure em1's old address next to br0's.
 */
export function disableStanzas(text: string, names: ReadonlySet<string>, bridge: string): string {
  const mark = disabledMark(bridge);
  const out: string[] = [];
  let commenting = false;
  for (const line of text.split('\n')) {
    const m = STANZA.exec(line);
    if (m) {
      commenting = false;
      const words = line.trim().split(/\s+/);
      const keyword = m[1] ?? '';
      if (keyword === 'iface' && names.has(words[1] ?? '')) {
        commenting = true;
      } else if (keyword === 'auto' || keyword.startsWith('allow-')) {
        const kept = words.slice(1).filter((w) => !names.has(w));
        if (kept.length !== words.length - 1) {
          out.push(`${mark}${line}`);
          if (kept.length > 0) out.push(`${line.slice(0, line.length - line.trimStart().length)}${keyword} ${kept.join(' ')}`);
          continue;
        }
      }
    }
    out.push(commenting && line.trim() !== '' && !line.trimStart().startsWith('#') ? `${mark}${line}` : line);
  }
  return out.join('\n');
}
