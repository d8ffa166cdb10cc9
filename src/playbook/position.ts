// From a place in the YAML tree to file:line:col. Paths are the keys and indices
// from the document root (or any node) down, as zod reports them: [0, 'tasks', 3,
// 'when']. A position inside a string (a template's line/col, an expression's column)
// is mapped onto the file through the scalar's quoting style.
import type { SourcePosition } from '../errors.js';
import type { PEntry, PNode } from '../data/yaml-load.js';
import type { SourceFile } from './source.js';

export type PathKey = string | number;

export function entryOf(node: PNode, key: string): PEntry | undefined {
  return node.kind === 'map' ? node.entries.find((e) => e.name === key) : undefined;
}

/** The node at `path`, or undefined when some step does not exist. */
export function nodeAt(node: PNode, path: readonly PathKey[]): PNode | undefined {
  let cur: PNode | undefined = node;
  for (const key of path) {
    if (!cur) return undefined;
    if (cur.kind === 'seq' && typeof key === 'number') cur = cur.items[key];
    else if (cur.kind === 'map') cur = entryOf(cur, String(key))?.value;
    else return undefined;
  }
  return cur;
}

/**
 * Where to point for `path`: the node itself, or for a missing key the map that
 * lacks it (the nearest node that exists). `atKey` points at a map entry's key
 * rather than its value (for "unknown key" messages).
 */
export function positionAt(node: PNode, path: readonly PathKey[], atKey = false): SourcePosition {
  let cur: PNode = node;
  let pos = node.pos;
  for (const key of path) {
    if (cur.kind === 'seq' && typeof key === 'number' && cur.items[key]) {
      cur = cur.items[key]!;
      pos = cur.pos;
    } else if (cur.kind === 'map') {
      const e = entryOf(cur, String(key));
      if (!e) break;
      cur = e.value;
      pos = atKey && key === path[path.length - 1] ? e.keyPos : cur.pos;
    } else {
      break;
    }
  }
  return pos;
}

/** A position inside a string value, and whether it is exact or the string's start. */
export interface InnerPosition {
  pos: SourcePosition;
  exact: boolean;
}

/**
 * Map `line`/`col` (1-based) inside the string held by the scalar at `at` onto the
 * file. Exact for plain and quoted one-line scalars (checked against the file's
 * text) and for literal block scalars (`|`); otherwise the scalar's own position.
 */
export function innerPosition(src: SourceFile, at: SourcePosition, value: string, line: number, col: number): InnerPosition {
  const fallback = { pos: at, exact: false };
  const lineText = src.lines[at.line - 1];
  if (lineText === undefined || at.file !== src.name) return fallback;
  const start = at.col - 1;
  const first = lineText[start];
  const valueLine = value.split('\n')[line - 1] ?? '';
  const prefix = valueLine.slice(0, col - 1);
  if (first === '|') {
    const fileLine = at.line + line;
    const text = src.lines[fileLine - 1];
    const indent = blockIndent(src, at.line);
    if (text === undefined || indent === undefined || text.slice(indent, indent + prefix.length) !== prefix) return fallback;
    return { pos: { file: at.file, line: fileLine, col: indent + col }, exact: true };
  }
  if (line !== 1) return fallback;
  const quoted = first === '"' || first === "'";
  const offset = start + (quoted ? 1 : 0);
  if (lineText.slice(offset, offset + prefix.length) !== prefix) return fallback;
  return { pos: { file: at.file, line: at.line, col: offset + col }, exact: true };
}

/** Indentation of a block scalar's content: that of its first non-blank line. */
function blockIndent(src: SourceFile, headerLine: number): number | undefined {
  for (let i = headerLine; i < src.lines.length; i++) {
    const text = src.lines[i]!;
    if (text.trim() === '') continue;
    return text.length - text.trimStart().length;
  }
  return undefined;
}

/** Line and column (1-based) of a 1-based offset into a possibly multi-line string. */
export function lineColOf(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, offset - 1));
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, col: offset - (nl + 1) };
}

/** `disks[0].size` */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${k}` : k;
  return out;
}
