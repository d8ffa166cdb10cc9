// Edits on libvirt XML (SPEC 6): carry an existing domain's (or network's) uuid and
// MACs into the wanted XML, so a re-define never changes a guest's identity, and a
// rough "would this change?" estimate for check mode. The XML is scanned into its
// real elements (comments, CDATA, processing instructions and the doctype skipped:
// a commented-out <uuid> or <interface> in a template is not one), and edits are
// made at those elements' offsets, so the rest of the text stays exactly as written.

/** A real element: where its tags sit in the text, its attributes and its own text. */
interface XmlElement {
  name: string;
  /** Names from the root, `/`-joined (`domain/devices/interface`). */
  path: string;
  /** Offsets: `<` of the open tag, after its `>`, `<` of the close tag, after its `>`. */
  start: number;
  openEnd: number;
  closeStart: number;
  end: number;
  attrs: Map<string, string>;
  /** Its text (CDATA included), each piece trimmed, comments left out. */
  text: string;
  children: XmlElement[];
}

const ATTR_RE = /([\w:.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g;
/** Markup that is not an element, and where each ends. */
const SKIPPED: Array<[open: string, close: string]> = [['<!--', '-->'], ['<![CDATA[', ']]>'], ['<?', '?>'], ['<!', '>']];

/** End (after `>`) of the tag opening at `i`, quotes respected; -1 if unterminated. */
function tagEnd(xml: string, i: number): number {
  let quote = '';
  for (let j = i + 1; j < xml.length; j++) {
    const ch = xml[j];
    if (quote) { if (ch === quote) quote = ''; } else if (ch === '"' || ch === "'") quote = ch; else if (ch === '>') return j + 1;
  }
  return -1;
}

/** Every real element in document order (the first is the root). */
function scan(xml: string): XmlElement[] {
  const all: XmlElement[] = [];
  const stack: XmlElement[] = [];
  const addText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top && t.trim()) top.text += t.trim();
  };
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) { addText(xml.slice(i)); break; }
    addText(xml.slice(i, lt));
    const skipped = SKIPPED.find(([open]) => xml.startsWith(open, lt));
    if (skipped) {
      const close = xml.indexOf(skipped[1], lt + skipped[0].length);
      if (close < 0) break;
      if (skipped[0] === '<![CDATA[') addText(xml.slice(lt + skipped[0].length, close));
      i = close + skipped[1].length;
      continue;
    }
    const end = tagEnd(xml, lt);
    if (end < 0) break;
    const tag = xml.slice(lt, end);
    i = end;
    if (tag.startsWith('</')) {
      const el = stack.pop();
      if (el) { el.closeStart = lt; el.end = end; }
      continue;
    }
    const name = /^<([\w:.-]+)/.exec(tag)?.[1] ?? '';
    const parent = stack[stack.length - 1];
    const attrs = new Map<string, string>();
    for (const a of tag.matchAll(ATTR_RE)) attrs.set(a[1] ?? '', a[2] ?? a[3] ?? '');
    const el: XmlElement = { name, path: parent ? `${parent.path}/${name}` : name, start: lt, openEnd: end, closeStart: end, end, attrs, text: '', children: [] };
    parent?.children.push(el);
    all.push(el);
    if (!tag.endsWith('/>')) stack.push(el);
  }
  return all;
}

const child = (el: XmlElement | undefined, name: string): XmlElement | undefined => el?.children.find((c) => c.name === name);

/** A replacement of the text between two offsets. */
interface Edit { from: number; to: number; text: string }

/** Apply edits (non-overlapping) from the end, so earlier offsets stay valid. */
function applyEdits(xml: string, edits: Edit[]): string {
  return [...edits].sort((a, b) => b.from - a.from).reduce((out, e) => out.slice(0, e.from) + e.text + out.slice(e.to), xml);
}

/** The whitespace before offset `at` on its line (its indentation), if only whitespace. */
function indentAt(xml: string, at: number): string {
  const line = xml.slice(xml.lastIndexOf('\n', at - 1) + 1, at);
  return /^[ \t]*$/.test(line) ? line : '';
}

/** An element's open tag with one attribute's value replaced (or the tag as is). */
function setAttr(xml: string, el: XmlElement, name: string, value: string): Edit {
  const open = xml.slice(el.start, el.openEnd);
  const re = new RegExp(`(\\s${name}\\s*=\\s*)(['"])[^'"]*\\2`);
  return { from: el.start, to: el.openEnd, text: open.replace(re, (_m, pre: string, q: string) => `${pre}${q}${value}${q}`) };
}

export interface XmlIdentity {
  uuid: string | null;
  /** One entry per `<interface>` in document order; null when it has no `<mac>`. */
  macs: Array<string | null>;
}

function uuidOf(root: XmlElement | undefined): string | null {
  const u = child(root, 'uuid');
  return u ? u.text : null;
}

function interfacesOf(root: XmlElement | undefined): XmlElement[] {
  return child(root, 'devices')?.children.filter((c) => c.name === 'interface') ?? [];
}

