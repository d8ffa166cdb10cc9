// Loads a YAML or JSON data file the way Ansible's DataLoader does (JSON first, then
// YAML with PyYAML's 1.1 rules and Ansible's `!unsafe`/`!vault` tags) into a small
// tree (PNode) that keeps each node's file:line:col for error messages.
import { createRequire } from 'node:module';
import type { Document, Node as YamlNode, Pair, Scalar } from 'yaml';
import { ValidationError, type SourcePosition } from '../errors.js';
import { isPlainObject, pyHashKey, pyJsonKey, setKey, UnsafeText, VaultText, type Vars } from './py-values.js';
import { readCommonYaml } from './yaml-fast.js';
import { decryptVaultText, decryptVaultValue, hasVaultSecrets, isVaultText, revealVaultValue } from '../vault/index.js';
import { MAX_ALIAS_NODES, MAX_YAML_DEPTH, reportDuplicateKeys, type DuplicateKey } from './yaml-limits.js';
import type { PEntry, PNode } from './yaml-node.js';

export type { PEntry, PNode } from './yaml-node.js';
import { constructTagged, resolvePlain, ScalarError, YAML_TAG } from './yaml-scalars.js';

type YamlLib = typeof import('yaml');
// The yaml package is loaded on first use: yaml-fast.ts reads most files without it,
// and loading it costs a cold `kvmplay validate` about 45 ms. Node's require cache
// makes every later call a lookup (the package is CommonJS, so this is the very
// instance an `import` would give).
const requireHere = createRequire(import.meta.url);
const yamlLib = (): YamlLib => requireHere('yaml') as YamlLib;

/**
 * Parse a data file's text: null for an empty document. A vault-encrypted file is
 * decrypted first (positions then refer to the decrypted text), and its values become secrets.
 */
export function loadDataText(text: string, file: string): PNode | null {
  if (!isVaultText(text)) return loadPlainText(text, file);
  const root = loadPlainText(decryptVaultText(text, { file, line: 1, col: 1 }), file);
  if (root) revealVaultValue(toValue(root));
  return root;
}

function loadPlainText(text: string, file: string): PNode | null {
  // DataLoader.load tries json.loads first (so `1e3` in a .json file is a float).
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const dups: DuplicateKey[] = [];
    const root = readCommonYaml(text, file, dups) ?? loadYamlText(text, file, dups);
    reportDuplicateKeys(dups);
    return root;
  }
  return fromJson(json, { file, line: 1, col: 1 });
}

/** The plain value of a node: objects, arrays, scalars. */
export function toValue(node: PNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq': {
      const items = node.items.map(toValue);
      return node.unsafe ? items.map(wrapUnsafe) : items;
    }
    case 'map': {
      const out: Vars = {};
      for (const e of node.entries) setKey(out, e.name, node.unsafe ? wrapUnsafe(toValue(e.value)) : toValue(e.value));
      return out;
    }
  }
}

/** ansible.utils.unsafe_proxy.wrap_var: every string inside becomes unsafe text. */
function wrapUnsafe(v: unknown): unknown {
  if (typeof v === 'string') return new UnsafeText(v);
  if (Array.isArray(v)) return v.map(wrapUnsafe);
  if (isPlainObject(v)) {
    const out: Vars = {};
    for (const [k, x] of Object.entries(v)) setKey(out, k, wrapUnsafe(x));
    return out;
  }
  return v;
}

function fromJson(v: unknown, pos: SourcePosition): PNode {
  if (Array.isArray(v)) return { kind: 'seq', pos, items: v.map((x) => fromJson(x, pos)), unsafe: false };
  if (isPlainObject(v)) {
    // AnsibleJSONDecoder's object hook: vaulted and unsafe values round-trip.
    if ('__ansible_vault' in v) return { kind: 'scalar', pos, value: vaultValue(String(v.__ansible_vault), pos) };
    if ('__ansible_unsafe' in v) return { kind: 'scalar', pos, value: wrapUnsafe(v.__ansible_unsafe) };
    const entries = Object.entries(v).map(([k, x]) => ({ key: k, name: k, keyPos: pos, value: fromJson(x, pos) }));
    return { kind: 'map', pos, entries, unsafe: false };
  }
  return { kind: 'scalar', pos, value: v };
}

