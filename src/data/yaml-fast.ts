// A fast reader for the YAML that playbooks and inventories are mostly made of — block
// maps and lists, one-line plain, quoted and flow values, `|`/`>` blocks — giving
// exactly the tree (values and positions) that yaml-load.ts builds with the yaml
// package. It exists because that parser, cold, took over a quarter of `kvmplay
// validate` on a 1,000-task playbook. Anything else (anchors, tags, merges, multi-line
// plain or quoted scalars, empty values, tabs, a second document, any doubt) returns
// undefined, and yaml-load.ts uses the full parser, which also words every error.
// yaml-fast.test.ts compares the two on generated documents.
import type { SourcePosition } from '../errors.js';
import { pyHashKey, pyJsonKey } from './py-values.js';
import type { PEntry, PNode } from './yaml-node.js';
import { MAX_YAML_DEPTH, type DuplicateKey } from './yaml-limits.js';
import { resolvePlain } from './yaml-scalars.js';

/** Thrown inside the reader when the text is not of the common shape. */
class Decline extends Error {}

const decline = (): never => {
  throw new Decline();
};

// Characters that may start something other than a plain scalar (YAML c-indicator).
const INDICATORS = new Set([...'-?:,[]{}#&*!|>\'"%@`']);
const IN_PLAIN_KEY = /^[^#[\]{},]*$/;
// YAML limits an implicit key to 1024 characters; well below that, no doubt.
const MAX_KEY = 1000;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v',
};

