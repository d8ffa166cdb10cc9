// Bounds on what a YAML file may make kvmplay build, and what it does about duplicate
// keys. A 590-byte file of nested aliases (a "billion laughs") expanded to hundreds of
// millions of nodes and gigabytes; thousands of nesting levels overflowed the stack.
// Both readers (yaml-fast.ts, yaml-load.ts) apply these, so they agree on every file.
import { ValidationError, type SourcePosition } from '../errors.js';

/** Deeper than any real playbook or inventory (they stay under 20). */
export const MAX_YAML_DEPTH = 100;
/** Nodes that aliases may add by expansion, per document. */
export const MAX_ALIAS_NODES = 100_000;

/** Ansible's DUPLICATE_YAML_DICT_KEY: `warn` (its default), or `error` under `--strict`. */
let duplicateKeys: 'warn' | 'error' = 'warn';
const pending: string[] = [];
const seen = new Set<string>();

export function setDuplicateKeyPolicy(policy: 'warn' | 'error'): void {
  duplicateKeys = policy;
}

export interface DuplicateKey {
  name: string;
  pos: SourcePosition;
}

/** A document's duplicate keys, once the reader that answers for it is done: warned or thrown. */
export function reportDuplicateKeys(dups: readonly DuplicateKey[]): void {
  for (const d of dups) {
    const text = `found a duplicate dict key (${d.name}); using last defined value only`;
    if (duplicateKeys === 'error') throw new ValidationError(d.pos, `${text} (an error under --strict)`);
    const warning = `${d.pos.file}:${d.pos.line}:${d.pos.col}: ${text}`;
    if (!seen.has(warning)) pending.push(warning);
    seen.add(warning);
  }
}

/** The warnings gathered since the last call (the CLI prints them as [WARNING]: lines). */
export function takeYamlWarnings(): string[] {
  return pending.splice(0);
}