/**
 * An inline vault value: its decrypted (secret) text when a vault password given opens
 * it; else it stays encrypted, so commands and tasks that never read it need no password.
 */
function vaultValue(ciphertext: string, pos: SourcePosition): string | VaultText {
  const plain = hasVaultSecrets() ? decryptVaultValue(ciphertext, pos) : null;
  if (plain === null) return new VaultText(ciphertext);
  revealVaultValue(plain);
  return plain;
}

/**
 * YAML text through the yaml package (what yaml-fast.ts must agree with, where it
 * answers); the duplicate keys of its mappings (not those a merge overrides) go to `dups`.
 */
export function loadYamlText(text: string, file: string, dups: DuplicateKey[] = []): PNode | null {
  const lib = yamlLib();
  const lines = new lib.LineCounter();
  // failsafe: every scalar stays a string with its style and tag, and resolution is
  // done here with PyYAML's rules instead of the yaml package's YAML 1.1 schema.
  const doc = lib.parseDocument(text, {
    version: '1.1', schema: 'failsafe', uniqueKeys: false, prettyErrors: false, lineCounter: lines, merge: false,
  });
  const at = (offset: number): SourcePosition => ({ file, ...lines.linePos(offset) });
  const err = doc.errors[0];
  if (err) {
    // The yaml package catches its own stack overflow on deep flow nesting and reports it.
    const msg = /Maximum call stack/.test(err.message) ? `nested more than ${MAX_YAML_DEPTH} levels deep` : firstLine(err.message);
    throw new ValidationError(at(err.pos[0]), `malformed YAML: ${msg}`);
  }
  if (doc.contents === null) return null;
  return new Builder(lib, doc, at, dups).build(doc.contents);
}

