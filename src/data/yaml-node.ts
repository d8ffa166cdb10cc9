// The tree both YAML readers (yaml-fast.ts, yaml-load.ts) produce: plain values with
// each node's file:line:col, for error messages that point at the source.
import type { SourcePosition } from '../errors.js';

export type PNode =
  | { kind: 'map'; pos: SourcePosition; entries: PEntry[]; unsafe: boolean }
  | { kind: 'seq'; pos: SourcePosition; items: PNode[]; unsafe: boolean }
  | { kind: 'scalar'; pos: SourcePosition; value: unknown };

export interface PEntry {
  /** The key as constructed (string, number, boolean, null). */
  key: unknown;
  /** The key as json.dumps writes it: variables are keyed by this. */
  name: string;
  keyPos: SourcePosition;
  value: PNode;
}