export function xmlUuid(xml: string): string | null {
  return uuidOf(scan(xml)[0]);
}

export function interfaceMacs(xml: string): Array<string | null> {
  return interfacesOf(scan(xml)[0]).map((i) => child(i, 'mac')?.attrs.get('address') ?? null);
}

/** The libvirt networks the domain's real `<interface type='network'>` elements name, once each. */
export function interfaceNetworks(xml: string): string[] {
  const names = interfacesOf(scan(xml)[0]).filter((i) => i.attrs.get('type') === 'network').map((i) => child(i, 'source')?.attrs.get('network'));
  return [...new Set(names.filter((n): n is string => n !== undefined && n !== ''))];
}

export function domainIdentity(xml: string): XmlIdentity {
  return { uuid: xmlUuid(xml), macs: interfaceMacs(xml) };
}

/** Replace the root's `<uuid>`, or insert one right after `<name>…</name>` (where libvirt puts it). */
function uuidEdit(xml: string, root: XmlElement | undefined, uuid: string): Edit | null {
  const u = child(root, 'uuid');
  if (u) return { from: u.start, to: u.end, text: `<uuid>${uuid}</uuid>` };
  const name = child(root, 'name');
  if (!name) return null;
  return { from: name.end, to: name.end, text: `\n${indentAt(xml, name.start)}<uuid>${uuid}</uuid>` };
}

export function withUuid(xml: string, uuid: string): string {
  const e = uuidEdit(xml, scan(xml)[0], uuid);
  return e ? applyEdits(xml, [e]) : xml;
}

/** Set an interface's `<mac address>`, adding the element (indented like the interface body) if needed. */
function macEdit(xml: string, iface: XmlElement, mac: string): Edit {
  const m = child(iface, 'mac');
  if (m) return setAttr(xml, m, 'address', mac);
  const line = `<mac address='${mac}'/>`;
  if (iface.openEnd === iface.end) {
    // `<interface …/>`: open it up.
    const open = xml.slice(iface.start, iface.end).slice(0, -2).trimEnd();
    return { from: iface.start, to: iface.end, text: `${open}>\n${line}\n</interface>` };
  }
  const first = iface.children[0];
  const indent = first ? indentAt(xml, first.start) : '';
  return { from: iface.openEnd, to: iface.openEnd, text: `\n${indent}${line}` };
}

/**
 * The wanted XML with the existing uuid and, interface by interface in order, the
 * existing MACs: libvirt generates both when absent, and a define with another
 * uuid is refused ("already defined with uuid") while a new MAC changes the guest's
 * network identity.
 */
export function carryIdentity(wanted: string, existing: XmlIdentity): string {
  const root = scan(wanted)[0];
  const edits: Edit[] = [];
  const u = existing.uuid ? uuidEdit(wanted, root, existing.uuid) : null;
  if (u) edits.push(u);
  interfacesOf(root).forEach((iface, i) => {
    const mac = existing.macs[i];
    if (mac) edits.push(macEdit(wanted, iface, mac));
  });
  return applyEdits(wanted, edits);
}

// Networks: the root's own `<mac address='…'/>` (the bridge's), not inside `<ip>`/`<host>`.
export function networkIdentity(xml: string): { uuid: string | null; mac: string | null } {
  const root = scan(xml)[0];
  return { uuid: uuidOf(root), mac: child(root, 'mac')?.attrs.get('address') ?? null };
}

export function carryNetworkIdentity(wanted: string, existing: { uuid: string | null; mac: string | null }): string {
  const root = scan(wanted)[0];
  const edits: Edit[] = [];
  const u = existing.uuid ? uuidEdit(wanted, root, existing.uuid) : null;
  if (u) edits.push(u);
  const m = child(root, 'mac');
  const bridge = child(root, 'bridge');
  if (existing.mac && m) edits.push(setAttr(wanted, m, 'address', existing.mac));
  else if (existing.mac && bridge) edits.push({ from: bridge.end, to: bridge.end, text: `\n${indentAt(wanted, bridge.start)}<mac address='${existing.mac}'/>` });
  return applyEdits(wanted, edits);
}

// ------------------------------------------------------------ check-mode estimate

/**
 * Check mode cannot define, and live libvirt XML always has more than a template
 * (PCI addresses, controllers, machine type): so the estimate is "every wanted
 * element exists in the current XML at the same path, with at least its attributes
 * and the same text". Returns the wanted elements that have no match.
 */
export function missingElements(wanted: string, current: string): string[] {
  const cur = scan(current);
  const missing: string[] = [];
  for (const w of scan(wanted)) {
    const found = cur.some((c) => c.path === w.path && (w.text === '' || c.text === w.text)
      && [...w.attrs].every(([k, v]) => c.attrs.get(k) === v));
    if (!found) missing.push(`${w.path}${[...w.attrs].map(([k, v]) => ` ${k}='${v}'`).join('')}${w.text ? ` = ${w.text}` : ''}`);
  }
  return missing;
}
