// Names defined by `group_vars/` and `host_vars/` beside a playbook, which Ansible
// also loads for the play's hosts. Only the names matter here (for the
// undefined-variable check), so every file in them is read, whatever host or group
// it is for: a name any host may have is not an error.
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ValidationError } from '../errors.js';
import { loadVarsFile } from '../data/vars-files.js';
import type { Problems } from './problems.js';
import { displayName } from './source.js';

const EXTENSIONS = new Set(['', '.yml', '.yaml', '.json']);

export async function adjacentVarNames(dir: string, problems: Problems): Promise<Set<string>> {
  const names = new Set<string>();
  for (const sub of ['group_vars', 'host_vars']) {
    for (const file of await varsFilesUnder(join(dir, sub))) {
      try {
        for (const k of Object.keys((await loadVarsFile(file)) ?? {})) names.add(k);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const name = e.file === file ? displayName(file) : e.file;
        problems.add({ file: name, line: e.line, col: e.col }, e.detail);
      }
    }
  }
  return names;
}

async function varsFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const entry of entries.sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const full = join(dir, entry);
    const st = await stat(full).catch(() => null);
    if (st?.isDirectory()) out.push(...(await varsFilesUnder(full)));
    else if (st?.isFile() && EXTENSIONS.has(extname(entry))) out.push(full);
  }
  return out;
}
