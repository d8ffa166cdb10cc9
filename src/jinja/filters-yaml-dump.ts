// yaml.dump with Ansible's dumper, ported for to_yaml/to_nice_yaml. Ansible dumps with
// PyYAML's CSafeDumper when libyaml is present (Debian's ansible-core: it is), so the
// output must match libyaml's emitter byte for byte: key order (sort_keys), which
// strings need quotes and which kind, line folding at 80 columns, `-   ` under indent=4,
// astral characters escaped. The code follows libyaml's emitter.c state by state, for
// the subset a dump of plain data produces (no anchors, tags or block scalars).
import { pyFloatRepr, UnsafeText } from '../data/py-values.js';
import { comparePy } from '../data/py-values.js';
import { analyze, ESCAPES, isBreak, isPrintable } from './filters-yaml-scalars.js';
import { isPlainObject } from './values.js';

type YNode =
  | { kind: 'scalar'; text: string; plainOk: boolean }
  | { kind: 'seq'; items: YNode[]; flow: boolean }
  | { kind: 'map'; entries: Array<[YNode, YNode]>; flow: boolean };

export interface YamlDumpOptions {
  indent: number;
  /** PyYAML's default_flow_style: null puts collections of scalars in flow style. */
  flowStyle: boolean | null;
  width?: number;
}

const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT_RE = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP_RE = /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

/** Would a plain scalar with this text read back as this string (PyYAML's implicit resolvers)? */
function readsAsString(text: string): boolean {
  return ![BOOL_RE, FLOAT_RE, INT_RE, NULL_RE, TIMESTAMP_RE].some((re) => re.test(text)) && text !== '<<' && text !== '=';
}

/** PyYAML's represent_float. */
function floatText(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (!Number.isFinite(x)) return x > 0 ? '.inf' : '-.inf';
  const v = pyFloatRepr(x).toLowerCase();
  return !v.includes('.') && v.includes('e') ? v.replace('e', '.0e') : v;
}

function represent(v: unknown, o: YamlDumpOptions): YNode {
  const scalar = (text: string, plainOk = true): YNode => ({ kind: 'scalar', text, plainOk });
  if (v === null || v === undefined) return scalar('null');
  if (typeof v === 'boolean') return scalar(v ? 'true' : 'false');
  if (typeof v === 'number') return Number.isInteger(v) ? scalar(String(v)) : scalar(floatText(v));
  if (typeof v === 'string' || v instanceof UnsafeText) {
    const text = typeof v === 'string' ? v : v.value;
    return scalar(text, readsAsString(text));
  }
  const flowOf = (children: YNode[]): boolean => (o.flowStyle === null ? children.every((c) => c.kind === 'scalar') : o.flowStyle);
  if (Array.isArray(v)) {
    const items = v.map((x) => represent(x, o));
    return { kind: 'seq', items, flow: flowOf(items) };
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort(comparePy);
    const entries = keys.map((k): [YNode, YNode] => [represent(k, o), represent(v[k], o)]);
    return { kind: 'map', entries, flow: flowOf(entries.map((e) => e[1])) };
  }
  throw new TypeError(`cannot represent an object as YAML`);
}

class Emitter {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;
  indent: number | null = null;
  readonly indents: Array<number | null> = [];
  flowLevel = 0;
  simpleKeyContext = false;
  mappingContext = false;
  constructor(readonly bestIndent: number, readonly bestWidth: number) {}

  write(data: string): void {
    this.column += [...data].length;
    this.out += data;
  }

  indicator(ind: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? ind : ` ${ind}`;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.write(data);
  }

  lineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.out += data;
    this.column = 0;
  }

  writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.lineBreak();
    if (this.column < indent) this.write(' '.repeat(indent - this.column));
    this.whitespace = true;
    this.indention = true;
  }

  increaseIndent(flow: boolean, indentless = false): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }

  popIndent(): void {
    this.indent = this.indents.pop() ?? null;
  }

  node(n: YNode, ctx: { mapping?: boolean; simpleKey?: boolean }): void {
    this.mappingContext = ctx.mapping ?? false;
    this.simpleKeyContext = ctx.simpleKey ?? false;
    if (n.kind === 'scalar') {
      this.increaseIndent(true);
      this.scalar(n);
      this.popIndent();
    } else if (n.kind === 'seq') {
      if (this.flowLevel > 0 || n.flow || n.items.length === 0) this.flowSeq(n.items);
      else this.blockSeq(n.items);
    } else if (this.flowLevel > 0 || n.flow || n.entries.length === 0) {
      this.flowMap(n.entries);
    } else {
      this.blockMap(n.entries);
    }
  }

  flowSeq(items: readonly YNode[]): void {
    this.indicator('[', true, true);
    this.flowLevel++;
    this.increaseIndent(true);
    items.forEach((item, i) => {
      if (i > 0) this.indicator(',', false);
      if (this.column > this.bestWidth) this.writeIndent();
      this.node(item, {});
    });
    this.popIndent();
    this.flowLevel--;
    this.indicator(']', false);
  }

  flowMap(entries: ReadonlyArray<[YNode, YNode]>): void {
    this.indicator('{', true, true);
    this.flowLevel++;
    this.increaseIndent(true);
    entries.forEach(([k, v], i) => {
      if (i > 0) this.indicator(',', false);
      if (this.column > this.bestWidth) this.writeIndent();
      if (this.simpleKey(k)) {
        this.node(k, { mapping: true, simpleKey: true });
        this.indicator(':', false);
      } else {
        this.indicator('?', true);
        this.node(k, { mapping: true });
        if (this.column > this.bestWidth) this.writeIndent();
        this.indicator(':', true);
      }
      this.node(v, { mapping: true });
    });
    this.popIndent();
    this.flowLevel--;
    this.indicator('}', false);
  }

  blockSeq(items: readonly YNode[]): void {
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.indicator('-', true, false, true);
      this.node(item, {});
    }
    this.popIndent();
  }

  blockMap(entries: ReadonlyArray<[YNode, YNode]>): void {
    this.increaseIndent(false);
    for (const [k, v] of entries) {
      this.writeIndent();
      if (this.simpleKey(k)) {
        this.node(k, { mapping: true, simpleKey: true });
        this.indicator(':', false);
      } else {
        this.indicator('?', true, false, true);
        this.node(k, { mapping: true });
        this.writeIndent();
        this.indicator(':', true, false, true);
      }
      this.node(v, { mapping: true });
    }
    this.popIndent();
  }

  /** yaml_emitter_check_simple_key: one line, at most 128 bytes. */
  simpleKey(k: YNode): boolean {
    if (k.kind !== 'scalar') return (k.kind === 'seq' ? k.items.length : k.entries.length) === 0;
    return !analyze([...k.text]).multiline && Buffer.byteLength(k.text, 'utf8') <= 128;
  }

  /** yaml_emitter_select_scalar_style, then the writer of that style. */
  scalar(n: Extract<YNode, { kind: 'scalar' }>): void {
    const cps = [...n.text];
    const a = analyze(cps);
    const split = !this.simpleKeyContext;
    let style: 'plain' | 'single' | 'double' = 'plain';
    if (!(this.flowLevel > 0 ? a.flowPlain : a.blockPlain)) style = 'single';
    if (cps.length === 0 && (this.flowLevel > 0 || this.simpleKeyContext)) style = 'single';
    if (!n.plainOk) style = 'single';
    if (style === 'single' && !a.singleQuoted) style = 'double';
    if (style === 'plain') this.plain(cps, split);
    else if (style === 'single') this.singleQuoted(cps, split);
    else this.doubleQuoted(cps, split);
  }

  plain(cps: readonly string[], split: boolean): void {
    if (!this.whitespace && (cps.length > 0 || this.flowLevel > 0)) this.write(' ');
    this.folded(cps, split, false);
    this.whitespace = false;
    this.indention = false;
  }

  singleQuoted(cps: readonly string[], split: boolean): void {
    this.indicator("'", true);
    this.folded(cps, split, true);
    this.indicator("'", false);
  }

  /** The text loop of yaml_emitter_write_plain_scalar and write_single_quoted_scalar. */
  folded(cps: readonly string[], split: boolean, quoted: boolean): void {
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const ch = cps[i]!;
      if (ch === ' ') {
        const inner = !quoted || (i !== 0 && i !== cps.length - 1);
        if (split && !spaces && this.column > this.bestWidth && inner && cps[i + 1] !== ' ') this.writeIndent();
        else this.write(ch);
        spaces = true;
      } else if (isBreak(ch)) {
        if (!breaks && ch === '\n') this.lineBreak();
        this.lineBreak(ch === '\n' ? '\n' : ch);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.write(quoted && ch === "'" ? "''" : ch);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    if (quoted && breaks) this.writeIndent();
  }

  doubleQuoted(cps: readonly string[], split: boolean): void {
    this.indicator('"', true);
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const ch = cps[i]!;
      if (!isPrintable(ch) || ch === '\ufeff' || isBreak(ch) || ch === '"' || ch === '\\') {
        const cp = ch.codePointAt(0)!;
        const hex = (w: number): string => cp.toString(16).toUpperCase().padStart(w, '0');
        const esc = ESCAPES.get(ch);
        this.write(esc !== undefined ? `\\${esc}` : cp <= 0xff ? `\\x${hex(2)}` : cp <= 0xffff ? `\\u${hex(4)}` : `\\U${hex(8)}`);
        spaces = false;
      } else if (ch === ' ') {
        if (split && !spaces && this.column > this.bestWidth && i !== 0 && i !== cps.length - 1) {
          this.writeIndent();
          if (cps[i + 1] === ' ') this.write('\\');
        } else {
          this.write(ch);
        }
        spaces = true;
      } else {
        this.write(ch);
        spaces = false;
      }
    }
    this.indicator('"', false);
  }
}

/** yaml.safe_dump(value, default_flow_style=…, indent=…, allow_unicode=True, sort_keys=True). */
export function yamlDump(value: unknown, o: YamlDumpOptions): string {
  const e = new Emitter(o.indent > 1 && o.indent < 10 ? o.indent : 2, o.width ?? 80);
  e.node(represent(value, o), {});
  e.writeIndent();
  return e.out;
}
