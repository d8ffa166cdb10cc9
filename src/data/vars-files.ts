// group_vars/ and host_vars/ beside each inventory source, found and loaded as
// Ansible's host_group_vars vars plugin does (plugins/vars/host_group_vars.py and
// DataLoader.find_vars_files): for NAME the first of `NAME`, `NAME.yml`, `NAME.yaml`,
// `NAME.json` that exists; if it is a folder, every file in it (and in its folders),
// in sorted order, skipping hidden and backup (`~`) files and other extensions.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { ValidationError } from '../errors.js';
import { comparePy, combineVars, isPlainObject, type Vars } from './py-values.js';
import { loadDataText, toValue } from './yaml-load.js';

const EXTENSIONS = ['.yml', '.yaml', '.json'];

/** Vars files of one inventory source folder, merged per group and per host name. */
export interface SourceVars {
  dir: string;
  groups: Map<string, Vars>;
  hosts: Map<string, Vars>;
}

export async function loadSourceVars(dir: string, groups: Iterable<string>, hosts: Iterable<string>): Promise<SourceVars> {
  return {
    dir,
    groups: await loadEntities(join(dir, 'group_vars'), groups),
    hosts: await loadEntities(join(dir, 'host_vars'), hosts),
  };
}

async function loadEntities(base: string, names: Iterable<string>): Promise<Map<string, Vars>> {
  const out = new Map<string, Vars>();
  if (!(await isDir(base))) return out;
  const listing = new Set(await readdir(base));
  for (const name of names) {
    // host_group_vars skips names that look like absolute paths (chroot-style hosts).
    if (name.startsWith(sep)) continue;
    const files = await findVarsFiles(base, name, listing);
    let merged: Vars | null = null;
    for (const f of files) {
      const data = await loadVarsFile(f);
      if (data) merged = combineVars(merged ?? {}, data);
    }
    if (merged) out.set(name, merged);
  }
  return out;
}

async function findVarsFiles(base: string, name: string, listing: Set<string>): Promise<string[]> {
  for (const ext of ['', ...EXTENSIONS]) {
    const candidate = name + ext;
    // Names with a slash reach into sub-folders: ask the file system, not the listing.
    const exists = candidate.includes('/') ? await pathExists(join(base, candidate)) : listing.has(candidate);
    if (!exists) continue;
    const full = join(base, candidate);
    return (await isDir(full)) ? dirVarsFiles(full) : [full];
  }
  return [];
}

async function dirVarsFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await readdir(dir)).sort(comparePy)) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const ext = extname(entry);
    const full = join(dir, entry);
    const st = await stat(full).catch(() => null);
    if (!st) continue;
    if (st.isDirectory() && !ext) found.push(...(await dirVarsFiles(full)));
    else if (st.isFile() && (!ext || EXTENSIONS.includes(ext))) found.push(full);
  }
  return found;
}

/** One vars file: a mapping, or null when empty (Ansible ignores empty files). */
export async function loadVarsFile(file: string): Promise<Vars | null> {
  // A vault-encrypted file is decrypted by loadDataText.
  const text = await readText(file);
  const node = loadDataText(text, file);
  const data = node === null ? null : toValue(node);
  if (data === null || data === undefined || data === '' || data === 0 || data === false) return null;
  if (Array.isArray(data) && data.length === 0) return null;
  if (!isPlainObject(data)) {
    throw new ValidationError(node?.pos ?? { file, line: 1, col: 1 }, 'a vars file must hold a mapping of variables');
  }
  return Object.keys(data).length ? data : null;
}

/** A file's text, UTF-8 (Ansible reads inventories and vars files as strict UTF-8). */
export async function readText(file: string): Promise<string> {
  const buf = await readFile(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch (e) {
    throw new ValidationError({ file, line: 1, col: 1 }, 'not a UTF-8 text file', { cause: e });
  }
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}

async function pathExists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}
