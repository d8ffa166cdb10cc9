// A playbook-side YAML file: its text (to place errors inside strings) and its node
// tree with positions, loaded with the inventory's YAML 1.1 loader so `yes`, `0644`
// and merge keys mean what they mean to Ansible.
import { relative, isAbsolute } from 'node:path';
import { ValidationError } from '../errors.js';
import { readText } from '../data/vars-files.js';
import { loadDataText, type PNode } from '../data/yaml-load.js';
import { loadModules } from '../modules/registry.js';
import { wordsNamingModules } from './named-modules.js';

export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** The name used in messages: relative to the working directory when inside it. */
  name: string;
  text: string;
  lines: string[];
  /** The document's root node; null for an empty file. */
  root: PNode | null;
}

/** `playbooks/site.yaml` for a file under the working directory, else the absolute path. */
export function displayName(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * The file, parsed, with the modules it names loaded: building its tasks then finds
 * them synchronously (modules/registry.ts loads a module's code on first use).
 */
export async function readSourceFile(path: string): Promise<SourceFile> {
  const name = displayName(path);
  let text: string;
  try {
    text = await readText(path);
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError({ file: name, line: 1, col: 1 }, e.detail, { cause: e });
    throw new ValidationError({ file: name, line: 1, col: 1 }, `cannot read the file: ${errorText(e)}`, { cause: e });
  }
  const source = parseSource(path, name, text);
  await loadModules(wordsNamingModules(source.root));
  return source;
}

/** readSourceFile, with a file that cannot be read or parsed recorded as its problem (undefined then). */
export async function readSourceOrReport(path: string, problems: { addError(e: ValidationError): void }): Promise<SourceFile | undefined> {
  try {
    return await readSourceFile(path);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    problems.addError(e);
    return undefined;
  }
}

export function parseSource(path: string, name: string, text: string): SourceFile {
  const lines = text.split('\n');
  // loadDataText tries JSON first and gives JSON nodes no positions; a trailing YAML
  // comment makes the text invalid JSON without changing what YAML reads, so every
  // node keeps its line and column even in a JSON-style playbook.
  let root: PNode | null;
  try {
    // A vault-encrypted playbook or task file is decrypted by loadDataText: nothing may follow its envelope.
    root = loadDataText(text.startsWith('$ANSIBLE_VAULT;') ? text : `${text}\n#`, name);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    // An error at the very end (an unclosed bracket) must not point at the added comment.
    const line = Math.min(e.line, lines.length);
    const col = line < e.line ? (lines[line - 1]?.length ?? 0) + 1 : e.col;
    throw new ValidationError({ file: e.file, line, col }, e.detail, { cause: e });
  }
  return { path, name, text, lines, root };
}

export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && e.code === 'ENOENT') return 'no such file';
  return e instanceof Error ? e.message : String(e);
}
