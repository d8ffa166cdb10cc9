// The few reads virt_net and virt_pool make in libvirt XML (Ansible's xpath
// lookups such as `/network/forward/@mode`): a plain element tree, entities decoded,
// comments left out, parsed by fast-xml-parser.
import { XMLParser } from 'fast-xml-parser';

export interface XmlNode {
  tag: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** The element's own text, trimmed. */
  text: string;
}

type Ordered = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

function toNode(item: Ordered): XmlNode | null {
  const tag = Object.keys(item).find((k) => k !== ':@');
  if (tag === undefined || tag === '#text' || tag.startsWith('?')) return null;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries((item[':@'] ?? {}) as Record<string, unknown>)) attrs[k] = String(v);
  const node: XmlNode = { tag, attrs, children: [], text: '' };
  for (const child of (item[tag] ?? []) as Ordered[]) {
    if ('#text' in child) node.text += String(child['#text']);
    else {
      const c = toNode(child);
      if (c) node.children.push(c);
    }
  }
  return node;
}

/** The root element; throws when the text is not XML. */
export function parseXml(xml: string): XmlNode {
  const items = parser.parse(xml) as Ordered[];
  for (const item of items) {
    const node = toNode(item);
    if (node) return node;
  }
  throw new Error('no XML element');
}

/** The elements at `path` below the root (`['source', 'device']` is `/pool/source/device`). */
export function select(root: XmlNode, path: readonly string[]): XmlNode[] {
  let level = [root];
  for (const tag of path) level = level.flatMap((n) => n.children.filter((c) => c.tag === tag));
  return level;
}

/** The first element at `path`, or undefined. */
export function first(root: XmlNode, path: readonly string[]): XmlNode | undefined {
  return select(root, path)[0];
}