function firstLine(msg: string): string {
  return msg.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

class Builder {
  private readonly active = new Set<YamlNode>();
  private depth = 0;
  /** The outermost alias being expanded, and the nodes expansions have built so far. */
  private alias: YamlNode | undefined;
  private aliasNodes = 0;
  constructor(
    private readonly lib: YamlLib, private readonly doc: Document, private readonly at: (offset: number) => SourcePosition,
    private readonly dups: DuplicateKey[],
  ) {}

  private pos(node: YamlNode): SourcePosition {
    return this.at(node.range?.[0] ?? 0);
  }

  /** Follows an alias; an absent value (`key:`) becomes a null scalar placed at `near`. */
  private deref(node: unknown, near?: YamlNode | null): YamlNode {
    if (this.lib.isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) throw new ValidationError(this.pos(node), `unknown alias *${node.source}`);
      return target;
    }
    if (node === null || node === undefined) {
      const empty = new this.lib.Scalar(null);
      const at = near?.range?.[1] ?? 0;
      empty.range = [at, at, at];
      return empty;
    }
    return node as YamlNode;
  }

  build(raw: unknown, near?: YamlNode | null): PNode {
    const node = this.deref(raw, near);
    if (this.active.has(node)) throw new ValidationError(this.pos(node), 'recursive alias');
    const outermost = this.alias === undefined && this.lib.isAlias(raw);
    if (outermost) this.alias = raw;
    if (this.alias && ++this.aliasNodes > MAX_ALIAS_NODES) {
      throw new ValidationError(this.pos(this.alias), `YAML aliases expand to more than ${MAX_ALIAS_NODES} nodes (a "billion laughs"?)`);
    }
    const collection = !this.lib.isScalar(node);
    if (collection && ++this.depth > MAX_YAML_DEPTH) {
      throw new ValidationError(this.pos(node), `YAML nested more than ${MAX_YAML_DEPTH} levels deep`);
    }
    this.active.add(node);
    try {
      return this.buildNode(node);
    } finally {
      this.active.delete(node);
      if (collection) this.depth--;
      if (outermost) this.alias = undefined;
    }
  }

  private buildNode(node: YamlNode): PNode {
    const pos = this.pos(node);
    const tag = node.tag;
    const unsafe = tag === '!unsafe';
    if (this.lib.isScalar(node)) return { kind: 'scalar', pos, value: this.scalar(node, pos) };
    if (tag && !unsafe && tag !== `${YAML_TAG}map` && tag !== `${YAML_TAG}seq`) {
      throw new ValidationError(pos, `could not determine a constructor for the tag '${tag}'`);
    }
    if (this.lib.isSeq(node)) return { kind: 'seq', pos, items: node.items.map((n) => this.build(n)), unsafe };
    if (this.lib.isMap(node)) return { kind: 'map', pos, entries: this.entries(node.items as Pair[]), unsafe };
    throw new ValidationError(pos, 'unsupported YAML node');
  }

  private scalar(node: Scalar, pos: SourcePosition): unknown {
    const text = node.value === null || node.value === undefined ? '' : String(node.value);
    const tag = node.tag;
    try {
      if (tag === '!unsafe') return new UnsafeText(text);
      if (tag === '!vault' || tag === '!vault-encrypted') return vaultValue(text, pos);
      if (tag === '!') return text; // the non-specific tag: a string
      if (tag) return constructTagged(tag, text).value;
      if (node.type === 'PLAIN' || node.value === null) return resolvePlain(text).value;
      return text;
    } catch (e) {
      if (e instanceof ScalarError) throw new ValidationError(pos, e.message, { cause: e });
      throw e;
    }
  }

  /** A mapping's entries after PyYAML's flatten_mapping (`<<` merges) with dict semantics. */
  private entries(items: Pair[]): PEntry[] {
    const byId = new Map<string, number>();
    const ownIds = new Set<string>();
    const own = new Set(items);
    const out: PEntry[] = [];
    for (const pair of this.flatten(items, new Set())) {
      const keyNode = this.deref(pair.key);
      const keyPos = this.pos(keyNode);
      if (!this.lib.isScalar(keyNode)) throw new ValidationError(keyPos, 'found unhashable key');
      const key = this.key(keyNode, keyPos);
      const name = pyJsonKey(key.value, key.float) ?? String(key.value);
      const value = this.build(pair.value, keyNode);
      const id = pyHashKey(key.value);
      const i = byId.get(id);
      // A key the mapping itself gives twice (a merge's keys are meant to be overridden).
      if (own.has(pair)) {
        if (ownIds.has(id)) this.dups.push({ name, pos: keyPos });
        ownIds.add(id);
      }
      // A duplicate key keeps its first place and spelling, and takes the last value (Python dict).
      if (i === undefined) {
        byId.set(id, out.length);
        out.push({ key: key.value, name, keyPos, value });
      } else {
        out[i] = { ...out[i]!, value };
      }
    }
    return out;
  }

  private key(node: Scalar, pos: SourcePosition): { value: unknown; float?: boolean } {
    const text = node.value === null || node.value === undefined ? '' : String(node.value);
    if (node.type === 'PLAIN' && !node.tag && text === '=') return { value: '=' };
    if (node.tag === '!unsafe') return { value: text };
    if (node.tag === '!' || (!node.tag && node.type !== 'PLAIN' && node.value !== null)) return { value: text };
    try {
      return node.tag ? constructTagged(node.tag, text) : resolvePlain(text);
    } catch (e) {
      if (e instanceof ScalarError) throw new ValidationError(pos, e.message, { cause: e });
      throw e;
    }
  }

  /** Merged pairs first (later merge sources lose to earlier ones), then the map's own pairs. */
  private flatten(items: Pair[], seen: Set<YamlNode>): Pair[] {
    const merged: Pair[] = [];
    const own: Pair[] = [];
    for (const pair of items) {
      const k = pair.key;
      if (this.lib.isScalar(k) && k.type === 'PLAIN' && !k.tag && k.value === '<<') {
        const v = this.deref(pair.value);
        if (this.lib.isMap(v)) {
          merged.push(...this.flattenOnce(v, seen));
        } else if (this.lib.isSeq(v)) {
          const subs = v.items.map((n) => {
            const m = this.deref(n);
            if (!this.lib.isMap(m)) throw new ValidationError(this.pos(m), 'expected a mapping for merging');
            return this.flattenOnce(m, seen);
          });
          for (const s of subs.reverse()) merged.push(...s);
        } else {
          throw new ValidationError(this.pos(v), 'expected a mapping or list of mappings for merging');
        }
      } else {
        own.push(pair);
      }
    }
    return [...merged, ...own];
  }

  private flattenOnce(node: YamlNode & { items: unknown[] }, seen: Set<YamlNode>): Pair[] {
    if (seen.has(node)) throw new ValidationError(this.pos(node), 'recursive merge');
    seen.add(node);
    const r = this.flatten(node.items as Pair[], seen);
    seen.delete(node);
    return r;
  }
}