/** The tree of `text` (one YAML document), or undefined to use the full parser; duplicate keys go to `dups`. */
export function readCommonYaml(text: string, file: string, dups: DuplicateKey[] = []): PNode | undefined {
  // Tabs, other line breaks, control characters and lone surrogates: the full parser's rules.
  if (/[\t\r\u2028\u2029\ufeff\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff]/u.test(text)) return undefined;
  try {
    const reader = new Reader(text, file);
    const root = reader.document();
    dups.push(...reader.dups);
    return root;
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

class Reader {
  private readonly lines: string[];
  private readonly doubleQuoted = /"(?:[^"\\]|\\.)*"/y;
  private readonly singleQuoted = /'(?:[^']|'')*'(?!')/y;
  private readonly flowPlainEnd = /[,[\]{}#:]/g;
  readonly dups: DuplicateKey[] = [];
  private depth = 0;

  constructor(text: string, private readonly file: string) {
    this.lines = text.split('\n');
  }

  private pos(line: number, col: number): SourcePosition {
    return { file: this.file, line: line + 1, col: col + 1 };
  }

  private indentOf(line: number): number {
    const t = this.lines[line]!;
    let i = 0;
    while (t.charCodeAt(i) === 32) i++;
    return i;
  }

  /** The next line at or after `from` with content (not blank, not only a comment), or -1. */
  private nextContent(from: number): number {
    for (let i = from; i < this.lines.length; i++) {
      const t = this.lines[i]!;
      const at = this.indentOf(i);
      if (at < t.length && t[at] !== '#') return i;
    }
    return -1;
  }

  document(): PNode {
    let first = this.nextContent(0);
    if (first >= 0 && /^--- *$/.test(this.lines[first]!)) first = this.nextContent(first + 1);
    if (first < 0 || this.indentOf(first) !== 0) decline();
    const { node, next } = this.block(first, 0, -1);
    if (next >= 0) decline(); // anything after the root: a second document, `...`, bad indentation
    return node;
  }

  /** A block list or map starting at (line, col); `parent` is the enclosing indentation. */
  private block(line: number, col: number, parent: number): { node: PNode; next: number } {
    if (col <= parent) decline();
    const t = this.lines[line]!;
    if (t[col] === '-' && (col + 1 === t.length || t[col + 1] === ' ')) return this.list(line, col);
    if (this.keyEnd(line, col) < 0) decline();
    return this.map(line, col);
  }

  /** A collection one level deeper: past MAX_YAML_DEPTH, the full loader words the error. */
  private nested<T>(read: () => T): T {
    if (++this.depth > MAX_YAML_DEPTH) decline();
    try {
      return read();
    } finally {
      this.depth--;
    }
  }

  private list(line: number, col: number): { node: PNode; next: number } {
    return this.nested(() => this.listItems(line, col));
  }

  private listItems(line: number, col: number): { node: PNode; next: number } {
    const items: PNode[] = [];
    let cur = line;
    for (;;) {
      const t = this.lines[cur]!;
      let at = col + 1;
      while (t.charCodeAt(at) === 32) at++;
      let r: { node: PNode; next: number };
      if (at >= t.length || t[at] === '#') {
        // The item is a block on the next lines (an empty item is left to the full loader).
        const next = this.nextContent(cur + 1);
        if (next < 0 || this.indentOf(next) <= col) decline();
        r = this.block(next, this.indentOf(next), col);
      } else {
        r = this.keyEnd(cur, at) >= 0 ? this.map(cur, at) : this.inline(cur, at, col);
      }
      items.push(r.node);
      if (r.next < 0) return { node: this.seqNode(line, col, items), next: -1 };
      const indent = this.indentOf(r.next);
      const nt = this.lines[r.next]!;
      if (indent > col) decline();
      if (indent < col || !(nt[col] === '-' && (col + 1 === nt.length || nt[col + 1] === ' '))) {
        return { node: this.seqNode(line, col, items), next: r.next };
      }
      cur = r.next;
    }
  }

  private seqNode(line: number, col: number, items: PNode[]): PNode {
    return { kind: 'seq', pos: this.pos(line, col), items, unsafe: false };
  }

  private map(line: number, col: number): { node: PNode; next: number } {
    return this.nested(() => this.mapEntries(line, col));
  }

  private mapEntries(line: number, col: number): { node: PNode; next: number } {
    const entries: PEntry[] = [];
    const byId = new Map<string, number>();
    let cur = line;
    let keyCol = col;
    for (;;) {
      const end = this.keyEnd(cur, keyCol);
      if (end < 0) decline();
      const key = this.key(cur, keyCol, end);
      const t = this.lines[cur]!;
      let at = end + 1;
      while (t.charCodeAt(at) === 32) at++;
      let r: { node: PNode; next: number };
      if (at < t.length && t[at] !== '#') {
        r = this.inline(cur, at, col);
      } else {
        // The value is on the next lines: a block more indented, or a list at this indentation.
        const next = this.nextContent(cur + 1);
        if (next < 0) decline();
        const indent = this.indentOf(next);
        const nt = this.lines[next]!;
        const dash = nt[indent] === '-' && (indent + 1 === nt.length || nt[indent + 1] === ' ');
        if (indent < col || (indent === col && !dash)) decline(); // an empty value
        r = indent === col ? this.list(next, indent) : this.block(next, indent, col);
      }
      const id = pyHashKey(key.value);
      const i = byId.get(id);
      // A duplicate key keeps its first place and spelling, and takes the last value (as yaml-load.ts).
      if (i === undefined) {
        byId.set(id, entries.length);
        entries.push({ key: key.value, name: key.name, keyPos: this.pos(cur, keyCol), value: r.node });
      } else {
        this.dups.push({ name: key.name, pos: this.pos(cur, keyCol) });
        entries[i] = { ...entries[i]!, value: r.node };
      }
      if (r.next < 0) return { node: this.mapNode(line, col, entries), next: -1 };
      const indent = this.indentOf(r.next);
      if (indent > col) decline();
      if (indent < col) return { node: this.mapNode(line, col, entries), next: r.next };
      cur = r.next;
      keyCol = col;
    }
  }

  private mapNode(line: number, col: number, entries: PEntry[]): PNode {
    return { kind: 'map', pos: this.pos(line, col), entries, unsafe: false };
  }

  /** Where the `:` of an implicit key starting at (line, col) is, or -1 when there is no simple key. */
  private keyEnd(line: number, col: number): number {
    const t = this.lines[line]!;
    const c = t[col];
    if (c === '"' || c === "'") {
      const close = this.quotedEnd(t, col);
      if (close - col > MAX_KEY) decline();
      return t[close + 1] === ':' && (close + 2 === t.length || t[close + 2] === ' ') ? close + 1 : -1;
    }
    if (c === undefined || INDICATORS.has(c)) return -1;
    for (let i = t.indexOf(':', col); i >= 0; i = t.indexOf(':', i + 1)) {
      if (i + 1 === t.length || t[i + 1] === ' ') {
        const k = t.slice(col, i);
        return k.endsWith(' ') || !IN_PLAIN_KEY.test(k) || k.length > MAX_KEY ? decline() : i;
      }
    }
    return -1;
  }

  private key(line: number, col: number, end: number): { value: unknown; name: string } {
    const t = this.lines[line]!;
    let value: unknown;
    let float: boolean | undefined;
    if (t[col] === '"' || t[col] === "'") {
      value = this.quoted(t, col, end - 1);
    } else {
      const text = t.slice(col, end);
      if (text === '<<') decline(); // a merge key
      if (text === '=') value = '=';
      else ({ value, float } = this.resolve(text));
    }
    return { value, name: pyJsonKey(value, float) ?? String(value) };
  }

  private resolve(text: string): { value: unknown; float?: boolean } {
    try {
      return resolvePlain(text);
    } catch {
      return decline(); // the full loader words the error
    }
  }

  /** A value that starts on this line at `col`: a scalar, a one-line flow collection or a block scalar. */
  private inline(line: number, col: number, parent: number): { node: PNode; next: number } {
    const t = this.lines[line]!;
    const c = t[col]!;
    const pos = this.pos(line, col);
    let end: number;
    let node: PNode;
    if (c === '|' || c === '>') return this.blockScalar(line, col, parent);
    if (c === '"' || c === "'") {
      end = this.quotedEnd(t, col);
      node = { kind: 'scalar', pos, value: this.quoted(t, col, end) };
      end++;
    } else if (c === '[' || c === '{') {
      const r = this.flow(line, col);
      node = r.node;
      end = r.end;
    } else {
      if (INDICATORS.has(c) && !(c === '-' && t[col + 1] !== undefined && t[col + 1] !== ' ')) decline();
      const comment = t.indexOf(' #', col);
      const text = trimSpaces(comment < 0 ? t.slice(col) : t.slice(col, comment));
      if (text.includes(': ') || text.endsWith(':')) decline();
      node = { kind: 'scalar', pos, value: this.resolve(text).value };
      end = col + text.length;
    }
    this.restIsComment(t, end);
    // A more indented line after a one-line value would continue it: the caller declines that.
    return { node, next: this.nextContent(line + 1) };
  }

  private restIsComment(t: string, from: number): void {
    let i = from;
    while (t.charCodeAt(i) === 32) i++;
    if (i < t.length && !(t[i] === '#' && i > from)) decline();
  }

  /** Index of the closing quote of the one-line quoted scalar opening at `col`. */
  private quotedEnd(t: string, col: number): number {
    // Sticky regexps scan natively: cold, a loop over characters costs more than the rest.
    const re = t[col] === '"' ? this.doubleQuoted : this.singleQuoted;
    re.lastIndex = col;
    return re.test(t) ? re.lastIndex - 1 : decline(); // no closing quote: continues on the next line
  }

  private quoted(t: string, open: number, close: number): string {
    const body = t.slice(open + 1, close);
    if (t[open] === "'") return body.replaceAll("''", "'");
    if (!body.includes('\\')) return body;
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = body[++i]!;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
      } else if (e === 'x' || e === 'u') {
        const n = e === 'x' ? 2 : 4;
        const hex = body.slice(i + 1, i + 1 + n);
        if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) decline();
        const code = parseInt(hex, 16);
        if (code >= 0xd800 && code <= 0xdfff) decline();
        out += String.fromCharCode(code);
        i += n;
      } else {
        decline();
      }
    }
    return out;
  }

  /** A flow collection that opens and closes on this line. */
  private flow(line: number, col: number): { node: PNode; end: number } {
    return this.nested(() => this.flowItems(line, col));
  }

  private flowItems(line: number, col: number): { node: PNode; end: number } {
    const t = this.lines[line]!;
    const open = t[col];
    const close = open === '[' ? ']' : '}';
    const items: PNode[] = [];
    const entries: PEntry[] = [];
    const byId = new Map<string, number>();
    let i = col + 1;
    const skip = (): void => {
      while (t.charCodeAt(i) === 32) i++;
    };
    skip();
    if (t[i] === close) return { node: this.flowNode(line, col, open, items, entries), end: i + 1 };
    for (;;) {
      skip();
      if (open === '{') {
        const keyStart = i;
        const k = this.flowScalar(line, i, true);
        if (k.end - keyStart > MAX_KEY) decline();
        if (t[k.end] !== ':' || t[k.end + 1] !== ' ') decline();
        i = k.end + 1;
        skip();
        const v = this.flowValue(line, i);
        const name = pyJsonKey(k.value, k.float) ?? String(k.value);
        const id = pyHashKey(k.value);
        const at = byId.get(id);
        if (at === undefined) {
          byId.set(id, entries.length);
          entries.push({ key: k.value, name, keyPos: this.pos(line, keyStart), value: v.node });
        } else {
          this.dups.push({ name, pos: this.pos(line, keyStart) });
          entries[at] = { ...entries[at]!, value: v.node };
        }
        i = v.end;
      } else {
        const v = this.flowValue(line, i);
        items.push(v.node);
        i = v.end;
      }
      skip();
      if (t[i] === close) return { node: this.flowNode(line, col, open, items, entries), end: i + 1 };
      if (t[i] !== ',') decline();
      i++;
      skip();
      if (t[i] === close) decline(); // a trailing comma
    }
  }

  private flowNode(line: number, col: number, open: string | undefined, items: PNode[], entries: PEntry[]): PNode {
    const pos = this.pos(line, col);
    return open === '[' ? { kind: 'seq', pos, items, unsafe: false } : { kind: 'map', pos, entries, unsafe: false };
  }

  private flowValue(line: number, col: number): { node: PNode; end: number } {
    const c = this.lines[line]![col];
    if (c === '[' || c === '{') return this.flow(line, col);
    return this.flowScalar(line, col, false);
  }

  /** A quoted or plain scalar inside a flow collection; `key`: read as a mapping key. */
  private flowScalar(line: number, col: number, key: boolean): { node: PNode; end: number; value: unknown; float?: boolean } {
    const t = this.lines[line]!;
    const c = t[col];
    const pos = this.pos(line, col);
    if (c === '"' || c === "'") {
      const close = this.quotedEnd(t, col);
      const value = this.quoted(t, col, close);
      return { node: { kind: 'scalar', pos, value }, end: close + 1, value };
    }
    if (c === undefined || INDICATORS.has(c)) decline();
    this.flowPlainEnd.lastIndex = col;
    const end = this.flowPlainEnd.test(t) ? this.flowPlainEnd.lastIndex - 1 : t.length;
    const text = trimSpaces(t.slice(col, end));
    if (text === '' || (t[end] === ':' && !key) || t[end] === '#' || (key && text.length !== end - col)) decline();
    if (key && (text === '<<' || text === '=')) decline();
    const r = this.resolve(text);
    return { node: { kind: 'scalar', pos, value: r.value }, end, value: r.value, ...(r.float ? { float: true } : {}) };
  }

  /** `|` or `>` (with `-` or `+`) at (line, col); its lines are those more indented than `parent`. */
  private blockScalar(line: number, col: number, parent: number): { node: PNode; next: number } {
    const t = this.lines[line]!;
    const header = /^([|>])([-+]?)( +#.*)? *$/.exec(t.slice(col));
    if (!header) decline();
    const [, style, chomp] = header!;
    const first = this.nextContentOrText(line + 1);
    if (first < 0) decline();
    const indent = this.indentOf(first);
    if (indent <= parent) decline(); // an empty block scalar
    const body: string[] = [];
    let i = line + 1;
    for (; i < this.lines.length; i++) {
      const s = this.lines[i]!;
      if (isBlank(s)) {
        if (s.length > indent) decline(); // spaces past the indentation are content: rare, subtle
        body.push('');
        continue;
      }
      if (this.indentOf(i) < indent) break;
      body.push(s.slice(indent));
    }
    // At the end of the text, whether the last line break is there decides the value.
    if (i === this.lines.length) decline();
    let trailing = 0;
    while (body.length > 0 && body[body.length - 1] === '') {
      body.pop();
      trailing++;
    }
    if (style === '>' && body.some((l) => l.startsWith(' '))) decline(); // more-indented lines fold differently
    let value = style === '|' ? body.join('\n') : fold(body);
    if (chomp === '+') value += '\n'.repeat(trailing + 1);
    else if (chomp === '' && body.length > 0) value += '\n';
    return { node: { kind: 'scalar', pos: this.pos(line, col), value }, next: this.nextContent(i) };
  }

  /** The next line that is not blank (a `#` line counts: inside a block scalar it is text). */
  private nextContentOrText(from: number): number {
    for (let i = from; i < this.lines.length; i++) if (!isBlank(this.lines[i]!)) return i;
    return -1;
  }
}

// YAML's white space is the space (tabs are declined): String.trim would also take
// away no-break and other Unicode spaces, which YAML keeps as text.
const trimSpaces = (s: string): string => s.replace(/ +$/, '');
const isBlank = (s: string): boolean => /^ *$/.test(s);

/** Folded (`>`) lines: a line break between two text lines is a space; each empty line, a newline. */
function fold(lines: readonly string[]): string {
  let out = '';
  let breaks = 0;
  let started = false;
  for (const l of lines) {
    if (l === '') {
      breaks++;
      continue;
    }
    if (started) out += breaks === 0 ? ' ' : '\n'.repeat(breaks);
    else out += '\n'.repeat(breaks);
    out += l;
    breaks = 0;
    started = true;
  }
  return out;
}
