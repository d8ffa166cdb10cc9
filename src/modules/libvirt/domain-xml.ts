// Small string edits on libvirt XML (SPEC 6): carry an existing domain's (or
// network's) uuid and MACs into the wanted XML, so a re-define never changes a guest's
// identity, and a rough "would this change?" estimate for check mode. No XML library:
// libvirt writes its XML in one regular shape, and the wanted XML comes from our own
// templates, so a few anchored regular expressions are enough and keep the text as is.

export interface XmlIdentity {
  uuid: string | null;
  /** One entry per `<interface>` in document order; null when it has no `<mac>`. */
  macs: Array<string | null>;
}

const UUID_RE = /<uuid>\s*([^<]*?)\s*<\/uuid>/;
const INTERFACE_RE = /<interface\b[^>]*?(?:\/>|>[\s\S]*?<\/interface>)/g;
const MAC_RE = /<mac\s+address\s*=\s*(['"])([^'"]*)\1\s*\/>/;

export function xmlUuid(xml: string): string | null {
  return UUID_RE.exec(xml)?.[1] ?? null;
}

export function interfaceMacs(xml: string): Array<string | null> {
  return [...xml.matchAll(INTERFACE_RE)].map((m) => MAC_RE.exec(m[0])?.[2] ?? null);
}

export function domainIdentity(xml: string): XmlIdentity {
  return { uuid: xmlUuid(xml), macs: interfaceMacs(xml) };
}

/** Replace or insert `<uuid>` right after `<name>…</name>` (where libvirt puts it). */
export function withUuid(xml: string, uuid: string): string {
  if (UUID_RE.test(xml)) return xml.replace(UUID_RE, `<uuid>${uuid}</uuid>`);
  const name = /([ \t]*)<name>[\s\S]*?<\/name>/.exec(xml);
  if (!name) return xml;
  const at = name.index + name[0].length;
  return `${xml.slice(0, at)}\n${name[1] ?? ''}<uuid>${uuid}</uuid>${xml.slice(at)}`;
}

function withMac(block: string, mac: string): string {
  if (MAC_RE.test(block)) return block.replace(MAC_RE, (_m, q: string) => `<mac address=${q}${mac}${q}/>`);
  if (block.endsWith('/>')) return `${block.slice(0, -2).trimEnd()}>\n<mac address='${mac}'/>\n</interface>`;
  const open = /^<interface\b[^>]*>/.exec(block)?.[0] ?? '';
  // Indent like the next line of the block, so the XML stays readable in diffs.
  const indent = /\n([ \t]*)\S/.exec(block.slice(open.length))?.[1] ?? '';
  return `${open}\n${indent}<mac address='${mac}'/>${block.slice(open.length)}`;
}

/**
 * The wanted XML with the existing uuid and, interface by interface in order, the
 * existing MACs: libvirt generates both when absent, and a define with another
 * uuid is refused ("already defined with uuid") while a new MAC changes the guest's
 * network identity.
 */
export function carryIdentity(wanted: string, existing: XmlIdentity): string {
  let out = existing.uuid ? withUuid(wanted, existing.uuid) : wanted;
  let i = 0;
  out = out.replace(INTERFACE_RE, (block) => {
    const mac = existing.macs[i++];
    return mac ? withMac(block, mac) : block;
  });
  return out;
}

// Networks: a top-level `<mac address='…'/>` (the bridge's), not inside `<ip>`/`<host>`.
const NET_MAC_RE = /(<network\b[\s\S]*?)(<mac\s+address\s*=\s*(['"])([^'"]*)\3\s*\/>)/;

export function networkIdentity(xml: string): { uuid: string | null; mac: string | null } {
  return { uuid: xmlUuid(xml), mac: NET_MAC_RE.exec(xml)?.[4] ?? null };
}

export function carryNetworkIdentity(wanted: string, existing: { uuid: string | null; mac: string | null }): string {
  let out = existing.uuid ? withUuid(wanted, existing.uuid) : wanted;
  if (existing.mac) {
    const mac = existing.mac;
    if (NET_MAC_RE.test(out)) out = out.replace(NET_MAC_RE, (_m, head: string, _t: string, q: string) => `${head}<mac address=${q}${mac}${q}/>`);
    else out = out.replace(/([ \t]*)(<bridge\b[^>]*\/>)/, (_m, ind: string, br: string) => `${ind}${br}\n${ind}<mac address='${mac}'/>`);
  }
  return out;
}

// ------------------------------------------------------------ check-mode estimate

interface Element {
  path: string;
  attrs: Map<string, string>;
  text: string;
}

const TOKEN_RE = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:'[^']*'|"[^"]*"))*)\s*(\/?)>|([^<]+)/g;
const ATTR_RE = /([\w:.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g;

function elements(xml: string): Element[] {
  const out: Element[] = [];
  const stack: Element[] = [];
  for (const m of xml.matchAll(TOKEN_RE)) {
    const [, close, tag, attrText, selfClose, text] = m;
    if (text !== undefined) {
      const top = stack[stack.length - 1];
      if (top) top.text += text.trim();
      continue;
    }
    if (tag === undefined) continue;
    if (close) { stack.pop(); continue; }
    const attrs = new Map<string, string>();
    for (const a of (attrText ?? '').matchAll(ATTR_RE)) attrs.set(a[1] ?? '', a[2] ?? a[3] ?? '');
    const el: Element = { path: [...stack.map((e) => e.path.split('/').pop()), tag].join('/'), attrs, text: '' };
    out.push(el);
    if (!selfClose) stack.push(el);
  }
  return out;
}

/**
 * Check mode cannot define, and live libvirt XML always has more than a template
 * (PCI addresses, controllers, machine type): so the estimate is "every wanted
 * element exists in the current XML at the same path, with at least its attributes
 * and the same text". Returns the wanted elements that have no match.
 */
export function missingElements(wanted: string, current: string): string[] {
  const cur = elements(current);
  const missing: string[] = [];
  for (const w of elements(wanted)) {
    const found = cur.some((c) => c.path === w.path && (w.text === '' || c.text === w.text)
      && [...w.attrs].every(([k, v]) => c.attrs.get(k) === v));
    if (!found) missing.push(`${w.path}${[...w.attrs].map(([k, v]) => ` ${k}='${v}'`).join('')}${w.text ? ` = ${w.text}` : ''}`);
  }
  return missing;
}
